// The table of a room's vendor-named members: kFields below is the "RoomInfo" table of
// docs/room-lifecycle.md; keep them side by side.
#include "domain/rooms/room_info.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace live::domain {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

enum class Kind {
  kText,          // a string of at most `limit` bytes
  kBool,          // true or false
  kUint32,        // an integer in 0..4294967295
  kCategory,      // an array of at most `limit` integers
  kTakeSeatMode,  // "FreeToTake" or "ApplyToTake"
};

constexpr unsigned kCreate = 1u << static_cast<unsigned>(RoomInfoUse::kCreate);
constexpr unsigned kUpdate = 1u << static_cast<unsigned>(RoomInfoUse::kUpdate);
constexpr unsigned kSeed = 1u << static_cast<unsigned>(RoomInfoUse::kSeed);

struct Field {
  std::string_view name;
  Kind kind;
  std::size_t limit;  // bytes of a text, integers of a Category
  unsigned uses;      // which of create_room, update_room_info and the seed accept it
  void (*set)(Room&, const json&);
  ordered_json (*get)(const Room&);
};

// RoomName and Owner_Account are the Room's own members (the control API's "name" and "owner");
// the others live in RoomInfo. RoomId and RoomType are read by the APIs themselves.
const Field kFields[] = {
    {"RoomName", Kind::kText, 100, kCreate | kUpdate,
     [](Room& r, const json& v) { r.name = v.get<std::string>(); },
     [](const Room& r) { return ordered_json(r.name.empty() ? r.room_id : r.name); }},
    {"Owner_Account", Kind::kText, 48, kCreate,
     [](Room& r, const json& v) { r.owner = v.get<std::string>(); },
     [](const Room& r) { return ordered_json(r.owner); }},
    {"CoverURL", Kind::kText, 200, kCreate | kUpdate | kSeed,
     [](Room& r, const json& v) { r.info.cover_url = v.get<std::string>(); },
     [](const Room& r) { return ordered_json(r.info.cover_url); }},
    {"IsMessageDisabled", Kind::kBool, 0, kCreate | kUpdate | kSeed,
     [](Room& r, const json& v) { r.info.is_message_disabled = v.get<bool>(); },
     [](const Room& r) { return ordered_json(r.info.is_message_disabled); }},
    {"Category", Kind::kCategory, 3, kCreate | kUpdate | kSeed,
     [](Room& r, const json& v) { r.info.category = v.get<std::vector<std::int64_t>>(); },
     [](const Room& r) { return ordered_json(r.info.category); }},
    {"IsPublicVisible", Kind::kBool, 0, kCreate | kUpdate | kSeed,
     [](Room& r, const json& v) { r.info.is_public_visible = v.get<bool>(); },
     [](const Room& r) { return ordered_json(r.info.is_public_visible); }},
    {"IsSeatEnabled", Kind::kBool, 0, kCreate | kSeed,
     [](Room& r, const json& v) { r.info.is_seat_enabled = v.get<bool>(); },
     [](const Room& r) { return ordered_json(r.info.is_seat_enabled); }},
    {"TakeSeatMode", Kind::kTakeSeatMode, 0, kCreate | kUpdate | kSeed,
     [](Room& r, const json& v) { r.info.apply_to_take = v.get_ref<const std::string&>() == "ApplyToTake"; },
     [](const Room& r) { return ordered_json(r.info.apply_to_take ? "ApplyToTake" : "FreeToTake"); }},
    {"MaxSeatCount", Kind::kUint32, 0, kCreate | kSeed,
     [](Room& r, const json& v) { r.info.max_seat_count = v.get<std::uint32_t>(); },
     [](const Room& r) { return ordered_json(r.info.max_seat_count); }},
    {"MaxMemberCount", Kind::kUint32, 0, kCreate | kUpdate | kSeed,
     [](Room& r, const json& v) { r.info.max_member_count = v.get<std::uint32_t>(); },
     [](const Room& r) { return ordered_json(r.info.max_member_count); }},
    {"ActivityStatus", Kind::kUint32, 0, kCreate | kUpdate | kSeed,
     [](Room& r, const json& v) { r.info.activity_status = v.get<std::uint32_t>(); },
     [](const Room& r) { return ordered_json(r.info.activity_status); }},
    {"IsUnlimitedRoomEnabled", Kind::kBool, 0, kCreate | kSeed,
     [](Room& r, const json& v) { r.info.is_unlimited_room_enabled = v.get<bool>(); },
     [](const Room& r) { return ordered_json(r.info.is_unlimited_room_enabled); }},
    {"SeatLayoutTemplateId", Kind::kUint32, 0, kCreate | kSeed,
     [](Room& r, const json& v) { r.info.seat_layout_template_id = v.get<std::uint32_t>(); },
     [](const Room& r) { return ordered_json(r.info.seat_layout_template_id); }},
    {"SeatTemplate", Kind::kText, 100, kCreate | kSeed,
     [](Room& r, const json& v) { r.info.seat_template = v.get<std::string>(); },
     [](const Room& r) { return ordered_json(r.info.seat_template); }},
    {"KeepOwnerOnSeat", Kind::kBool, 0, kCreate | kSeed,
     [](Room& r, const json& v) { r.info.keep_owner_on_seat = v.get<bool>(); },
     [](const Room& r) { return ordered_json(r.info.keep_owner_on_seat); }},
    {"Notice", Kind::kText, 100, kUpdate | kSeed,
     [](Room& r, const json& v) { r.info.notice = v.get<std::string>(); },
     [](const Room& r) { return ordered_json(r.info.notice); }},
};

const Field* findField(std::string_view name) {
  for (const Field& field : kFields) {
    if (field.name == name) return &field;
  }
  return nullptr;
}

std::string accepted(unsigned use) {
  std::string names;
  for (const Field& field : kFields) {
    if ((field.uses & use) != 0) names += fmt::format("{}{}", names.empty() ? "" : ", ", field.name);
  }
  return names;
}

// Why `value` breaks the field's rule, or nullopt.
std::optional<std::string> problemWith(const Field& field, const json& value) {
  switch (field.kind) {
    case Kind::kText: {
      if (!value.is_string()) return fmt::format("must be a string, not {}", value.type_name());
      const auto size = value.get_ref<const std::string&>().size();
      if (size == 0 && (field.name == "RoomName" || field.name == "Owner_Account")) return "is empty";
      if (size > field.limit) return fmt::format("is {} bytes long; at most {} are allowed", size, field.limit);
      return std::nullopt;
    }
    case Kind::kBool:
      if (!value.is_boolean()) return fmt::format("must be true or false, not {}", value.type_name());
      return std::nullopt;
    case Kind::kUint32:
      if (!value.is_number_integer() ||
          (value.is_number_unsigned() ? value.get<std::uint64_t>() > std::numeric_limits<std::uint32_t>::max()
                                      : value.get<std::int64_t>() < 0)) {
        return fmt::format("must be an integer in 0..4294967295, not {}", value.dump());
      }
      return std::nullopt;
    case Kind::kCategory:
      if (!value.is_array()) return fmt::format("must be an array of integers, not {}", value.type_name());
      if (value.size() > field.limit) {
        return fmt::format("has {} entries; at most {} are allowed", value.size(), field.limit);
      }
      for (std::size_t i = 0; i < value.size(); ++i) {
        const json& entry = value[i];
        if (!entry.is_number_integer() ||
            (entry.is_number_unsigned() && entry.get<std::uint64_t>() > std::numeric_limits<std::int64_t>::max())) {
          return fmt::format("[{}] must be an integer, not {}", i, entry.dump());
        }
      }
      return std::nullopt;
    case Kind::kTakeSeatMode:
      if (!value.is_string() || (value != "FreeToTake" && value != "ApplyToTake")) {
        return fmt::format("must be \"FreeToTake\" or \"ApplyToTake\", not {}", value.dump());
      }
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> applyRoomInfo(const json& members, RoomInfoUse use, std::string_view path,
                                         Room& room, std::vector<std::string>* given,
                                         std::vector<std::string>* ignored) {
  const unsigned bit = 1u << static_cast<unsigned>(use);
  if (!members.is_object()) return fmt::format("{} must be a JSON object, not {}", path, members.type_name());
  std::vector<std::pair<const Field*, const json*>> checked;
  for (const auto& [name, value] : members.items()) {
    // The APIs read these themselves.
    if (name == "RoomId" && use != RoomInfoUse::kSeed) continue;
    if (name == "RoomType" && use == RoomInfoUse::kCreate) continue;
    const Field* field = findField(name);
    if (field == nullptr || (field->uses & bit) == 0) {
      if (ignored != nullptr) {  // read as production does: named in the journal, not refused
        ignored->push_back(fmt::format("{}.{}", path, name));
        continue;
      }
      return fmt::format("{}.{} is not a member this call takes (it takes: {})", path, name, accepted(bit));
    }
    if (auto problem = problemWith(*field, value)) {
      return fmt::format("{}.{}{}{}", path, name, problem->front() == '[' ? "" : " ", *problem);
    }
    checked.emplace_back(field, &value);
  }
  for (const auto& [field, value] : checked) {
    field->set(room, *value);
    if (given != nullptr) given->emplace_back(field->name);
  }
  return std::nullopt;
}

std::optional<std::string> readRoomId(const json& object, std::string_view name, std::string& room_id) {
  const auto member = object.find("RoomId");
  if (member == object.end()) return fmt::format("the request body has no \"{}\" field (it is mandatory)", name);
  if (!member->is_string()) return fmt::format("\"{}\" must be a string, not {}", name, member->type_name());
  const auto& value = member->get_ref<const std::string&>();
  if (value.empty()) return fmt::format("\"{}\" is empty", name);
  if (value.size() > kMaxRoomIdBytes) {
    return fmt::format("\"{}\" is {} bytes long; at most {} are allowed", name, value.size(), kMaxRoomIdBytes);
  }
  room_id = value;
  return std::nullopt;
}

ordered_json roomInfoMember(const Room& room, std::string_view name) {
  if (name == "RoomId") return room.room_id;
  if (name == "RoomType") return room.type;
  if (name == "CreateTime") return room.create_time;
  if (name == "ViewCount") return viewCount(room);
  if (const Field* field = findField(name)) return field->get(room);
  throw std::out_of_range(fmt::format("no room member named {}", name));
}

ordered_json roomInfoObject(const Room& room, const std::vector<std::string_view>& names) {
  ordered_json object = ordered_json::object();
  for (const auto name : names) object[std::string(name)] = roomInfoMember(room, name);
  return object;
}

ordered_json roomInfoToSeedJson(const RoomInfo& info) {
  Room defaults;
  Room room;
  room.info = info;
  ordered_json object = ordered_json::object();
  for (const Field& field : kFields) {
    if ((field.uses & kSeed) == 0) continue;
    auto value = field.get(room);
    if (value != field.get(defaults)) object[std::string(field.name)] = std::move(value);
  }
  return object;
}

}  // namespace live::domain
