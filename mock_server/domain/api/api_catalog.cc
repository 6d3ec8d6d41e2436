// The table of emulated APIs. One row per API.
#include "domain/api/api_catalog.h"

#include <array>

#include "domain/api/destroy_room.h"
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

// destroy_room stays first: its index keys the rate limiter's hot path.
constexpr std::array kApis = std::to_array<const Api*>({
    &kDestroyRoom, &kSetCallback, &kUpdateCallback, &kSetCallbackToken, &kCreateRoom, &kGetRoomInfo,
    &kUpdateRoomInfo, &kGetRoomList, &kGetRoomStats, &kGetRoomStatistic,
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
