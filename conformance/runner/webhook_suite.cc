// The webhook suite: checks a user's receiver of Live.CallbackAfterDestroyRoom
// (docs/webhooks.md, "Checking your receiver"). Each case resets the emulator, points an app's
// callback at the receiver, dissolves a room with a callback fault rule in place, waits for the
// delivery, and judges the receiver's answer from the emulator's record of it.
#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "protocol/callback.h"
#include "protocol/json_limits.h"
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

std::vector<std::string> runCase(Target& emulator, const WebhookReceiver& receiver, const json& test) {
  std::string problem;
  if (!emulator.control("POST", "/__emulator/reset", std::nullopt, 200, problem)) return {"setup: " + problem};
  const std::uint32_t app = test.value("sdkappid", kFixtureApp);
  const std::string room = "webhook-" + test["name"].get<std::string>();
  const json callback{{"url", receiver.url},
                      {"commands", json::array({protocol::kCallbackAfterDestroyRoom})},
                      {"token", receiver.token}};
  json scenario = json::object();
  scenario["apps"] = json::array({json{{"sdkappid", app}, {"callback", callback}}});
  scenario["rooms"] = json::array({json{{"sdkappid", app}, {"room_id", room}, {"owner", kFixtureAdmin}}});
  if (test.contains("fault")) {
    scenario["faults"] = json::array({json{{"api", protocol::kCallbackAfterDestroyRoom}, {"action", test["fault"]}}});
  }
  if (!emulator.control("POST", "/__emulator/scenarios", scenario, 200, problem)) return {"setup: " + problem};
  if (!emulator.control("DELETE", fmt::format("/__emulator/rooms/{}/{}", app, room), std::nullopt, 200, problem)) {
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
  return failures;
}

}  // namespace

void runWebhookSuite(Target& emulator, const WebhookReceiver& receiver, const std::vector<Fixture>& fixtures,
                     const RunOptions& options, Report& report) {
  forEachCase(fixtures, "webhook", "cases", options, report,
              [&](const json& test, std::vector<std::string>&) { return runCase(emulator, receiver, test); });
}

}  // namespace live::conformance
