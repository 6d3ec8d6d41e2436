// The vendor's API paths, named once for the emulator, the reference client and the runner, and
// the one way every program writes a base URL.
#pragma once

#include <string>
#include <string_view>

namespace live::protocol {

// POST /v4/live_engine_http_srv/destroy_room (docs/destroy_room.md).
inline constexpr const char* kDestroyRoomPath = "/v4/live_engine_http_srv/destroy_room";
// The room lifecycle around it (docs/room-lifecycle.md).
inline constexpr const char* kCreateRoomPath = "/v4/live_engine_http_srv/create_room";
inline constexpr const char* kGetRoomInfoPath = "/v4/live_engine_http_srv/get_room_info";
inline constexpr const char* kUpdateRoomInfoPath = "/v4/live_engine_http_srv/update_room_info";
inline constexpr const char* kGetRoomListPath = "/v4/live_engine_http_srv/get_room_list";
inline constexpr const char* kGetRoomStatsPath = "/v4/live_engine_http_srv/get_room_stats";
// Called by Tencent's console; no vendor page documents it (docs/room-lifecycle.md).
inline constexpr const char* kGetRoomStatisticPath = "/v4/live_engine_http_srv/get_room_statistic";
// The rest of the family (docs/room-family.md).
inline constexpr const char* kGetRoomMetadataPath = "/v4/live_engine_http_srv/get_room_metadata";
inline constexpr const char* kSetRoomMetadataPath = "/v4/live_engine_http_srv/set_room_metadata";
inline constexpr const char* kDelRoomMetadataPath = "/v4/live_engine_http_srv/del_room_metadata";
inline constexpr const char* kAddRobotPath = "/v4/live_engine_http_srv/add_robot";
inline constexpr const char* kGetRobotPath = "/v4/live_engine_http_srv/get_robot";
inline constexpr const char* kDelRobotPath = "/v4/live_engine_http_srv/del_robot";
inline constexpr const char* kGetMemberListPath = "/v4/live_engine_http_srv/get_member_list";
inline constexpr const char* kGetAdminListPath = "/v4/live_engine_http_srv/get_admin_list";
inline constexpr const char* kModifyAdminPath = "/v4/live_engine_http_srv/modify_admin";
inline constexpr const char* kBanMemberPath = "/v4/live_engine_http_srv/ban_member";
inline constexpr const char* kUnbanMemberPath = "/v4/live_engine_http_srv/unban_member";
inline constexpr const char* kGetBannedMemberListPath = "/v4/live_engine_http_srv/get_banned_member_list";
// Seats, under another service name.
inline constexpr const char* kGetSeatListPath = "/v4/room_engine_http_mic/get_seat_list";
inline constexpr const char* kPickUserOnSeatPath = "/v4/room_engine_http_mic/pick_user_on_seat";
inline constexpr const char* kKickUserOffSeatPath = "/v4/room_engine_http_mic/kick_user_off_seat";
inline constexpr const char* kLockSeatPath = "/v4/room_engine_http_mic/lock_seat";
inline constexpr const char* kMoveUserToSeatPath = "/v4/room_engine_http_mic/move_user_to_seat";
inline constexpr const char* kSwitchSeatPath = "/v4/room_engine_http_mic/switch_seat";
// IM accounts, answered in the IM envelope.
inline constexpr const char* kAccountImportPath = "/v4/im_open_login_svc/account_import";
inline constexpr const char* kMultiaccountImportPath = "/v4/im_open_login_svc/multiaccount_import";
inline constexpr const char* kAccountCheckPath = "/v4/im_open_login_svc/account_check";
inline constexpr const char* kAccountDeletePath = "/v4/im_open_login_svc/account_delete";
inline constexpr const char* kSetCallbackPath = "/v4/live_config/set_callback";
inline constexpr const char* kUpdateCallbackPath = "/v4/live_config/update_callback";
inline constexpr const char* kSetCallbackTokenPath = "/v4/live_config/set_callback_token";

// "scheme://host:port", with an IPv6 literal in brackets (RFC 3986, section 3.2.2), so that any URL
// parser takes it: http://[::1]:9000, never http://::1:9000.
inline std::string baseUrl(std::string_view scheme, std::string_view host, int port) {
  const bool ipv6 = host.find(':') != std::string_view::npos && host.front() != '[';
  std::string url(scheme);
  url += "://";
  if (ipv6) url += '[';
  url += host;
  if (ipv6) url += ']';
  url += ':';
  url += std::to_string(port);
  return url;
}

}  // namespace live::protocol
