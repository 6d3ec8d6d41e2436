// Scenarios: rooms + faults + clock (+ app statuses) in one JSON document, loadable at start
// (--scenario) or through POST /__emulator/scenarios. Recipes ship in fixtures/scenarios/.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/callbacks/callbacks.h"
#include "domain/config.h"
#include "domain/time/faults.h"
#include "protocol/result.h"

namespace live::domain {

// A change to the clock, as POST /__emulator/clock and scenarios express it.
struct ClockSetting {
  enum class Kind { kFreezeAt, kAdvance, kRealTime } kind = Kind::kRealTime;
  double seconds = 0;  // the instant for kFreezeAt, the step for kAdvance
};
// Accepts exactly one of {"now":E} (E >= 0), {"advance_seconds":S} (S >= 0), {"mode":"real"} or
// {"mode":"manual"} (freeze at the current instant).
Result<ClockSetting> parseClockSetting(const nlohmann::json& value, const std::string& path);

struct Scenario {
  std::string description;
  std::vector<RoomConfig> rooms;  // added, replacing rooms with the same id
  std::vector<FaultRule> faults;  // appended to the fault rules
  std::optional<ClockSetting> clock;
  std::vector<std::pair<SdkAppId, AppStatus>> app_statuses;
  std::vector<std::pair<SdkAppId, protocol::ResponseStyle>> app_response_styles;
  std::vector<std::pair<SdkAppId, bool>> app_strict_members;
  std::vector<std::pair<SdkAppId, AutoDissolveRules>> app_auto_dissolve;
  std::vector<std::pair<SdkAppId, CallbackConfig>> app_callbacks;
  // Member events, played in order after the rooms are added, at the scenario's clock.
  struct RoomMembers {
    SdkAppId sdkappid = 0;
    std::string room_id;
    MemberEvents events;
  };
  std::vector<RoomMembers> members;
};

Result<Scenario> parseScenario(const nlohmann::json& value, const std::vector<App>& apps);
// Reads and parses a file; failures start with the file name.
Result<Scenario> loadScenarioFile(const std::string& path, const std::vector<App>& apps);

}  // namespace live::domain
