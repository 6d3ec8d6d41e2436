// The server suite: each case resets the target, applies its setup through the control API, sends
// its requests exactly as the fixture describes them (UserSigs generated from their claims, key and
// tampering) and compares each answer, and the rooms afterwards, with the expectation.
#include <fmt/format.h>

#include <cmath>
#include <random>
#include <set>

#include "protocol/endpoints.h"
#include "protocol/envelope.h"
#include "protocol/json_limits.h"
#include "protocol/usersig.h"
#include "requests.h"
#include "suites.h"

namespace live::conformance {
namespace {

using json = nlohmann::json;


std::string shown(const std::string& text) {
  return text.size() <= 160 ? text : text.substr(0, 160) + "...";
}

// Where `seen` differs from `expected`: objects need every expected member (others may be there),
// arrays the same length with each element matching, anything else equality. Empty when it matches.
std::string responseMismatch(const json& expected, const json& seen, const std::string& where) {
  if (expected.is_object()) {
    if (!seen.is_object()) return fmt::format("{}: expected an object, seen {}", where, shown(seen.dump()));
    for (const auto& [key, value] : expected.items()) {
      if (!seen.contains(key)) return fmt::format("{}.{}: missing", where, key);
      if (auto found = responseMismatch(value, seen[key], where + "." + key); !found.empty()) return found;
    }
    return {};
  }
  if (expected.is_array()) {
    if (!seen.is_array() || seen.size() != expected.size()) {
      return fmt::format("{}: expected {} entries, seen {}", where, expected.size(), shown(seen.dump()));
    }
    for (std::size_t i = 0; i < expected.size(); ++i) {
      if (auto found = responseMismatch(expected[i], seen[i], fmt::format("{}[{}]", where, i)); !found.empty()) return found;
    }
    return {};
  }
  if (expected != seen) return fmt::format("{}: expected {}, seen {}", where, expected.dump(), shown(seen.dump()));
  return {};
}

constexpr std::string_view kImServicePrefix = "/v4/im_open_login_svc/";

// Compares one answer with `expect`; returns the differences, and the RequestId seen. `path` is the
// request's: destroy_room's success carries Statistic in the current style only, a command's data
// ("response" in the fixture) is there in both.
std::vector<std::string> check(const HttpAnswer& answer, const json& expect, const std::string& path,
                               std::string& request_id) {
  std::vector<std::string> problems;
  if (!answer.received) {
    problems.push_back(fmt::format("no HTTP answer ({})", answer.error));
    return problems;
  }
  const int status = expect.value("http_status", 200);
  if (answer.status != status) {
    problems.push_back(fmt::format("HTTP status: expected {}, seen {} (body: {})", status, answer.status,
                                   shown(answer.body)));
    return problems;
  }
  if (!expect.contains("error_code")) return problems;
  auto parsed = protocol::parseUntrustedJson(answer.body);
  if (!parsed || !parsed.value().is_object()) {
    problems.push_back(fmt::format("body: expected the vendor's envelope, seen {}", shown(answer.body)));
    return problems;
  }
  // The envelope's members, in the order of the app's response style (docs/destroy_room.md, "The two
  // response shapes").
  const bool current = expect.value("response_style", "2024") == "current";
  const auto code = expect["error_code"].get<std::int64_t>();
  const auto ordered = nlohmann::ordered_json::parse(answer.body);
  std::vector<std::string> keys;
  for (const auto& item : ordered.items()) keys.push_back(item.key());
  std::vector<std::string> expected_keys = {"ActionStatus", "ErrorInfo", "ErrorCode", "RequestId"};
  if (current) expected_keys = {"ErrorCode", "ErrorInfo", "ActionStatus", "RequestId"};
  const bool statistic = current && code == 0 && path == protocol::kDestroyRoomPath;
  if (statistic || expect.contains("response")) expected_keys.push_back("Response");
  // The IM commands' envelope (docs/room-family.md, "IM accounts"): in either style, ActionStatus,
  // ErrorInfo, ErrorCode, no RequestId, then the data at the top level.
  const bool im = path.rfind(kImServicePrefix, 0) == 0;
  json data = json::object();
  if (im) {
    expected_keys = {"ActionStatus", "ErrorInfo", "ErrorCode"};
    if (expect.contains("response") && expect["response"].is_object()) {
      for (const auto& item : expect["response"].items()) expected_keys.push_back(item.key());
    }
    for (std::size_t i = 3; i < keys.size(); ++i) data[keys[i]] = ordered[keys[i]];
  }
  if (keys != expected_keys) {
    std::string names;
    for (const auto& key : expected_keys) names += (names.empty() ? "" : ", ") + key;
    problems.push_back(fmt::format("envelope: expected members {} in that order, seen {}", names, shown(answer.body)));
    return problems;
  }
  const json& envelope = parsed.value();
  if (expect.contains("response")) {
    if (auto found = im ? responseMismatch(expect["response"], data, "the IM envelope's data")
                        : responseMismatch(expect["response"], envelope["Response"], "Response");
        !found.empty()) {
      problems.push_back(found);
    }
  } else if (statistic) {
    const json& response = envelope["Response"];
    bool counters = response.is_object() && response.size() == 1 && response.contains("Statistic") &&
                    response["Statistic"].is_object() && response["Statistic"].size() == 5;
    for (const char* name : {"TotalViewers", "TotalGiftsSent", "TotalGiftCoins", "TotalUniqueGiftSenders",
                             "TotalLikesReceived"}) {
      counters = counters && response["Statistic"].contains(name) && response["Statistic"][name].is_number_unsigned();
    }
    if (!counters) {
      problems.push_back(fmt::format("Response: expected {{\"Statistic\":{{...}}}} with the five counters as "
                                     "non-negative integers, seen {}", shown(response.dump())));
    }
  }
  const std::string action = code == 0 ? "OK" : "FAIL";
  if (!envelope["ErrorCode"].is_number_integer() || envelope["ErrorCode"].get<std::int64_t>() != code) {
    problems.push_back(fmt::format("ErrorCode: expected {}, seen {} (ErrorInfo: {})", code,
                                   envelope["ErrorCode"].dump(), envelope["ErrorInfo"].dump()));
  }
  if (envelope["ActionStatus"] != action) {
    problems.push_back(fmt::format("ActionStatus: expected \"{}\", seen {}", action, envelope["ActionStatus"].dump()));
  }
  if (!envelope["ErrorInfo"].is_string() || (code == 0 && !envelope["ErrorInfo"].get<std::string>().empty())) {
    problems.push_back(fmt::format("ErrorInfo: expected {}, seen {}",
                                   code == 0 ? "\"\"" : "a string", envelope["ErrorInfo"].dump()));
  } else if (expect.contains("error_info_contains") &&
             envelope["ErrorInfo"].get<std::string>().find(expect["error_info_contains"].get<std::string>()) ==
                 std::string::npos) {
    problems.push_back(fmt::format("ErrorInfo: expected it to contain {}, seen {}",
                                   expect["error_info_contains"].dump(), envelope["ErrorInfo"].dump()));
  }
  if (im) {
    // No RequestId to check.
  } else if (!envelope["RequestId"].is_string() ||
             !protocol::isWellFormedRequestId(envelope["RequestId"].get<std::string>())) {
    problems.push_back(fmt::format("RequestId: expected the shape Id-<32 hex>-O-Seq-<n>, seen {}",
                                   envelope["RequestId"].dump()));
  } else {
    request_id = envelope["RequestId"].get<std::string>();
  }
  return problems;
}

std::vector<std::string> runCase(Target& target, const FixtureApps& apps, const json& test) {
  std::vector<std::string> failures;
  std::string problem;
  if (!target.control("POST", "/__emulator/reset", std::nullopt, 200, problem)) {
    return {"setup: " + problem + " (the target must implement the control API: docs/conformance.md)"};
  }
  if (test.contains("setup") &&
      !target.control("POST", "/__emulator/scenarios", test["setup"], 200, problem)) {
    return {"setup: " + problem};
  }
  const auto clock = target.control("GET", "/__emulator/clock", std::nullopt, 200, problem);
  if (!clock || !clock->contains("now") || !(*clock)["now"].is_number()) {
    return {"setup: " + (clock ? std::string("GET /__emulator/clock has no \"now\"") : problem)};
  }
  const auto now = static_cast<std::int64_t>(std::floor((*clock)["now"].get<double>()));

  std::set<std::string> request_ids;
  std::size_t answers = 0;
  std::string previous_next;  // the last answer's Response.Next (get_room_list)
  const json steps = test.value("steps", json::array());
  for (std::size_t s = 0; s < steps.size(); ++s) {
    const json& step = steps[s];
    if (step.contains("control")) {
      const json& call = step["control"];
      const std::optional<json> body = call.contains("body") ? std::optional<json>(call["body"]) : std::nullopt;
      if (!target.control(call.value("method", "POST"), call["path"].get<std::string>(), body,
                          call.value("status", 200), problem)) {
        failures.push_back(fmt::format("step {}: {}", s + 1, problem));
        return failures;
      }
      continue;
    }
    const int repeat = step.value("repeat", 1);
    json request = step["request"];
    if (request.value("next_from_previous", false)) {
      // Paging: the previous answer's Response.Next goes into this body's Next.
      request.erase("next_from_previous");
      if (!request.contains("body_json") || !request["body_json"].is_object()) request["body_json"] = json::object();
      request["body_json"]["Next"] = previous_next;
    }
    for (int r = 0; r < repeat; ++r) {
      const auto built = build(request, fixtureCaller(apps), now);
      const auto answer = target.send(built.method, built.target, built.body, built.content_type);
      std::string request_id;
      const auto problems = check(answer, step.value("expect", json::object()),
                                  request.value("path", protocol::kDestroyRoomPath), request_id);
      if (auto parsed = protocol::parseUntrustedJson(answer.body);
          parsed && parsed.value().is_object() && parsed.value().contains("Response") &&
          parsed.value()["Response"].is_object() && parsed.value()["Response"].contains("Next") &&
          parsed.value()["Response"]["Next"].is_string()) {
        previous_next = parsed.value()["Response"]["Next"].get<std::string>();
      }
      if (!request_id.empty()) {
        ++answers;
        request_ids.insert(request_id);
      }
      for (const auto& found : problems) {
        failures.push_back(repeat == 1 ? fmt::format("step {}: {}", s + 1, found)
                                       : fmt::format("step {}, request {} of {}: {}", s + 1, r + 1, repeat, found));
      }
      if (!problems.empty()) break;  // one report per step is enough
    }
  }
  if (test.value("unique_request_ids", false) && request_ids.size() != answers) {
    failures.push_back(fmt::format("RequestId: expected every answer to carry its own, seen {} distinct in {} answers",
                                   request_ids.size(), answers));
  }
  if (test.contains("rooms_after")) {
    const json& rooms = test["rooms_after"];
    const auto sdkappid = rooms.value("sdkappid", kFixtureApp);
    const auto listed = target.control("GET", fmt::format("/__emulator/rooms?sdkappid={}", sdkappid),
                                       std::nullopt, 200, problem);
    if (!listed) {
      failures.push_back("rooms afterwards: " + problem);
    } else {
      std::set<std::string> present;
      for (const auto& room : listed->value("rooms", json::array())) present.insert(room.value("room_id", ""));
      for (const auto& room : rooms.value("present", json::array())) {
        if (!present.count(room)) failures.push_back(fmt::format("rooms afterwards: {} should still exist", room.dump()));
      }
      for (const auto& room : rooms.value("absent", json::array())) {
        if (present.count(room)) failures.push_back(fmt::format("rooms afterwards: {} should be gone", room.dump()));
      }
    }
  }
  return failures;
}

}  // namespace

void runServerSuite(Target& target, const FixtureApps& apps, const std::vector<Fixture>& fixtures,
                    const RunOptions& options, Report& report) {
  forEachCase(fixtures, "server", "cases", options, report,
              [&](const json& test, std::vector<std::string>&) { return runCase(target, apps, test); });
}

}  // namespace live::conformance
