// A room's members by the vendor's names (RoomName, CoverURL, TakeSeatMode, ...): the rules for
// each member a caller may give (docs/room-lifecycle.md, "RoomInfo"), and how each is written in
// answers and webhooks. One table in room_info.cc serves create_room, update_room_info, the answers
// of get_room_info and get_room_list, the webhooks, and the config's and control API's "info".
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/rooms/model.h"

namespace live::domain {

// Who gives the members: each member lists the uses that accept it.
enum class RoomInfoUse {
  kCreate,  // create_room's RoomInfo (besides RoomId and RoomType, which the API reads itself)
  kUpdate,  // update_room_info's RoomInfo (besides RoomId)
  kSeed,    // the config's, scenarios' and control API's "info" of a room
};

// Applies each member of `members` (a JSON object) to `room`, in the order given, after checking
// all of them. Returns nullopt, or the problem naming the member (prefixed with `path`, e.g.
// "RoomInfo.CoverURL") and the rule it breaks. `given`, when not null, receives the names applied.
// A member that `use` does not take is refused when `ignored` is null (strict), and otherwise
// skipped and named in `ignored` ("RoomInfo.KeepOwnerOnSeat").
std::optional<std::string> applyRoomInfo(const nlohmann::json& members, RoomInfoUse use, std::string_view path,
                                         Room& room, std::vector<std::string>* given = nullptr,
                                         std::vector<std::string>* ignored = nullptr);

// Reads the mandatory RoomId member of `object` (1..48 bytes) into `room_id`; otherwise returns the
// problem, naming the member as `name` ("RoomId", "RoomInfo.RoomId").
std::optional<std::string> readRoomId(const nlohmann::json& object, std::string_view name, std::string& room_id);

// The member `name` of the room as the vendor writes it in answers: RoomId, RoomName, RoomType,
// Owner_Account, CreateTime, ViewCount, or any member of the table. Throws std::out_of_range for an
// unknown name (a programming error: the callers name members from fixed lists).
nlohmann::ordered_json roomInfoMember(const Room& room, std::string_view name);
// {name: roomInfoMember(room, name), ...} in the order of `names`.
nlohmann::ordered_json roomInfoObject(const Room& room, const std::vector<std::string_view>& names);

// The room's members that differ from their defaults, by vendor name (the config's "info").
nlohmann::ordered_json roomInfoToSeedJson(const RoomInfo& info);

// ViewCount, as the vendor's answers show it. Chosen: the room's TotalViewers (docs/room-lifecycle.md).
inline std::uint64_t viewCount(const Room& room) { return room.statistic.total_viewers; }

}  // namespace live::domain
