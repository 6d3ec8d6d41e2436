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
  static constexpr std::string_view kBodyMembers[] = {"RoomInfo"};
  std::span<const std::string_view> bodyMembers() const override { return kBodyMembers; }
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
  static constexpr std::string_view kBodyMembers[] = {"RoomId"};
  std::span<const std::string_view> bodyMembers() const override { return kBodyMembers; }
  std::string_view name() const override { return "get_room_info"; }
  std::string_view path() const override { return protocol::kGetRoomInfoPath; }
  std::uint32_t documentedRateLimit() const override { return 200; }
  std::optional<Outcome> checkBody(CallContext& context) const override;
  Outcome apply(const CallContext& context, DomainState& state) const override;
};

class UpdateRoomInfoApi final : public Api {
 public:
  static constexpr std::string_view kBodyMembers[] = {"RoomInfo"};
  std::span<const std::string_view> bodyMembers() const override { return kBodyMembers; }
  std::string_view name() const override { return "update_room_info"; }
  std::string_view path() const override { return protocol::kUpdateRoomInfoPath; }
  std::uint32_t documentedRateLimit() const override { return 200; }
  std::optional<Outcome> checkBody(CallContext& context) const override;
  Outcome apply(const CallContext& context, DomainState& state) const override;
};

class GetRoomListApi final : public Api {
 public:
  static constexpr std::string_view kBodyMembers[] = {"Next", "Count"};
  std::span<const std::string_view> bodyMembers() const override { return kBodyMembers; }
  static constexpr std::uint32_t kMaxCount = 20;  // documented: Count <= 20

  std::string_view name() const override { return "get_room_list"; }
  std::string_view path() const override { return protocol::kGetRoomListPath; }
  std::uint32_t documentedRateLimit() const override { return 10; }  // documented: 10/s
  std::optional<Outcome> checkBody(CallContext& context) const override;
  Outcome apply(const CallContext& context, DomainState& state) const override;
};

// get_room_stats' answer for `context`'s room (row 20 and the success), shared with get_room_statistic.
Outcome roomCounters(const CallContext& context, DomainState& state);

class GetRoomStatsApi final : public Api {
 public:
  static constexpr std::string_view kBodyMembers[] = {"RoomId"};
  std::span<const std::string_view> bodyMembers() const override { return kBodyMembers; }
  std::string_view name() const override { return "get_room_stats"; }
  std::string_view path() const override { return protocol::kGetRoomStatsPath; }
  std::uint32_t documentedRateLimit() const override { return 100; }  // documented (page of 2026-06-10)
  std::optional<Outcome> checkBody(CallContext& context) const override;
  Outcome apply(const CallContext& context, DomainState& state) const override;
};

// Chosen: no vendor page documents get_room_statistic, which Tencent's console calls; it answers as
// get_room_stats does, with its own window of the same 100 per second.
class GetRoomStatisticApi final : public Api {
 public:
  static constexpr std::string_view kBodyMembers[] = {"RoomId"};
  std::span<const std::string_view> bodyMembers() const override { return kBodyMembers; }
  std::string_view name() const override { return "get_room_statistic"; }
  std::string_view path() const override { return protocol::kGetRoomStatisticPath; }
  std::uint32_t documentedRateLimit() const override { return 100; }
  std::optional<Outcome> checkBody(CallContext& context) const override;
  Outcome apply(const CallContext& context, DomainState& state) const override;
};

}  // namespace live::domain
