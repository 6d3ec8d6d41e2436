// Room metadata's own rows (docs/room-family.md, "Room metadata"): get_room_metadata,
// set_room_metadata, del_room_metadata. Keys keep the order in which they were first set.
#include <fmt/format.h>

#include <algorithm>

#include "domain/api/command_rules.h"
#include "domain/api/family.h"
#include "domain/rooms/room_parts.h"

namespace live::domain {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

// Keys: an array of metadata keys, each a string of 1..50 bytes; `required` or else optional.
std::optional<std::string> readKeys(const json& body, bool required, std::vector<std::string>& keys) {
  const auto it = body.find("Keys");
  if (it == body.end()) {
    return required ? std::optional<std::string>("the request body has no \"Keys\" field (it is mandatory)")
                    : std::nullopt;
  }
  if (!it->is_array()) return fmt::format("\"Keys\" must be an array of strings, not {}", it->type_name());
  for (std::size_t i = 0; i < it->size(); ++i) {
    const json& key = (*it)[i];
    if (!key.is_string()) return fmt::format("\"Keys\"[{}] must be a string, not {}", i, key.type_name());
    if (auto problem = metadataKeyProblem(fmt::format("\"Keys\"[{}]", i), key.get<std::string>())) return problem;
    keys.push_back(key.get<std::string>());
  }
  return std::nullopt;
}

using Metadata = std::vector<std::pair<std::string, std::string>>;

std::optional<std::string> readMetadata(const json& body, Metadata& metadata) {
  const auto it = body.find("Metadata");
  if (it == body.end()) return "the request body has no \"Metadata\" field (it is mandatory)";
  if (!it->is_array() || it->empty()) {
    return fmt::format("\"Metadata\" must be a non-empty array like [{{\"Key\":\"k\",\"Value\":\"v\"}}], not {}",
                       it->dump().substr(0, 80));
  }
  for (std::size_t i = 0; i < it->size(); ++i) {
    const json& entry = (*it)[i];
    if (!entry.is_object()) return fmt::format("\"Metadata\"[{}] must be an object, not {}", i, entry.type_name());
    const auto key = entry.find("Key");
    if (key == entry.end() || !key->is_string()) {
      return fmt::format("\"Metadata\"[{}].Key must be a string{}", i,
                         key == entry.end() ? " (it is missing)" : fmt::format(", not {}", key->type_name()));
    }
    if (auto problem = metadataKeyProblem(fmt::format("\"Metadata\"[{}].Key", i), key->get<std::string>())) {
      return problem;
    }
    const auto value = entry.find("Value");
    if (value == entry.end() || !value->is_string()) {
      return fmt::format("\"Metadata\"[{}].Value must be a string{}", i,
                         value == entry.end() ? " (it is missing)" : fmt::format(", not {}", value->type_name()));
    }
    metadata.emplace_back(key->get<std::string>(), value->get<std::string>());
  }
  return std::nullopt;
}

}  // namespace

// --- get_room_metadata -------------------------------------------------------------------------

std::optional<Outcome> GetRoomMetadataApi::checkBody(CallContext& context) const {
  return checkRoomBody(context, [](const json& body) {
    std::vector<std::string> keys;
    return readKeys(body, false, keys);
  });
}

Outcome GetRoomMetadataApi::apply(const CallContext& context, DomainState& state) const {
  const auto room = state.rooms.find(context.sdkappid, context.room_id);
  if (!room) return roomNotFound(context);  // row 20
  std::vector<std::string> keys;
  readKeys(context.body, false, keys);
  // No keys, or an empty list: every key. A key the room does not have is left out.
  ordered_json list = ordered_json::array();
  for (const auto& [key, value] : room->parts.metadata) {
    if (keys.empty() || std::find(keys.begin(), keys.end(), key) != keys.end()) {
      list.push_back({{"Key", key}, {"Value", value}});
    }
  }
  return successWith({{"Metadata", std::move(list)}});
}

// --- set_room_metadata -------------------------------------------------------------------------

std::optional<Outcome> SetRoomMetadataApi::checkBody(CallContext& context) const {
  return checkRoomBody(context, [](const json& body) {
    Metadata metadata;
    return readMetadata(body, metadata);
  });
}

Outcome SetRoomMetadataApi::apply(const CallContext& context, DomainState& state) const {
  Metadata given;
  readMetadata(context.body, given);
  std::optional<Outcome> refusal;
  const auto result = state.rooms.modifyRoom(
      context.sdkappid, context.room_id, callTime(context), [&](Room& room, const RoomStore::Occupancy&, MemberEvents&) {
        auto& metadata = room.parts.metadata;
        for (const auto& entry : given) {  // not a structured binding: clang 14 cannot capture one
          const auto same = std::find_if(metadata.begin(), metadata.end(),
                                         [&](const auto& kept) { return kept.first == entry.first; });
          if (same != metadata.end()) {
            same->second = entry.second;
          } else {
            metadata.push_back(entry);
          }
        }
        // Rows 21-23: 10 keys (100500), a value of 2 KB (100501), 16 KB in all (100502).
        if (auto problem = checkMetadata(metadata)) {
          refusal = Outcome::reject(problem->code, std::move(problem->text));
          return false;
        }
        return true;
      });
  return answerOf(result, refusal, context);  // row 20: 100004
}

// --- del_room_metadata -------------------------------------------------------------------------

std::optional<Outcome> DelRoomMetadataApi::checkBody(CallContext& context) const {
  return checkRoomBody(context, [](const json& body) {
    std::vector<std::string> keys;
    return readKeys(body, true, keys);
  });
}

Outcome DelRoomMetadataApi::apply(const CallContext& context, DomainState& state) const {
  std::vector<std::string> keys;
  readKeys(context.body, true, keys);
  const auto result = state.rooms.modifyRoom(
      context.sdkappid, context.room_id, callTime(context), [&](Room& room, const RoomStore::Occupancy&, MemberEvents&) {
        // A key the room does not have is passed over (chosen).
        std::erase_if(room.parts.metadata, [&](const auto& kept) {
          return std::find(keys.begin(), keys.end(), kept.first) != keys.end();
        });
        return true;
      });
  return answerOf(result, std::nullopt, context);  // row 20: 100004
}

}  // namespace live::domain
