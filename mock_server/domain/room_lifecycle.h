// The room lifecycle commands around destroy_room (docs/room-lifecycle.md): create_room,
// get_room_info, update_room_info, get_room_list and get_room_stats. Each is one Api and one row of
// the table in api_catalog.cc; rows 1-18 of the check table are shared.
#pragma once

#include "domain/api_catalog.h"
#include "protocol/endpoints.h"

namespace live::domain {

// Row 19 of the commands whose body is {"RoomId":"..."} (destroy_room, get_room_info,
// get_room_stats): a JSON object whose RoomId is a string of 1..48 bytes.
std::optional<Outcome> checkRoomIdBody(CallContext& context);

class CreateRoomApi final : public Api {
 public:
  // Chosen: a second create of one RoomId within this time answers 100012.
  static constexpr std::chrono::seconds kRepeatWindow{1};

  std::string_view name() const override { return "create_room"; }
  std::string_view path() const override { return protocol::kCreateRoomPath; }
  std::uint32_t documentedRateLimit() const override { return 200; }
  std::optional<Outcome> checkBody(CallContext& context) const override;
  Outcome apply(const CallContext& context, DomainState& state) const override;
};

class GetRoomInfoApi final : public Api {
 public:
  std::string_view name() const override { return "get_room_info"; }
  std::string_view path() const override { return protocol::kGetRoomInfoPath; }
  std::uint32_t documentedRateLimit() const override { return 200; }
  std::optional<Outcome> checkBody(CallContext& context) const override;
  Outcome apply(const CallContext& context, DomainState& state) const override;
};

class UpdateRoomInfoApi final : public Api {
 public:
  std::string_view name() const override { return "update_room_info"; }
  std::string_view path() const override { return protocol::kUpdateRoomInfoPath; }
  std::uint32_t documentedRateLimit() const override { return 200; }
  std::optional<Outcome> checkBody(CallContext& context) const override;
  Outcome apply(const CallContext& context, DomainState& state) const override;
};

class GetRoomListApi final : public Api {
 public:
  static constexpr std::uint32_t kMaxCount = 20;  // documented: Count <= 20

  std::string_view name() const override { return "get_room_list"; }
  std::string_view path() const override { return protocol::kGetRoomListPath; }
  std::uint32_t documentedRateLimit() const override { return 10; }  // documented: 10/s
  std::optional<Outcome> checkBody(CallContext& context) const override;
  Outcome apply(const CallContext& context, DomainState& state) const override;
};

class GetRoomStatsApi final : public Api {
 public:
  std::string_view name() const override { return "get_room_stats"; }
  std::string_view path() const override { return protocol::kGetRoomStatsPath; }
  // Not documented; chosen like its siblings.
  std::uint32_t documentedRateLimit() const override { return 200; }
  std::optional<Outcome> checkBody(CallContext& context) const override;
  Outcome apply(const CallContext& context, DomainState& state) const override;
};

}  // namespace live::domain
