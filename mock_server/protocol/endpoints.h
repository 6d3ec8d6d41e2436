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
