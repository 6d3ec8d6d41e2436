// The webhook suite: checks a user's receiver of Live.CallbackAfterDestroyRoom
// (docs/webhooks.md, "Checking your receiver"). Each case resets the emulator, points an app's
// callback at the receiver, dissolves a room with a callback fault rule in place, waits for the
// delivery, and judges the receiver's answer from the emulator's record of it.
#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "protocol/callback.h"
#include "protocol/json_limits.h"
#include "requests.h"
#include "suites.h"

namespace live::conformance {
namespace {

using json = nlohmann::json;

// How long one case waits for its deliveries (chosen: the emulator's delivery timeout is 3 s, and
// a delayed case adds 2 s).
constexpr std::chrono::seconds kSettleWithin{12};

// The receiver's answer, as the emulator recorded it: accepted, or refused (with why), or none.
struct Verdict {
  bool answered = false;
  bool accepted = false;
  std::string shown;  // "HTTP 200 {...}", or the error
};

Verdict judge(const json& delivery) {
  Verdict verdict;
  if (delivery.value("state", "") != "delivered") {
    verdict.shown = fmt::format("no answer ({}: {})", delivery.value("state", "?"), delivery.value("error", ""));
    return verdict;
  }
  verdict.answered = true;
  const json& response = delivery["response"];
  const int status = response.value("http_status", 0);
  const json& body = response["body"];
  verdict.shown = fmt::format("HTTP {} {}", status, body.dump().substr(0, 200));
  verdict.accepted = status == 200 && body.is_object() && body.contains("ErrorCode") && body["ErrorCode"] == 0 &&
                     body.value("ActionStatus", "") == "OK";
  return verdict;
}

// The dissolutions the receiver says it processed for `room` (its log, docs/webhooks.md, "The
// receiver's log"), or nullopt with `problem`.
std::optional<std::size_t> processedFor(const std::string& log_url, const std::string& room, std::string& problem) {
  const auto scheme = log_url.find("://");
  const auto path_at = log_url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  Target log(log_url.substr(0, path_at));
  const auto answer = log.send("GET", path_at == std::string::npos ? "/" : log_url.substr(path_at), "", "");
  if (!answer.received || answer.status != 200) {
    problem = fmt::format("the receiver's log {}: {}", log_url,
                          answer.received ? fmt::format("HTTP {}", answer.status) : answer.error);
    return std::nullopt;
  }
  auto parsed = protocol::parseUntrustedJson(answer.body);
  if (!parsed || !parsed.value().is_object() || !parsed.value().contains("destroyed") ||
      !parsed.value()["destroyed"].is_array()) {
    problem = fmt::format("the receiver's log {}: expected {{\"destroyed\":[{{\"RoomId\":…}}, …]}}, seen {}", log_url,
                          answer.body.substr(0, 200));
    return std::nullopt;
  }
  std::size_t count = 0;
  for (const auto& entry : parsed.value()["destroyed"]) count += entry.is_object() && entry.value("RoomId", "") == room;
  return count;
}

std::vector<std::string> runCase(Target& emulator, const WebhookReceiver& receiver, const FixtureApps& apps,
                                 const json& test) {
  std::string problem;
  if (!emulator.control("POST", "/__emulator/reset", std::nullopt, 200, problem)) return {"setup: " + problem};
  const std::uint32_t app = test.value("sdkappid", kFixtureApp);
  const std::string room = "webhook-" + test["name"].get<std::string>();
  const std::string dissolve = test.value("dissolve", "control");  // control, system, or create (no dissolution)
  json commands = json::array({protocol::kCallbackAfterDestroyRoom});
  if (dissolve == "create") commands.push_back(protocol::kCallbackAfterCreateRoom);
  const json callback{{"url", receiver.url}, {"commands", commands}, {"token", receiver.token}};
  std::optional<std::size_t> processed_before;
  if (test.contains("processed")) {
    processed_before = processedFor(receiver.log_url, room, problem);
    if (!processed_before) return {problem};
  }
  json scenario = json::object();
  scenario["apps"] = json::array({json{{"sdkappid", app}, {"callback", callback}}});
  if (dissolve != "create") {
    scenario["rooms"] = json::array({json{{"sdkappid", app}, {"room_id", room}, {"owner", kFixtureAdmin}}});
  }
  if (test.contains("fault")) {
    scenario["faults"] = json::array({json{{"api", protocol::kCallbackAfterDestroyRoom}, {"action", test["fault"]}}});
  }
  if (dissolve == "system") {
    // The room dissolves by itself 30 minutes after it emptied, on a clock set 30 minutes back:
    // RequestTime is then now, as a receiver that checks it within a minute expects.
    const auto seconds = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    scenario["clock"] = json{{"now", seconds - 1800}};
    scenario["members"] = json::array({json{{"sdkappid", app}, {"room_id", room}, {"enter", json::array({"viewer-1"})},
                                            {"leave", json::array({"viewer-1"})}}});
  }
  if (!emulator.control("POST", "/__emulator/scenarios", scenario, 200, problem)) return {"setup: " + problem};
  if (dissolve == "system") {
    if (!emulator.control("POST", "/__emulator/clock", json{{"advance_seconds", 1800}}, 200, problem)) {
      return {"moving the clock 30 minutes on: " + problem};
    }
  } else if (dissolve == "create") {
    // A Live.CallbackAfterCreateRoom for the room: a callback of another command.
    const auto clock = emulator.control("GET", "/__emulator/clock", std::nullopt, 200, problem);
    if (!clock) return {"setup: " + problem};
    const json request{{"path", "/v4/live_engine_http_srv/create_room"},
                       {"body_json", {{"RoomInfo", {{"RoomId", room}, {"RoomType", "Live"}}}}}};
    const auto built = build(request, fixtureCaller(apps), static_cast<std::int64_t>((*clock)["now"].get<double>()));
    const auto answer = emulator.send(built.method, built.target, built.body, built.content_type);
    if (!answer.received || answer.body.find("\"ErrorCode\":0") == std::string::npos) {
      return {"creating the room: " + (answer.received ? answer.body.substr(0, 200) : answer.error)};
    }
  } else if (!emulator.control("DELETE", fmt::format("/__emulator/rooms/{}/{}", app, room), std::nullopt, 200,
                               problem)) {
    return {"dissolving the room: " + problem};
  }
  // Wait for every delivery to settle.
  const std::size_t expected = test.value("deliveries", 1);
  json deliveries = json::array();
  const auto deadline = std::chrono::steady_clock::now() + kSettleWithin;
  for (;;) {
    const auto listed = emulator.control("GET", "/__emulator/callbacks", std::nullopt, 200, problem);
    if (!listed) return {"reading /__emulator/callbacks: " + problem};
    deliveries = listed->value("callbacks", json::array());
    bool pending = deliveries.size() < expected;
    for (const auto& delivery : deliveries) pending = pending || delivery.value("state", "") == "pending";
    if (!pending) break;
    if (std::chrono::steady_clock::now() > deadline) {
      return {fmt::format("the receiver did not answer {} callback(s) within {} s", expected, kSettleWithin.count())};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling another process's state
  }
  std::vector<std::string> failures;
  const std::string expect = test.value("expect", "accepted");
  const std::string what = test.value("sent", "a valid callback");
  for (std::size_t i = 0; i < deliveries.size(); ++i) {
    const Verdict verdict = judge(deliveries[i]);
    const std::string which = deliveries.size() > 1 ? fmt::format(" (delivery {} of {})", i + 1, deliveries.size()) : "";
    if (!verdict.answered) {
      failures.push_back(fmt::format("{}{}: {}; a receiver must answer every callback", what, which, verdict.shown));
    } else if (expect == "accepted" && !verdict.accepted) {
      failures.push_back(fmt::format("{}{}: refused with {}; expected HTTP 200 with {}", what, which, verdict.shown,
                                     protocol::kCallbackOkAnswer));
    } else if (expect == "refused" && verdict.accepted) {
      failures.push_back(fmt::format("{}{}: accepted with {}; it must be refused (an HTTP error status, or an "
                                     "ErrorCode other than 0)",
                                     what, which, verdict.shown));
    }
  }
  if (processed_before) {
    const auto after = processedFor(receiver.log_url, room, problem);
    if (!after) {
      failures.push_back(problem);
    } else if (const std::size_t want = test["processed"].get<std::size_t>(); *after - *processed_before != want) {
      failures.push_back(fmt::format("{}: the receiver's log shows the room's dissolution processed {} time(s), "
                                     "expected {}{}",
                                     what, *after - *processed_before, want,
                                     want == 1 && *after - *processed_before > 1
                                         ? " (delivery is at-least-once: a duplicate must be processed once)"
                                     : want == 0 ? " (a callback of another CallbackCommand is not a dissolution)"
                                                 : ""));
    }
  }
  return failures;
}

}  // namespace

void runWebhookSuite(Target& emulator, const WebhookReceiver& receiver, const FixtureApps& apps,
                     const std::vector<Fixture>& fixtures, const RunOptions& options, Report& report) {
  RunOptions with_skips = options;
  with_skips.skip = [&](const json& test) -> std::string {
    if (!test.contains("processed") || !receiver.log_url.empty()) return {};
    return "judged from the receiver's log; give --receiver-log URL";
  };
  forEachCase(fixtures, "webhook", "cases", with_skips, report,
              [&](const json& test, std::vector<std::string>&) { return runCase(emulator, receiver, apps, test); });
}

}  // namespace live::conformance
