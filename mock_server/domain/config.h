// The emulator's configuration: apps, initial rooms and rate limits, from a JSON file
// (docs/live-emulator.md, "Configuration file") or the embedded default. Parsing is strict: an unknown
// key, a wrong type, a duplicate or a dangling reference is an error naming the field.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/time/clock.h"
#include "domain/callbacks/callbacks.h"
#include "domain/rooms/model.h"
#include "protocol/result.h"

namespace live::domain {

// A room as configured; create_time is filled from the clock at load when absent.
struct RoomConfig {
  Room room;
  bool has_create_time = false;
};

struct EmulatorConfig {
  std::vector<App> apps;
  std::vector<RoomConfig> rooms;
  // Per-API limit in requests per second, by API name ("destroy_room"); 0 turns limiting off.
  std::map<std::string, std::uint32_t, std::less<>> rate_limits;
  // Each app's webhook configuration (apps[].callback), for apps that have one.
  std::map<SdkAppId, CallbackConfig> callbacks;

  const App* findApp(SdkAppId sdkappid) const;
};

// The configuration used without --config (docs/live-emulator.md, "The embedded default"): app 88888888, key
// "emulator-secret-key", root admin "administrator", App admin "admin", room "live-room".
std::string_view embeddedDefaultConfigJson();
EmulatorConfig embeddedDefaultConfig();

// Parses and validates configuration text. Failure messages have the form
// "<field path>: <what was expected>", e.g. "apps[0].secret_key: expected a non-empty string".
Result<EmulatorConfig> parseConfig(std::string_view text);
// Reads and parses a file; failure messages start with the file name.
Result<EmulatorConfig> loadConfigFile(const std::string& path);

// An app added at run time (POST /__emulator/apps, docs/control-api.md, "Apps at run time"): an
// app object as in the config's "apps", whose sdkappid and secret_key may be left out, plus its own
// "rooms" (room objects whose sdkappid may be left out).
struct RuntimeAppSpec {
  App app;
  std::optional<CallbackConfig> callback;
  std::vector<RoomConfig> rooms;
};
// `assigned` and `generated_key` stand in for an absent sdkappid and secret_key.
Result<RuntimeAppSpec> parseRuntimeApp(const nlohmann::json& value, SdkAppId assigned,
                                       const std::string& generated_key);

// One room object as in the config's "rooms" (also what the control API accepts), validated
// against `apps`. `path` prefixes error messages.
Result<RoomConfig> parseRoom(const nlohmann::json& value, const std::string& path,
                             const std::vector<App>& apps);
// The room, with create_time taken from `now` when the configuration did not give one.
Room roomAt(const RoomConfig& configured, Instant now);
// A room as the config and the control API write it, every field present.
nlohmann::json roomToJson(const Room& room);

// "2024" or "current" (an app's response_style, in the config and in scenarios).
Result<protocol::ResponseStyle> readResponseStyle(const nlohmann::json& value, const std::string& path);
// A room's counters by their vendor names; members absent from `value` keep their `statistic`
// value. Unknown names and negative or non-integer counts are refused, naming the field.
Result<RoomStatistic> parseStatistic(const nlohmann::json& value, const std::string& path,
                                     RoomStatistic statistic);
nlohmann::json statisticToJson(const RoomStatistic& statistic);
// An app's auto_dissolve object: {"empty_room": {"minutes": 30}, "owner_left": {"enabled": true,
// "minutes": 10}, "owner_heartbeat_lost": {...}}; what it leaves out keeps its value in `rules`.
// Minutes outside the documented (or chosen) ranges are refused, naming the field.
Result<AutoDissolveRules> parseAutoDissolveRules(const nlohmann::json& value, const std::string& path,
                                                 AutoDissolveRules rules);
nlohmann::json autoDissolveRulesToJson(const AutoDissolveRules& rules);
// {"enter": ["alice", {"id": "bot-1", "robot": true}], "leave": ["alice"], "owner_heartbeat":
// "lost"|"restored"}, every key optional; keys in `also_allowed` are skipped (a scenario's sdkappid
// and room_id).
Result<MemberEvents> parseMemberEvents(const nlohmann::json& value, const std::string& path,
                                       const std::vector<std::string>& also_allowed = {});
// "Response":{"Statistic":{...}}, the members the current response style adds to a successful
// destroy_room answer.
std::string statisticResponseMembers(const RoomStatistic& statistic);
// Every counter by its vendor name, the five of Statistic then TotalMsgCount (get_room_stats).
nlohmann::ordered_json countersToJson(const RoomStatistic& statistic);

}  // namespace live::domain
