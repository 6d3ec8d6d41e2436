// The room lifecycle commands around destroy_room (docs/room-lifecycle.md): create_room,
// get_room_info, update_room_info, get_room_list, get_room_stats and get_room_statistic. Each is one
// row of the table in api_catalog.cc; rows 1-18 of the check table are shared.
#pragma once

#include "domain/api/api_catalog.h"
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

// get_room_stats (documented), and get_room_statistic, which Tencent's console calls and no vendor
// page documents (chosen: it answers as get_room_stats does). One operation, two rows of the table,
// each with its own window of 100 per second (documented for get_room_stats, page of 2026-06-10).
class RoomCountersApi final : public Api {
 public:
  RoomCountersApi(std::string_view name, std::string_view path) : name_(name), path_(path) {}

  static constexpr std::string_view kBodyMembers[] = {"RoomId"};
  std::span<const std::string_view> bodyMembers() const override { return kBodyMembers; }
  std::string_view name() const override { return name_; }
  std::string_view path() const override { return path_; }
  std::uint32_t documentedRateLimit() const override { return 100; }
  std::optional<Outcome> checkBody(CallContext& context) const override;
  Outcome apply(const CallContext& context, DomainState& state) const override;

 private:
  std::string_view name_;
  std::string_view path_;
};

}  // namespace live::domain
