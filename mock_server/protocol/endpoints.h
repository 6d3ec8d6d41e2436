// The vendor's API paths, named once for the emulator, the reference client and the runner.
#pragma once

namespace live::protocol {

// POST /v4/live_engine_http_srv/destroy_room (destroy_room.md).
inline constexpr const char* kDestroyRoomPath = "/v4/live_engine_http_srv/destroy_room";

}  // namespace live::protocol
