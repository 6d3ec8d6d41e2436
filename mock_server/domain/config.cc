// Strict, path-reporting validation of the configuration JSON. Each reader names the field it
// reads, so a user sees "rooms[2].owner: expected a non-empty string, found null".
#include "domain/config.h"

#include "domain/rooms/room_info.h"
#include "domain/rooms/room_parts.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <set>
#include <sstream>

#include "domain/api/api_catalog.h"
#include "domain/api/parse.h"
#include "domain/time/rate_limiter.h"
#include "protocol/json_limits.h"

namespace live::domain {
namespace {

using json = nlohmann::json;

constexpr std::string_view kEmbeddedDefault = R"({
  "apps": [
    {"sdkappid": 88888888, "secret_key": "emulator-secret-key", "root_admin": "administrator",
     "admins": ["admin"], "status": "active"}
  ],
  "rooms": [
    {"sdkappid": 88888888, "room_id": "live-room", "owner": "admin", "type": "Live"}
  ],
  "rate_limits": {"destroy_room": 200}
})";

std::string found(const json& value) {
  if (value.is_string()) return fmt::format("found the string \"{}\"", value.get<std::string>());
  if (value.is_number_float()) return "found a fractional number";
  return fmt::format("found {}", value.type_name());
}

Failure expected(const std::string& path, std::string_view what, const json& value) {
  return Failure{fmt::format("{}: expected {}, {}", path, what, found(value))};
}

std::optional<Failure> checkKeys(const json& object, const std::string& path,
                                 std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : object.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string names;
      for (const auto name : allowed) names += fmt::format("{}\"{}\"", names.empty() ? "" : ", ", name);
      return Failure{fmt::format("{}: unknown key \"{}\" (allowed: {})", path, key, names)};
    }
  }
  return std::nullopt;
}

Result<std::uint32_t> readUint32(const json& value, const std::string& path) {
  const auto number = nonNegativeInteger(value);
  if (!number || *number > std::numeric_limits<std::uint32_t>::max()) {
    return expected(path, "an integer in 0..4294967295", value);
  }
  return static_cast<std::uint32_t>(*number);
}

Result<std::string> readNonEmptyString(const json& value, const std::string& path) {
  if (!value.is_string() || value.get_ref<const std::string&>().empty()) {
    return expected(path, "a non-empty string", value);
  }
  return value.get<std::string>();
}

// A secret key: the key itself, or {"env": "NAME"} to read it from the environment (so CI can keep
// keys out of files). Messages never quote the value: it may be a key.
Result<std::string> readSecretKey(const json& value, const std::string& path) {
  if (value.is_string()) {
    if (value.get_ref<const std::string&>().empty()) return Failure{path + ": is empty"};
    return value.get<std::string>();
  }
  const auto name = value.is_object() && value.size() == 1 && value.contains("env")
                        ? value.find("env")
                        : value.end();
  if (name == value.end() || !name->is_string() || name->get_ref<const std::string&>().empty()) {
    return Failure{fmt::format(
        "{}: expected the key as a non-empty string, or {{\"env\": \"NAME\"}} to read it from "
        "the environment variable NAME; found {}",
        path, value.type_name())};
  }
  const std::string& variable = name->get_ref<const std::string&>();
  const char* from_environment = std::getenv(variable.c_str());
  if (from_environment == nullptr) {
    return Failure{fmt::format("{}: environment variable {} is not set", path, variable)};
  }
  if (*from_environment == '\0') {
    return Failure{fmt::format("{}: environment variable {} is empty", path, variable)};
  }
  return std::string(from_environment);
}

// nlohmann's parse errors end with "; last read: '...'", the text around the error. That text
// may be part of a secret key, so it is cut off; the line and column stay.
std::string withoutQuotedInput(std::string message) {
  if (const auto cut = message.find("; last read:"); cut != std::string::npos) message.resize(cut);
  return message;
}

// The vendor's names for the counters, in the order its pages list them: the five of destroy_room's
// Statistic, then TotalMsgCount, which only get_room_stats reports.
constexpr std::array<std::pair<const char*, std::uint64_t RoomStatistic::*>, 6> kCounters{{
    {"TotalViewers", &RoomStatistic::total_viewers},
    {"TotalGiftsSent", &RoomStatistic::total_gifts_sent},
    {"TotalGiftCoins", &RoomStatistic::total_gift_coins},
    {"TotalUniqueGiftSenders", &RoomStatistic::total_unique_gift_senders},
    {"TotalLikesReceived", &RoomStatistic::total_likes_received},
    {"TotalMsgCount", &RoomStatistic::total_msg_count},
}};
constexpr std::size_t kStatisticCounters = 5;  // the first five: destroy_room's Statistic

Result<App> parseApp(const json& value, const std::string& path) {
  if (!value.is_object()) return expected(path, "an object", value);
  if (auto failure = checkKeys(value, path,
                               {"sdkappid", "secret_key", "root_admin", "admins", "status",
                                "response_style", "auto_dissolve", "callback", "strict_members",
                                "require_imported_accounts", "accounts"})) {
    return *failure;
  }
  App app;
  if (!value.contains("sdkappid")) return Failure{path + ".sdkappid: required"};
  auto sdkappid = readUint32(value["sdkappid"], path + ".sdkappid");
  if (!sdkappid) return Failure{sdkappid.error()};
  app.sdkappid = sdkappid.value();

  if (!value.contains("secret_key")) return Failure{path + ".secret_key: required"};
  auto key = readSecretKey(value["secret_key"], path + ".secret_key");
  if (!key) return Failure{key.error()};
  app.secret_key = std::move(key).value();

  if (value.contains("root_admin")) {
    auto root = readNonEmptyString(value["root_admin"], path + ".root_admin");
    if (!root) return Failure{root.error()};
    app.root_admin = std::move(root).value();
  }
  if (value.contains("admins")) {
    const json& admins = value["admins"];
    if (!admins.is_array()) return expected(path + ".admins", "an array of strings", admins);
    std::set<std::string> seen;
    for (std::size_t i = 0; i < admins.size(); ++i) {
      const std::string item_path = fmt::format("{}.admins[{}]", path, i);
      auto admin = readNonEmptyString(admins[i], item_path);
      if (!admin) return Failure{admin.error()};
      if (!seen.insert(admin.value()).second) {
        return Failure{fmt::format("{}: \"{}\" is listed twice", item_path, admin.value())};
      }
      if (admin.value() != app.root_admin) app.admins.push_back(std::move(admin).value());
    }
  }
  if (value.contains("status")) {
    const json& status = value["status"];
    const auto parsed =
        status.is_string() ? appStatusFromString(status.get<std::string>()) : std::nullopt;
    if (!parsed) return expected(path + ".status", R"("active", "disabled" or "expired")", status);
    app.status = *parsed;
  }
  if (value.contains("response_style")) {
    auto style = readResponseStyle(value["response_style"], path + ".response_style");
    if (!style) return Failure{style.error()};
    app.response_style = style.value();
  }
  if (value.contains("strict_members")) {
    const json& strict = value["strict_members"];
    if (!strict.is_boolean()) return expected(path + ".strict_members", "true or false", strict);
    app.strict_members = strict.get<bool>();
  }
  if (value.contains("require_imported_accounts")) {
    const json& required = value["require_imported_accounts"];
    if (!required.is_boolean()) return expected(path + ".require_imported_accounts", "true or false", required);
    app.require_imported_accounts = required.get<bool>();
  }
  if (value.contains("accounts")) {
    // The IM accounts the app starts with, as account_import would have made them.
    const json& accounts = value["accounts"];
    if (!accounts.is_array()) return expected(path + ".accounts", "an array of UserIDs", accounts);
    for (std::size_t i = 0; i < accounts.size(); ++i) {
      const json& account = accounts[i];
      if (!account.is_string() || account.get_ref<const std::string&>().empty() ||
          account.get_ref<const std::string&>().size() > kMaxImUserIdBytes) {
        return expected(fmt::format("{}.accounts[{}]", path, i), fmt::format("a UserID of 1 to {} bytes", kMaxImUserIdBytes),
                        account);
      }
      app.imported_accounts.push_back(account.get<std::string>());
    }
  }
  if (value.contains("auto_dissolve")) {
    auto rules = parseAutoDissolveRules(value["auto_dissolve"], path + ".auto_dissolve", app.auto_dissolve);
    if (!rules) return Failure{rules.error()};
    app.auto_dissolve = rules.value();
  }
  return app;
}

}  // namespace

Result<RuntimeAppSpec> parseRuntimeApp(const json& value, SdkAppId assigned, const std::string& generated_key) {
  const std::string path = "app";
  if (!value.is_object()) return expected(path, "an object", value);
  json app_value = value;
  app_value.erase("rooms");
  if (!app_value.contains("sdkappid")) app_value["sdkappid"] = assigned;
  if (!app_value.contains("secret_key")) app_value["secret_key"] = generated_key;
  auto app = parseApp(app_value, path);
  if (!app) return Failure{app.error()};
  RuntimeAppSpec spec;
  spec.app = std::move(app).value();
  if (app_value.contains("callback")) {
    auto callback = parseCallbackConfig(app_value["callback"], path + ".callback");
    if (!callback) return Failure{callback.error()};
    spec.callback = std::move(callback).value();
  }
  if (value.contains("rooms")) {
    const json& rooms = value["rooms"];
    if (!rooms.is_array()) return expected(path + ".rooms", "an array of rooms", rooms);
    const std::vector<App> apps{spec.app};
    std::set<std::string> seen;
    for (std::size_t i = 0; i < rooms.size(); ++i) {
      const std::string room_path = fmt::format("{}.rooms[{}]", path, i);
      json room_value = rooms[i];
      if (room_value.is_object() && !room_value.contains("sdkappid")) room_value["sdkappid"] = spec.app.sdkappid;
      auto room = parseRoom(room_value, room_path, apps);
      if (!room) return Failure{room.error()};
      if (!seen.insert(room.value().room.room_id).second) {
        return Failure{fmt::format("{}.room_id: room \"{}\" is given twice", room_path, room.value().room.room_id)};
      }
      spec.rooms.push_back(std::move(room).value());
    }
  }
  return spec;
}

const App* EmulatorConfig::findApp(SdkAppId sdkappid) const {
  for (const auto& app : apps) {
    if (app.sdkappid == sdkappid) return &app;
  }
  return nullptr;
}

std::string_view embeddedDefaultConfigJson() { return kEmbeddedDefault; }

EmulatorConfig embeddedDefaultConfig() {
  auto config = parseConfig(kEmbeddedDefault);
  return std::move(config).value();  // the embedded text is covered by a test
}

Result<RoomConfig> parseRoom(const json& value, const std::string& path,
                             const std::vector<App>& apps) {
  if (!value.is_object()) return expected(path, "an object", value);
  if (auto failure = checkKeys(value, path,
                               {"sdkappid", "room_id", "owner", "type", "name", "create_time",
                                "statistic", "info", "parts"})) {
    return *failure;
  }
  RoomConfig config;
  Room& room = config.room;
  if (!value.contains("sdkappid")) return Failure{path + ".sdkappid: required"};
  auto sdkappid = readUint32(value["sdkappid"], path + ".sdkappid");
  if (!sdkappid) return Failure{sdkappid.error()};
  room.sdkappid = sdkappid.value();
  const bool known_app = std::any_of(apps.begin(), apps.end(),
                                     [&](const App& app) { return app.sdkappid == room.sdkappid; });
  if (!known_app) {
    return Failure{fmt::format("{}.sdkappid: no app {} is configured", path, room.sdkappid)};
  }

  if (!value.contains("room_id")) return Failure{path + ".room_id: required"};
  const json& room_id = value["room_id"];
  if (!room_id.is_string() || room_id.get_ref<const std::string&>().empty() ||
      room_id.get_ref<const std::string&>().size() > kMaxRoomIdBytes) {
    return expected(path + ".room_id", "a string of 1 to 48 bytes", room_id);
  }
  room.room_id = room_id.get<std::string>();

  if (!value.contains("owner")) return Failure{path + ".owner: required"};
  auto owner = readNonEmptyString(value["owner"], path + ".owner");
  if (!owner) return Failure{owner.error()};
  room.owner = std::move(owner).value();

  if (value.contains("type")) {
    auto type = readNonEmptyString(value["type"], path + ".type");
    if (!type) return Failure{type.error()};
    room.type = std::move(type).value();
  }
  room.name = room.room_id;
  if (value.contains("name")) {
    const json& name = value["name"];
    if (!name.is_string()) return expected(path + ".name", "a string", name);
    if (!name.get_ref<const std::string&>().empty()) room.name = name.get<std::string>();
  }
  if (value.contains("create_time")) {
    const json& create_time = value["create_time"];
    const auto seconds = nonNegativeInteger(create_time);
    if (!seconds || *seconds > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return expected(path + ".create_time", "a non-negative integer (Unix seconds)", create_time);
    }
    room.create_time = static_cast<std::int64_t>(*seconds);
    config.has_create_time = true;
  }
  if (value.contains("statistic")) {
    auto statistic = parseStatistic(value["statistic"], path + ".statistic", {});
    if (!statistic) return Failure{statistic.error()};
    room.statistic = statistic.value();
  }
  if (value.contains("info")) {
    if (auto problem = applyRoomInfo(value["info"], RoomInfoUse::kSeed, path + ".info", room)) {
      return Failure{*problem};
    }
  }
  if (value.contains("parts")) {
    auto parts = parseRoomParts(value["parts"], path + ".parts");
    if (!parts) return Failure{parts.error()};
    room.parts = std::move(parts).value();
  }
  return config;
}

Result<protocol::ResponseStyle> readResponseStyle(const json& value, const std::string& path) {
  const auto style = value.is_string() ? protocol::responseStyleFromString(value.get<std::string>())
                                       : std::nullopt;
  if (!style) return expected(path, R"("2024" or "current")", value);
  return *style;
}

namespace {

// One rule of auto_dissolve: {"minutes": N} within [low, high], and "enabled" where it can be off.
Result<bool> readRule(const json& value, const std::string& path, std::chrono::minutes low,
                      std::chrono::minutes high, bool can_be_off, bool& enabled,
                      std::chrono::minutes& minutes) {
  if (!value.is_object()) return expected(path, "an object", value);
  for (const auto& [key, member] : value.items()) {
    if (key == "minutes") {
      const auto number = nonNegativeInteger(member);
      if (!number || *number < static_cast<std::uint64_t>(low.count()) ||
          *number > static_cast<std::uint64_t>(high.count())) {
        return expected(path + ".minutes",
                        fmt::format("an integer number of minutes in {}..{}", low.count(), high.count()),
                        member);
      }
      minutes = std::chrono::minutes(static_cast<std::int64_t>(*number));
    } else if (key == "enabled" && can_be_off) {
      if (!member.is_boolean()) return expected(path + ".enabled", "true or false", member);
      enabled = member.get<bool>();
    } else {
      return Failure{fmt::format("{}.{}: unknown key (allowed: {})", path, key,
                                 can_be_off ? "enabled, minutes" : "minutes; this rule cannot be turned off")};
    }
  }
  return true;
}

}  // namespace

Result<AutoDissolveRules> parseAutoDissolveRules(const json& value, const std::string& path,
                                                 AutoDissolveRules rules) {
  using std::chrono::hours;
  using std::chrono::minutes;
  if (!value.is_object()) return expected(path, "an object (empty_room, owner_left, owner_heartbeat_lost)", value);
  for (const auto& [key, rule] : value.items()) {
    Result<bool> read = true;
    bool always_on = true;
    if (key == "empty_room") {
      read = readRule(rule, path + ".empty_room", minutes(10), hours(24), false, always_on, rules.empty_room);
    } else if (key == "owner_left") {
      read = readRule(rule, path + ".owner_left", minutes(2), hours(12), true, rules.owner_left_enabled,
                      rules.owner_left);
    } else if (key == "owner_heartbeat_lost") {
      read = readRule(rule, path + ".owner_heartbeat_lost", minutes(2), hours(12), true,
                      rules.owner_heartbeat_lost_enabled, rules.owner_heartbeat_lost);
    } else {
      return Failure{fmt::format("{}.{}: unknown rule (allowed: empty_room, owner_left, "
                                 "owner_heartbeat_lost)",
                                 path, key)};
    }
    if (!read) return Failure{read.error()};
  }
  return rules;
}

Result<MemberEvents> parseMemberEvents(const json& value, const std::string& path,
                                       const std::vector<std::string>& also_allowed) {
  if (!value.is_object()) return expected(path, "an object (enter, leave, owner_heartbeat)", value);
  MemberEvents events;
  for (const auto& [key, member] : value.items()) {
    if (std::find(also_allowed.begin(), also_allowed.end(), key) != also_allowed.end()) continue;
    const std::string field = path + "." + key;
    if (key == "enter" || key == "leave") {
      if (!member.is_array()) return expected(field, "an array of member ids", member);
      for (std::size_t i = 0; i < member.size(); ++i) {
        const std::string item = fmt::format("{}[{}]", field, i);
        const json& entry = member[i];
        bool robot = false;
        const json* id = &entry;
        if (key == "enter" && entry.is_object()) {
          // {"id": "bot-1", "robot": true}
          for (const auto& [name, part] : entry.items()) {
            if (name == "robot") {
              if (!part.is_boolean()) return expected(item + ".robot", "true or false", part);
              robot = part.get<bool>();
            } else if (name != "id") {
              return Failure{fmt::format("{}.{}: unknown key (allowed: id, robot)", item, name)};
            }
          }
          if (!entry.contains("id")) return Failure{item + ".id: required"};
          id = &entry["id"];
        }
        auto text = readNonEmptyString(*id, item);
        if (!text) {
          return key == "enter" ? expected(item, R"(a member id, or {"id": "...", "robot": true})", entry)
                                : Failure{text.error()};
        }
        if (key == "enter") {
          events.enter.emplace_back(std::move(text).value(), robot);
        } else {
          events.leave.push_back(std::move(text).value());
        }
      }
    } else if (key == "owner_heartbeat") {
      if (member != "lost" && member != "restored") {
        return expected(field, R"("lost" or "restored")", member);
      }
      events.owner_heartbeat_lost = member == "lost";
    } else {
      return Failure{fmt::format("{}: unknown key (allowed: enter, leave, owner_heartbeat)", field)};
    }
  }
  return events;
}

json autoDissolveRulesToJson(const AutoDissolveRules& rules) {
  return json{{"empty_room", {{"minutes", rules.empty_room.count()}}},
              {"owner_left", {{"enabled", rules.owner_left_enabled}, {"minutes", rules.owner_left.count()}}},
              {"owner_heartbeat_lost",
               {{"enabled", rules.owner_heartbeat_lost_enabled},
                {"minutes", rules.owner_heartbeat_lost.count()}}}};
}

Result<RoomStatistic> parseStatistic(const json& value, const std::string& path,
                                     RoomStatistic statistic) {
  if (!value.is_object()) return expected(path, "an object of counters (TotalViewers, ...)", value);
  for (const auto& item : value.items()) {
    const std::string& name = item.key();
    const json& member = item.value();
    const auto known = std::find_if(kCounters.begin(), kCounters.end(),
                                    [&name](const auto& entry) { return name == entry.first; });
    if (known == kCounters.end()) {
      return Failure{fmt::format("{}.{}: unknown counter (expected TotalViewers, TotalGiftsSent, "
                                 "TotalGiftCoins, TotalUniqueGiftSenders, TotalLikesReceived, "
                                 "TotalMsgCount)",
                                 path, name)};
    }
    const auto count = nonNegativeInteger(member);
    if (!count) return expected(path + "." + name, "a non-negative integer", member);
    statistic.*(known->second) = *count;
  }
  return statistic;
}

json statisticToJson(const RoomStatistic& statistic) {
  json object = json::object();
  for (const auto& [name, member] : kCounters) object[name] = statistic.*member;
  return object;
}

nlohmann::ordered_json countersToJson(const RoomStatistic& statistic) {
  nlohmann::ordered_json object = nlohmann::ordered_json::object();
  for (const auto& [name, member] : kCounters) object[name] = statistic.*member;
  return object;
}

std::string statisticResponseMembers(const RoomStatistic& statistic) {
  std::string members = R"("Response":{"Statistic":{)";
  for (std::size_t i = 0; i < kStatisticCounters; ++i) {
    members += fmt::format(R"({}"{}":{})", i == 0 ? "" : ",", kCounters[i].first,
                           statistic.*(kCounters[i].second));
  }
  members += "}}";
  return members;
}

Room roomAt(const RoomConfig& configured, Instant now) {
  Room room = configured.room;
  if (!configured.has_create_time) room.create_time = unixSeconds(now);
  return room;
}

json roomToJson(const Room& room) {
  return json{{"sdkappid", room.sdkappid},       {"room_id", room.room_id},
              {"owner", room.owner},             {"type", room.type},
              {"name", room.name},               {"create_time", room.create_time},
              {"statistic", statisticToJson(room.statistic)},
              {"info", roomInfoToSeedJson(room.info)},
              {"parts", roomPartsToJson(room.parts)}};
}

Result<EmulatorConfig> parseConfig(std::string_view text) {
  if (protocol::jsonNestingDepth(text) > protocol::kMaxJsonDepth) {
    return Failure{fmt::format("the JSON is nested deeper than {}", protocol::kMaxJsonDepth)};
  }
  json root;
  try {
    root = json::parse(text);
  } catch (const json::parse_error& error) {
    return Failure{fmt::format("not valid JSON at byte {}: {}", error.byte,
                               withoutQuotedInput(error.what()))};
  } catch (const json::exception&) {  // number overflow ("1e400") is not a parse_error
    return Failure{"not valid JSON: a number is out of range"};
  }
  if (!root.is_object()) return expected("(top level)", "an object", root);
  if (auto failure = checkKeys(root, "(top level)", {"apps", "rooms", "rate_limits"})) {
    return *failure;
  }

  EmulatorConfig config;
  if (!root.contains("apps")) return Failure{"apps: required (at least one app)"};
  const json& apps = root["apps"];
  if (!apps.is_array() || apps.empty()) return expected("apps", "a non-empty array of apps", apps);
  for (std::size_t i = 0; i < apps.size(); ++i) {
    const std::string path = fmt::format("apps[{}]", i);
    auto app = parseApp(apps[i], path);
    if (!app) return Failure{app.error()};
    if (config.findApp(app.value().sdkappid) != nullptr) {
      return Failure{fmt::format("{}.sdkappid: app {} is configured twice", path,
                                 app.value().sdkappid)};
    }
    if (apps[i].contains("callback")) {
      auto callback = parseCallbackConfig(apps[i]["callback"], path + ".callback");
      if (!callback) return Failure{callback.error()};
      config.callbacks[app.value().sdkappid] = std::move(callback).value();
    }
    config.apps.push_back(std::move(app).value());
  }

  if (root.contains("rooms")) {
    const json& rooms = root["rooms"];
    if (!rooms.is_array()) return expected("rooms", "an array of rooms", rooms);
    std::set<std::pair<SdkAppId, std::string>> seen;
    for (std::size_t i = 0; i < rooms.size(); ++i) {
      const std::string path = fmt::format("rooms[{}]", i);
      auto room = parseRoom(rooms[i], path, config.apps);
      if (!room) return Failure{room.error()};
      const Room& parsed = room.value().room;
      if (!seen.emplace(parsed.sdkappid, parsed.room_id).second) {
        return Failure{fmt::format("{}.room_id: room \"{}\" of app {} is configured twice", path,
                                   parsed.room_id, parsed.sdkappid)};
      }
      config.rooms.push_back(std::move(room).value());
    }
  }

  if (root.contains("rate_limits")) {
    const json& limits = root["rate_limits"];
    if (!limits.is_object()) return expected("rate_limits", "an object", limits);
    for (const auto& [name, value] : limits.items()) {
      const std::string path = "rate_limits." + name;
      if (findApiByName(name) == nullptr) {
        return Failure{fmt::format("{}: no emulated API is called \"{}\" (known: {})", path, name,
                                   knownApiNames())};
      }
      auto limit = readUint32(value, path);
      if (!limit || limit.value() > RateLimiter::kMaxLimit) {
        return expected(path, fmt::format("an integer in 0..{}", RateLimiter::kMaxLimit), value);
      }
      config.rate_limits[name] = limit.value();
    }
  }
  return config;
}

Result<EmulatorConfig> loadConfigFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Failure{fmt::format("{}: cannot be read", path)};
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) return Failure{fmt::format("{}: cannot be read", path)};
  auto config = parseConfig(text.str());
  if (!config) return Failure{fmt::format("{}: {}", path, config.error())};
  return config;
}

}  // namespace live::domain
