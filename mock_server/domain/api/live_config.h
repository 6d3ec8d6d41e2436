// The vendor's callback configuration calls under /v4/live_config/ (docs/webhooks.md,
// "Configuring"): set_callback, update_callback, set_callback_token. Each goes through the shared
// check chain (rows 1-18) like destroy_room, with its own body rule (row 19) and codes.
#pragma once

#include "domain/api/api_catalog.h"
#include "protocol/endpoints.h"

namespace live::domain {

class SetCallbackApi final : public Api {
 public:
  static constexpr std::string_view kBodyMembers[] = {"Url", "CallbackCommandList"};
  std::span<const std::string_view> bodyMembers() const override { return kBodyMembers; }
  std::string_view name() const override { return "set_callback"; }
  std::string_view path() const override { return protocol::kSetCallbackPath; }
  std::uint32_t documentedRateLimit() const override { return 200; }
  std::optional<Outcome> checkBody(CallContext& context) const override;
  Outcome apply(const CallContext& context, DomainState& state) const override;
};

class UpdateCallbackApi final : public Api {
 public:
  static constexpr std::string_view kBodyMembers[] = {"Url", "CallbackCommandList"};
  std::span<const std::string_view> bodyMembers() const override { return kBodyMembers; }
  std::string_view name() const override { return "update_callback"; }
  std::string_view path() const override { return protocol::kUpdateCallbackPath; }
  std::uint32_t documentedRateLimit() const override { return 200; }
  std::optional<Outcome> checkBody(CallContext& context) const override;
  Outcome apply(const CallContext& context, DomainState& state) const override;
};

class SetCallbackTokenApi final : public Api {
 public:
  static constexpr std::string_view kBodyMembers[] = {"Token", "IsTokenEnable"};
  std::span<const std::string_view> bodyMembers() const override { return kBodyMembers; }
  std::string_view name() const override { return "set_callback_token"; }
  std::string_view path() const override { return protocol::kSetCallbackTokenPath; }
  std::uint32_t documentedRateLimit() const override { return 200; }
  std::optional<Outcome> checkBody(CallContext& context) const override;
  Outcome apply(const CallContext& context, DomainState& state) const override;
};

}  // namespace live::domain
