// The table of emulated APIs. One row per API.
#include "domain/api/api_catalog.h"

#include <array>

#include "domain/api/destroy_room.h"
#include "domain/api/family.h"
#include "domain/api/live_config.h"
#include "domain/api/room_lifecycle.h"

namespace live::domain {
namespace {

const DestroyRoomApi kDestroyRoom;
const SetCallbackApi kSetCallback;
const UpdateCallbackApi kUpdateCallback;
const SetCallbackTokenApi kSetCallbackToken;
const CreateRoomApi kCreateRoom;
const GetRoomInfoApi kGetRoomInfo;
const UpdateRoomInfoApi kUpdateRoomInfo;
const GetRoomListApi kGetRoomList;
const RoomCountersApi kGetRoomStats{"get_room_stats", protocol::kGetRoomStatsPath};
const RoomCountersApi kGetRoomStatistic{"get_room_statistic", protocol::kGetRoomStatisticPath};
// The rest of the family: body members and limits documented (docs/room-family.md).
constexpr std::string_view kGetRoomMetadataMembers[] = {"RoomId", "Keys"};
const GetRoomMetadataApi kGetRoomMetadata{"get_room_metadata", protocol::kGetRoomMetadataPath, 200, kGetRoomMetadataMembers};
constexpr std::string_view kSetRoomMetadataMembers[] = {"RoomId", "Metadata"};
const SetRoomMetadataApi kSetRoomMetadata{"set_room_metadata", protocol::kSetRoomMetadataPath, 200, kSetRoomMetadataMembers};
constexpr std::string_view kDelRoomMetadataMembers[] = {"RoomId", "Keys"};
const DelRoomMetadataApi kDelRoomMetadata{"del_room_metadata", protocol::kDelRoomMetadataPath, 200, kDelRoomMetadataMembers};
constexpr std::string_view kAddRobotMembers[] = {"RoomId", "RobotList_Account"};
const AddRobotApi kAddRobot{"add_robot", protocol::kAddRobotPath, 100, kAddRobotMembers};
constexpr std::string_view kGetRobotMembers[] = {"RoomId"};
const GetRobotApi kGetRobot{"get_robot", protocol::kGetRobotPath, 100, kGetRobotMembers};
constexpr std::string_view kDelRobotMembers[] = {"RoomId", "RobotList_Account"};
const DelRobotApi kDelRobot{"del_robot", protocol::kDelRobotPath, 100, kDelRobotMembers};
constexpr std::string_view kGetMemberListMembers[] = {"RoomId", "Next"};
const GetMemberListApi kGetMemberList{"get_member_list", protocol::kGetMemberListPath, 200, kGetMemberListMembers};
constexpr std::string_view kGetAdminListMembers[] = {"RoomId"};
const GetAdminListApi kGetAdminList{"get_admin_list", protocol::kGetAdminListPath, 200, kGetAdminListMembers};
constexpr std::string_view kModifyAdminMembers[] = {"RoomId", "Admin_Account", "OpType"};
const ModifyAdminApi kModifyAdmin{"modify_admin", protocol::kModifyAdminPath, 200, kModifyAdminMembers};
constexpr std::string_view kBanMemberMembers[] = {"RoomId", "MemberList_Account", "Reason", "Duration"};
const BanMemberApi kBanMember{"ban_member", protocol::kBanMemberPath, 200, kBanMemberMembers};
constexpr std::string_view kUnbanMemberMembers[] = {"RoomId", "MemberList_Account"};
const UnbanMemberApi kUnbanMember{"unban_member", protocol::kUnbanMemberPath, 200, kUnbanMemberMembers};
constexpr std::string_view kGetBannedMemberListMembers[] = {"RoomId", "Offset", "Limit"};
const GetBannedMemberListApi kGetBannedMemberList{"get_banned_member_list", protocol::kGetBannedMemberListPath, 200, kGetBannedMemberListMembers};
constexpr std::string_view kGetSeatListMembers[] = {"RoomId"};
const GetSeatListApi kGetSeatList{"get_seat_list", protocol::kGetSeatListPath, 200, kGetSeatListMembers};
constexpr std::string_view kPickUserOnSeatMembers[] = {"RoomId", "Member_Account", "Index"};
const PickUserOnSeatApi kPickUserOnSeat{"pick_user_on_seat", protocol::kPickUserOnSeatPath, 200, kPickUserOnSeatMembers};
constexpr std::string_view kKickUserOffSeatMembers[] = {"RoomId", "Member_Account"};
const KickUserOffSeatApi kKickUserOffSeat{"kick_user_off_seat", protocol::kKickUserOffSeatPath, 200, kKickUserOffSeatMembers};
constexpr std::string_view kLockSeatMembers[] = {"RoomId", "Index", "ForbidTaken", "ForbidVideo", "ForbidAudio"};
const LockSeatApi kLockSeat{"lock_seat", protocol::kLockSeatPath, 200, kLockSeatMembers};
constexpr std::string_view kMoveUserToSeatMembers[] = {"RoomId", "SeatIndex", "Member_Account", "Policy"};
const MoveUserToSeatApi kMoveUserToSeat{"move_user_to_seat", protocol::kMoveUserToSeatPath, 200, kMoveUserToSeatMembers};
constexpr std::string_view kSwitchSeatMembers[] = {"RoomId", "ToIndex", "Member_Account"};
const SwitchSeatApi kSwitchSeat{"switch_seat", protocol::kSwitchSeatPath, 200, kSwitchSeatMembers};
constexpr std::string_view kAccountImportMembers[] = {"UserID", "Nick", "FaceUrl"};
const AccountImportApi kAccountImport{"account_import", protocol::kAccountImportPath, 100, kAccountImportMembers};
constexpr std::string_view kMultiaccountImportMembers[] = {"Accounts"};
const MultiAccountImportApi kMultiaccountImport{"multiaccount_import", protocol::kMultiaccountImportPath, 100, kMultiaccountImportMembers};
constexpr std::string_view kAccountCheckMembers[] = {"CheckItem"};
const AccountCheckApi kAccountCheck{"account_check", protocol::kAccountCheckPath, 100, kAccountCheckMembers};
constexpr std::string_view kAccountDeleteMembers[] = {"DeleteItem"};
const AccountDeleteApi kAccountDelete{"account_delete", protocol::kAccountDeletePath, 100, kAccountDeleteMembers};

// destroy_room stays first: its index keys the rate limiter's hot path.
constexpr std::array kApis = std::to_array<const Api*>({
    &kDestroyRoom, &kSetCallback, &kUpdateCallback, &kSetCallbackToken, &kCreateRoom, &kGetRoomInfo,
    &kUpdateRoomInfo, &kGetRoomList, &kGetRoomStats, &kGetRoomStatistic,
    &kGetRoomMetadata, &kSetRoomMetadata, &kDelRoomMetadata, &kAddRobot,
    &kGetRobot, &kDelRobot, &kGetMemberList, &kGetAdminList,
    &kModifyAdmin, &kBanMember, &kUnbanMember, &kGetBannedMemberList,
    &kGetSeatList, &kPickUserOnSeat, &kKickUserOffSeat, &kLockSeat,
    &kMoveUserToSeat, &kSwitchSeat, &kAccountImport, &kMultiaccountImport,
    &kAccountCheck, &kAccountDelete,
});

}  // namespace

std::span<const Api* const> emulatedApis() { return kApis; }

std::size_t apiIndex(const Api& api) {
  // An API is identified by its name, so any instance of an Api class finds its row.
  for (std::size_t i = 0; i < kApis.size(); ++i) {
    if (kApis[i]->name() == api.name()) return i;
  }
  return kApis.size();
}

const Api* findApiByPath(std::string_view path) {
  for (const Api* api : kApis) {
    if (api->path() == path) return api;
  }
  return nullptr;
}

const Api* findApiByName(std::string_view name) {
  for (const Api* api : kApis) {
    if (api->name() == name) return api;
  }
  return nullptr;
}

std::string knownApiNames() {
  std::string names;
  for (const Api* api : kApis) {
    if (!names.empty()) names += ", ";
    names += api->name();
  }
  return names;
}

}  // namespace live::domain
