// POST /v4/live_engine_http_srv/destroy_room: dissolve a live room (docs/destroy_room.md).
#pragma once

#include "domain/api/api_catalog.h"
#include "protocol/endpoints.h"

namespace live::domain {

class DestroyRoomApi final : public Api {
 public:
  static constexpr std::string_view kBodyMembers[] = {"RoomId"};
  std::span<const std::string_view> bodyMembers() const override { return kBodyMembers; }
  std::string_view name() const override { return "destroy_room"; }
  std::string_view path() const override { return protocol::kDestroyRoomPath; }
  std::uint32_t documentedRateLimit() const override { return 200; }  // "200 queries/sec" (doc)

  std::optional<Outcome> checkBody(CallContext& context) const override;
  Outcome apply(const CallContext& context, DomainState& state) const override;
};

}  // namespace live::domain
