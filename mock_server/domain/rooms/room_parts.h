// The rules of a room's parts that the family's commands keep (docs/room-family.md): its seats, its
// metadata's limits, its admins and bans, and how the config, the control API and the state file
// write them. One place for each rule, so the commands, the seeds and the state file agree.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/rooms/model.h"
#include "protocol/error_catalog.h"
#include "protocol/result.h"

namespace live::domain {

// Chosen: a room has seats when it was created with IsSeatEnabled, a SeatTemplate or a MaxSeatCount;
// otherwise every seat command answers 100211 (documented: "this room does not support seats").
bool hasSeats(const Room& room);
// Chosen: MaxSeatCount when set; otherwise the number in the SeatTemplate's name
// ("VideoDynamicGrid9Seats": 9); otherwise kDefaultSeatCount. Seats are numbered from 0.
inline constexpr std::uint32_t kDefaultSeatCount = 9;
inline constexpr std::uint32_t kMaxSeats = 64;  // chosen: a bound on the seats a room keeps
std::uint32_t seatCount(const Room& room);
// Sizes room.parts.seats to seatCount(room) (seats are made on first use).
void ensureSeats(Room& room);

// Documented metadata limits: at most 10 keys (100500), a key of at most 50 bytes (100002), a value
// of at most 2 KB (100501), 16 KB in all (100502; chosen: keys and values counted).
inline constexpr std::size_t kMaxMetadataKeys = 10;
inline constexpr std::size_t kMaxMetadataKeyBytes = 50;
inline constexpr std::size_t kMaxMetadataValueBytes = 2048;
inline constexpr std::size_t kMaxMetadataBytes = 16384;
// Why `key` is not a metadata key (1..50 bytes), naming it as `name`; or nullopt.
std::optional<std::string> metadataKeyProblem(std::string_view name, const std::string& key);
struct PartsProblem {
  protocol::ErrorCode code;
  std::string text;
};
// Why `metadata` breaks the limits, or nullopt. `path` prefixes the member names.
std::optional<PartsProblem> checkMetadata(const std::vector<std::pair<std::string, std::string>>& metadata);

// Documented: at most 5 admins per room (100020).
inline constexpr std::size_t kMaxRoomAdmins = 5;

// The bans in force at `now_seconds` (Unix seconds), member -> banned until.
std::vector<std::pair<std::string, std::int64_t>> activeBans(const RoomParts& parts, std::int64_t now_seconds);

// {"admins":[...], "bans":[{"member":..,"until":..}], "metadata":[{"Key":..,"Value":..}],
//  "seats":[{"Index":..,"IsTakenDisabled":..,"IsVideoDisabled":..,"IsAudioDisabled":..}]}: what the
// config, scenarios and the control API seed and the state file keeps. Seats are written with their
// locks only: who sits where is occupancy, which is not kept (docs/control-api.md).
nlohmann::json roomPartsToJson(const RoomParts& parts);
Result<RoomParts> parseRoomParts(const nlohmann::json& value, const std::string& path);

}  // namespace live::domain
