// The rest of the live_engine_http_srv family (docs/room-family.md): room metadata, robots, members,
// admins and bans, seats (v4/room_engine_http_mic/) and IM accounts (v4/im_open_login_svc/). Each
// command is one class here and one row of the table in api_catalog.cc; rows 1-18 are the shared
// check chain. Their own rows live in room_metadata.cc, moderation.cc, seats.cc and im_accounts.cc,
// one section per command, side by side with the tables of docs/room-family.md.
#pragma once

#include <span>
#include <string_view>

#include "domain/api/api_catalog.h"
#include "protocol/endpoints.h"

namespace live::domain {

// A family command's fixed facts: name, path, documented (or chosen) limit, documented body members.
class FamilyApi : public Api {
 public:
  FamilyApi(std::string_view name, std::string_view path, std::uint32_t limit,
            std::span<const std::string_view> members)
      : name_(name), path_(path), limit_(limit), members_(members) {}
  std::string_view name() const final { return name_; }
  std::string_view path() const final { return path_; }
  std::uint32_t documentedRateLimit() const final { return limit_; }
  std::span<const std::string_view> bodyMembers() const final { return members_; }

 private:
  std::string_view name_;
  std::string_view path_;
  std::uint32_t limit_;
  std::span<const std::string_view> members_;
};

#define LIVE_FAMILY_COMMAND(Class)                                                     \
  class Class final : public FamilyApi {                                               \
   public:                                                                             \
    using FamilyApi::FamilyApi;                                                        \
    std::optional<Outcome> checkBody(CallContext& context) const override;             \
    Outcome apply(const CallContext& context, DomainState& state) const override;      \
  }

// room_metadata.cc
LIVE_FAMILY_COMMAND(GetRoomMetadataApi);
LIVE_FAMILY_COMMAND(SetRoomMetadataApi);
LIVE_FAMILY_COMMAND(DelRoomMetadataApi);
// moderation.cc: robots, members, admins, bans
LIVE_FAMILY_COMMAND(AddRobotApi);
LIVE_FAMILY_COMMAND(GetRobotApi);
LIVE_FAMILY_COMMAND(DelRobotApi);
LIVE_FAMILY_COMMAND(GetMemberListApi);
LIVE_FAMILY_COMMAND(GetAdminListApi);
LIVE_FAMILY_COMMAND(ModifyAdminApi);
LIVE_FAMILY_COMMAND(BanMemberApi);
LIVE_FAMILY_COMMAND(UnbanMemberApi);
LIVE_FAMILY_COMMAND(GetBannedMemberListApi);
// seats.cc
LIVE_FAMILY_COMMAND(GetSeatListApi);
LIVE_FAMILY_COMMAND(PickUserOnSeatApi);
LIVE_FAMILY_COMMAND(KickUserOffSeatApi);
LIVE_FAMILY_COMMAND(LockSeatApi);
LIVE_FAMILY_COMMAND(MoveUserToSeatApi);
LIVE_FAMILY_COMMAND(SwitchSeatApi);
// im_accounts.cc: answered in the IM envelope (Api::imEnvelope)
class ImAccountApi : public FamilyApi {
 public:
  using FamilyApi::FamilyApi;
  bool imEnvelope() const final { return true; }
};
#define LIVE_IM_COMMAND(Class)                                                         \
  class Class final : public ImAccountApi {                                            \
   public:                                                                             \
    using ImAccountApi::ImAccountApi;                                                  \
    std::optional<Outcome> checkBody(CallContext& context) const override;             \
    Outcome apply(const CallContext& context, DomainState& state) const override;      \
  }
LIVE_IM_COMMAND(AccountImportApi);
LIVE_IM_COMMAND(MultiAccountImportApi);
LIVE_IM_COMMAND(AccountCheckApi);
LIVE_IM_COMMAND(AccountDeleteApi);

#undef LIVE_FAMILY_COMMAND
#undef LIVE_IM_COMMAND

// Member-list page size, and the bounds on the account lists the commands take (chosen where the
// vendor is silent; docs/room-family.md).
inline constexpr std::size_t kMemberPage = 100;
inline constexpr std::size_t kMaxAccountsPerCall = 20;     // ban_member: documented; the others chosen
inline constexpr std::size_t kMaxImAccountsPerCall = 100;  // multiaccount_import, account_check, account_delete
inline constexpr std::size_t kMaxBanReasonBytes = 200;     // documented
inline constexpr std::size_t kMaxBannedPage = 100;         // get_banned_member_list Limit: documented

}  // namespace live::domain
