// Scenario and clock-setting parsing, with the same field-path errors as the config.
#include "domain/scenario.h"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "domain/api/parse.h"
#include "protocol/json_limits.h"

namespace live::domain {

using json = nlohmann::json;

Result<ClockSetting> parseClockSetting(const json& value, const std::string& path) {
  const std::string expected = R"(expected exactly one of {"now":<unix seconds>}, )"
                               R"({"advance_seconds":<seconds >= 0>} or {"mode":"real"|"manual"})";
  if (!value.is_object() || value.size() != 1) return Failure{fmt::format("{}: {}", path, expected)};
  const auto entry = value.begin();
  const std::string& key = entry.key();
  const json& field = entry.value();
  ClockSetting setting;
  if (key == "now" || key == "advance_seconds") {
    if (!field.is_number() || !std::isfinite(field.get<double>()) || field.get<double>() < 0 ||
        field.get<double>() > 1e11) {
      return Failure{fmt::format("{}.{}: expected a number of seconds in 0..1e11", path, key)};
    }
    setting.kind = key == "now" ? ClockSetting::Kind::kFreezeAt : ClockSetting::Kind::kAdvance;
    setting.seconds = field.get<double>();
    return setting;
  }
  if (key == "mode" && field.is_string() && field.get<std::string>() == "real") {
    setting.kind = ClockSetting::Kind::kRealTime;
    return setting;
  }
  if (key == "mode" && field.is_string() && field.get<std::string>() == "manual") {
    setting.kind = ClockSetting::Kind::kAdvance;  // freezing where it stands
    setting.seconds = 0;
    return setting;
  }
  return Failure{fmt::format("{}: {}", path, expected)};
}

Result<Scenario> parseScenario(const json& value, const std::vector<App>& apps) {
  if (!value.is_object()) return Failure{"(top level): expected an object"};
  Scenario scenario;
  for (const auto& [key, field] : value.items()) {
    if (key == "description") {
      if (!field.is_string()) return Failure{"description: expected a string"};
      scenario.description = field.get<std::string>();
    } else if (key == "rooms") {
      if (!field.is_array()) return Failure{"rooms: expected an array of rooms"};
      for (std::size_t i = 0; i < field.size(); ++i) {
        auto room = parseRoom(field[i], fmt::format("rooms[{}]", i), apps);
        if (!room) return Failure{room.error()};
        scenario.rooms.push_back(std::move(room).value());
      }
    } else if (key == "faults") {
      if (!field.is_array()) return Failure{"faults: expected an array of fault rules"};
      for (std::size_t i = 0; i < field.size(); ++i) {
        auto rule = parseFaultRule(field[i], fmt::format("faults[{}]", i));
        if (!rule) return Failure{rule.error()};
        scenario.faults.push_back(std::move(rule).value());
      }
    } else if (key == "clock") {
      auto setting = parseClockSetting(field, "clock");
      if (!setting) return Failure{setting.error()};
      scenario.clock = setting.value();
    } else if (key == "apps") {
      constexpr const char* kShape =
          R"(: expected {"sdkappid": N, "status": "active"|"disabled"|"expired", )"
          R"("response_style": "2024"|"current", "strict_members": true|false, "auto_dissolve": {...}, "callback": {...}} )"
          R"(with at least one setting)";
      if (!field.is_array()) return Failure{std::string("apps") + kShape};
      for (std::size_t i = 0; i < field.size(); ++i) {
        const std::string path = fmt::format("apps[{}]", i);
        const json& app = field[i];
        const bool has_status = app.is_object() && app.contains("status");
        const bool has_style = app.is_object() && app.contains("response_style");
        const bool has_rules = app.is_object() && app.contains("auto_dissolve");
        const bool has_callback = app.is_object() && app.contains("callback");
        const bool has_strict = app.is_object() && app.contains("strict_members");
        if (!app.is_object() || !app.contains("sdkappid") ||
            (!has_status && !has_style && !has_rules && !has_callback && !has_strict) ||
            app.size() != 1u + has_status + has_style + has_rules + has_callback + has_strict) {
          return Failure{path + kShape};
        }
        const auto id = nonNegativeInteger(app["sdkappid"]);
        const bool known = id && std::any_of(apps.begin(), apps.end(), [&](const App& configured) {
                             return configured.sdkappid == *id;
                           });
        if (!known) return Failure{path + ".sdkappid: expected the id of a configured app"};
        const App& configured = *std::find_if(apps.begin(), apps.end(), [&](const App& candidate) {
          return candidate.sdkappid == *id;
        });
        if (has_rules) {
          // What the scenario leaves out keeps its configured value.
          auto rules = parseAutoDissolveRules(app["auto_dissolve"], path + ".auto_dissolve",
                                              configured.auto_dissolve);
          if (!rules) return Failure{rules.error()};
          scenario.app_auto_dissolve.emplace_back(configured.sdkappid, rules.value());
        }
        if (has_status) {
          const auto status =
              app["status"].is_string() ? appStatusFromString(app["status"].get<std::string>())
                                        : std::nullopt;
          if (!status) return Failure{path + R"(.status: expected "active", "disabled" or "expired")"};
          scenario.app_statuses.emplace_back(static_cast<SdkAppId>(*id), *status);
        }
        if (has_callback) {
          auto callback = parseCallbackConfig(app["callback"], path + ".callback");
          if (!callback) return Failure{callback.error()};
          scenario.app_callbacks.emplace_back(configured.sdkappid, std::move(callback).value());
        }
        if (has_strict) {
          if (!app["strict_members"].is_boolean()) return Failure{path + ".strict_members: expected true or false"};
          scenario.app_strict_members.emplace_back(configured.sdkappid, app["strict_members"].get<bool>());
        }
        if (has_style) {
          auto style = readResponseStyle(app["response_style"], path + ".response_style");
          if (!style) return Failure{style.error()};
          scenario.app_response_styles.emplace_back(static_cast<SdkAppId>(*id), style.value());
        }
      }
    } else if (key == "members") {
      if (!field.is_array()) return Failure{"members: expected an array of {\"sdkappid\", \"room_id\", events}"};
      for (std::size_t i = 0; i < field.size(); ++i) {
        const std::string path = fmt::format("members[{}]", i);
        const json& entry = field[i];
        if (!entry.is_object() || !entry.contains("sdkappid") || !entry.contains("room_id")) {
          return Failure{path + R"(: expected {"sdkappid": N, "room_id": "...", "enter": [...], "leave": [...]})"};
        }
        const auto id = nonNegativeInteger(entry["sdkappid"]);
        const bool known = id && std::any_of(apps.begin(), apps.end(), [&](const App& configured) {
                             return configured.sdkappid == *id;
                           });
        if (!known) return Failure{path + ".sdkappid: expected the id of a configured app"};
        if (!entry["room_id"].is_string() || entry["room_id"].get_ref<const std::string&>().empty()) {
          return Failure{path + ".room_id: expected a non-empty string"};
        }
        auto events = parseMemberEvents(entry, path, {"sdkappid", "room_id"});
        if (!events) return Failure{events.error()};
        scenario.members.push_back(
            {static_cast<SdkAppId>(*id), entry["room_id"].get<std::string>(), std::move(events).value()});
      }
    } else {
      return Failure{fmt::format("(top level): unknown key \"{}\" (allowed: description, rooms, "
                                 "faults, clock, apps, members)",
                                 key)};
    }
  }
  return scenario;
}

Result<Scenario> loadScenarioFile(const std::string& path, const std::vector<App>& apps) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Failure{fmt::format("{}: cannot be read", path)};
  std::ostringstream text;
  text << file.rdbuf();
  const std::string content = text.str();
  const auto value = protocol::parseUntrustedJson(content);
  if (!value) return Failure{fmt::format("{}: {}", path, value.error())};
  auto scenario = parseScenario(value.value(), apps);
  if (!scenario) return Failure{fmt::format("{}: {}", path, scenario.error())};
  return scenario;
}

}  // namespace live::domain
