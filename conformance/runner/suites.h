// The two suites of live-conformance. Each reads its fixtures, runs every case against the target
// and adds one CaseResult per case to the report.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "protocol/result.h"
#include "report.h"
#include "target.h"

namespace live::conformance {

// Who the fixtures' calls are from unless a case says otherwise: an app and an App admin of
// fixtures/conformance/config.json. The client suite hands these to the adapter.
inline constexpr std::uint32_t kFixtureApp = 1400000000;
inline constexpr const char* kFixtureAdmin = "admin";

// A fixture file's cases (fixtures/conformance/{server,client}/*.json), with the file they came
// from for messages. Loading checks the shape; a bad fixture is an error naming file and field.
struct Fixture {
  std::string file;
  nlohmann::json value;
};
Result<std::vector<Fixture>> loadFixtures(const std::string& directory, const std::string& list_key);

// The apps the fixtures assume (fixtures/conformance/config.json), for UserSig keys.
struct FixtureApps {
  nlohmann::json config;
  std::string keyOf(std::uint32_t sdkappid) const;
};

struct RunOptions {
  std::string filter;  // run only cases whose name contains this
  bool fail_fast = false;  // stop after the first failing case (scripts/mutation)
  // How long a server case's "callbacks" step waits for its callbacks (--callback-wait).
  std::chrono::milliseconds callbacks_within{5000};
  // When set and it returns a reason, the case is not run and is reported skipped with it.
  std::function<std::string(const nlohmann::json&)> skip;
};

// Runs `run` on every item under `list_key` of `fixtures` that the filter selects and adds its
// CaseResult (name, title, level, failures, warnings, time) to the report. An item that throws while
// running fails with a message naming its file.
// `run` returns the case's failures and may add warnings (reported, never failed).
using CaseRunner = std::function<std::vector<std::string>(const nlohmann::json&, std::vector<std::string>& warnings)>;
void forEachCase(const std::vector<Fixture>& fixtures, const std::string& suite, const std::string& list_key,
                 const RunOptions& options, Report& report, const CaseRunner& run);

class CallbackReceiver;
// `receiver`: the suite's own callback receiver, or null (--no-callbacks): the cases that check
// callbacks are then reported skipped.
void runServerSuite(Target& target, const FixtureApps& apps, const std::vector<Fixture>& fixtures,
                    const RunOptions& options, CallbackReceiver* receiver, Report& report);

struct ClientAdapter {
  std::string command;  // run by /bin/sh with the room ids appended as arguments
  int timeout_ms = 30'000;
  std::string ca_file;  // given to the adapter as LIVE_CA_FILE when set (an https target)
};
// The user's webhook receiver: its URL, and the token it checks Signs with. It serves app
// kFixtureApp.
struct WebhookReceiver {
  std::string url;
  std::string token;
  // Optional: where the receiver tells what it processed (GET answers {"destroyed":[{"RoomId",…}]}).
  std::string log_url;
};
void runWebhookSuite(Target& emulator, const WebhookReceiver& receiver, const FixtureApps& apps,
                     const std::vector<Fixture>& fixtures, const RunOptions& options, Report& report);

void runClientSuite(Target& emulator, const FixtureApps& apps, const ClientAdapter& adapter,
                    const std::vector<Fixture>& fixtures, const RunOptions& options, Report& report);

}  // namespace live::conformance
