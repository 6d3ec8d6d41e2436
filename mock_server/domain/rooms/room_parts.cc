// A room's parts: seats, metadata limits, admins, bans (docs/room-family.md); keep beside its tables.
#include "domain/rooms/room_parts.h"

#include <fmt/format.h>

#include <algorithm>

#include "domain/api/parse.h"

namespace live::domain {

using json = nlohmann::json;

bool hasSeats(const Room& room) {
  return room.info.is_seat_enabled || !room.info.seat_template.empty() || room.info.max_seat_count > 0;
}

std::uint32_t seatCount(const Room& room) {
  if (!hasSeats(room)) return 0;
  if (room.info.max_seat_count > 0) return std::min(room.info.max_seat_count, kMaxSeats);
  // The first run of digits in the template's name.
  const auto& name = room.info.seat_template;
  const auto first = std::find_if(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
  std::uint32_t count = 0;
  for (auto it = first; it != name.end() && *it >= '0' && *it <= '9' && count <= kMaxSeats; ++it) {
    count = count * 10 + static_cast<std::uint32_t>(*it - '0');
  }
  if (count == 0) return kDefaultSeatCount;
  return std::min(count, kMaxSeats);
}

void ensureSeats(Room& room) {
  const auto count = seatCount(room);
  if (room.parts.seats.size() < count) room.parts.seats.resize(count);
}

std::optional<std::string> metadataKeyProblem(std::string_view name, const std::string& key) {
  if (!key.empty() && key.size() <= kMaxMetadataKeyBytes) return std::nullopt;
  return fmt::format("{} \"{}\" is {} bytes long; a key is 1 to {} bytes", name, key, key.size(), kMaxMetadataKeyBytes);
}

std::optional<PartsProblem> checkMetadata(const std::vector<std::pair<std::string, std::string>>& metadata) {
  if (metadata.size() > kMaxMetadataKeys) {
    return PartsProblem{protocol::ErrorCode::kMetadataTooManyKeys,
                        fmt::format("the room would have {} metadata keys; at most {} are allowed", metadata.size(),
                                    kMaxMetadataKeys)};
  }
  std::size_t total = 0;
  for (const auto& [key, value] : metadata) {
    if (auto problem = metadataKeyProblem("metadata Key", key)) {
      return PartsProblem{protocol::ErrorCode::kInvalidParameter, std::move(*problem)};
    }
    if (value.size() > kMaxMetadataValueBytes) {
      return PartsProblem{protocol::ErrorCode::kMetadataValueTooLong,
                          fmt::format("the Value of metadata Key \"{}\" is {} bytes long; at most {} are allowed", key,
                                      value.size(), kMaxMetadataValueBytes)};
    }
    total += key.size() + value.size();
  }
  if (total > kMaxMetadataBytes) {
    return PartsProblem{protocol::ErrorCode::kMetadataTooLarge,
                        fmt::format("the room's metadata would be {} bytes (keys and values); at most {} are allowed",
                                    total, kMaxMetadataBytes)};
  }
  return std::nullopt;
}

std::vector<std::pair<std::string, std::int64_t>> activeBans(const RoomParts& parts, std::int64_t now_seconds) {
  std::vector<std::pair<std::string, std::int64_t>> bans;
  for (const auto& [member, until] : parts.bans) {
    if (until > now_seconds) bans.emplace_back(member, until);
  }
  return bans;
}

json roomPartsToJson(const RoomParts& parts) {
  json out = json::object();
  out["admins"] = parts.admins;
  json bans = json::array();
  for (const auto& [member, until] : parts.bans) bans.push_back({{"member", member}, {"until", until}});
  out["bans"] = std::move(bans);
  json metadata = json::array();
  for (const auto& [key, value] : parts.metadata) metadata.push_back({{"Key", key}, {"Value", value}});
  out["metadata"] = std::move(metadata);
  json seats = json::array();
  for (std::size_t i = 0; i < parts.seats.size(); ++i) {
    const Seat& seat = parts.seats[i];
    if (!seat.taken_disabled && !seat.video_disabled && !seat.audio_disabled) continue;
    seats.push_back({{"Index", i},
                     {"IsTakenDisabled", seat.taken_disabled},
                     {"IsVideoDisabled", seat.video_disabled},
                     {"IsAudioDisabled", seat.audio_disabled}});
  }
  out["seats"] = std::move(seats);
  return out;
}

namespace {

Failure partsError(const std::string& path, std::string_view what, const json& value) {
  return Failure{fmt::format("{}: expected {}, not {}", path, what, value.dump())};
}

bool isAccount(const json& value) {
  return value.is_string() && !value.get_ref<const std::string&>().empty() &&
         value.get_ref<const std::string&>().size() <= kMaxAccountBytes;
}

}  // namespace

Result<RoomParts> parseRoomParts(const json& value, const std::string& path) {
  if (!value.is_object()) return partsError(path, "an object", value);
  RoomParts parts;
  for (const auto& [key, member] : value.items()) {
    const std::string where = path + "." + key;
    if (key == "admins") {
      if (!member.is_array() || member.size() > kMaxRoomAdmins) {
        return partsError(where, fmt::format("an array of at most {} accounts", kMaxRoomAdmins), member);
      }
      for (const auto& admin : member) {
        if (!isAccount(admin)) return partsError(where, fmt::format("accounts of 1 to {} bytes", kMaxAccountBytes), admin);
        if (std::find(parts.admins.begin(), parts.admins.end(), admin.get<std::string>()) == parts.admins.end()) {
          parts.admins.push_back(admin.get<std::string>());
        }
      }
    } else if (key == "bans") {
      if (!member.is_array()) return partsError(where, "an array", member);
      for (const auto& ban : member) {
        if (!ban.is_object() || !ban.contains("member") || !isAccount(ban["member"]) || !ban.contains("until") ||
            !nonNegativeInteger(ban["until"])) {
          return partsError(where, R"({"member": account, "until": Unix seconds})", ban);
        }
        parts.bans[ban["member"].get<std::string>()] = static_cast<std::int64_t>(*nonNegativeInteger(ban["until"]));
      }
    } else if (key == "metadata") {
      if (!member.is_array()) return partsError(where, "an array", member);
      for (const auto& entry : member) {
        if (!entry.is_object() || !entry.contains("Key") || !entry["Key"].is_string() || !entry.contains("Value") ||
            !entry["Value"].is_string()) {
          return partsError(where, R"({"Key": string, "Value": string})", entry);
        }
        const auto& name = entry["Key"].get_ref<const std::string&>();
        const auto same = std::find_if(parts.metadata.begin(), parts.metadata.end(),
                                       [&](const auto& kept) { return kept.first == name; });
        if (same != parts.metadata.end()) {
          same->second = entry["Value"].get<std::string>();
        } else {
          parts.metadata.emplace_back(name, entry["Value"].get<std::string>());
        }
      }
      if (auto problem = checkMetadata(parts.metadata)) return Failure{fmt::format("{}: {}", where, problem->text)};
    } else if (key == "seats") {
      if (!member.is_array()) return partsError(where, "an array", member);
      for (const auto& seat : member) {
        const auto index = seat.is_object() && seat.contains("Index") ? nonNegativeInteger(seat["Index"]) : std::nullopt;
        if (!index || *index >= kMaxSeats) {
          return partsError(where, fmt::format("seats like {{\"Index\": 0..{}, \"IsTakenDisabled\": true}}", kMaxSeats - 1),
                            seat);
        }
        if (parts.seats.size() <= *index) parts.seats.resize(*index + 1);
        Seat& kept = parts.seats[*index];
        for (const auto& [flag, target] : {std::pair<const char*, bool*>{"IsTakenDisabled", &kept.taken_disabled},
                                           {"IsVideoDisabled", &kept.video_disabled},
                                           {"IsAudioDisabled", &kept.audio_disabled}}) {
          if (!seat.contains(flag)) continue;
          if (!seat[flag].is_boolean()) return partsError(where + "." + flag, "true or false", seat[flag]);
          *target = seat[flag].get<bool>();
        }
      }
    } else {
      return Failure{fmt::format("{}: unknown key (expected admins, bans, metadata or seats)", where)};
    }
  }
  return parts;
}

}  // namespace live::domain
