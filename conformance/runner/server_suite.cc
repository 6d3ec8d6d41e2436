// The server suite: each case resets the target, applies its setup through the control API, sends
// its requests exactly as the fixture describes them (UserSigs generated from their claims, key and
// tampering) and compares each answer, and the rooms afterwards, with the expectation.
#include <fmt/format.h>

#include <arpa/inet.h>

#include <cmath>
#include <optional>
#include <random>
#include <set>

#include "callback_receiver.h"
#include "protocol/callback.h"
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

// What an expected value may say besides a literal (docs/conformance.md, "Matchers"): an object with
// one member whose name starts with "$".
//   {"$clock_s": N}   the target's clock at the case's start, in whole seconds, plus N (an integer,
//                     or its decimal text in a query)
//   {"$clock_ms": N}  the same in milliseconds
//   {"$type": T}      any value of JSON type T: "integer", "string", "boolean", "array", "object"
//   {"$ip": true}     an IPv4 or IPv6 address as text, without a port
//   {"$exactly": O}   an object with exactly O's members (each matching), no others
struct Matching {
  std::int64_t now = 0;  // the target's clock at the case's start, whole seconds
};

bool isMatcher(const json& expected) {
  return expected.is_object() && expected.size() == 1 && expected.begin().key().rfind('$', 0) == 0;
}

std::optional<std::int64_t> integerOf(const json& seen) {
  if (seen.is_number_integer()) return seen.get<std::int64_t>();
  if (seen.is_number_float() && seen.get<double>() == std::floor(seen.get<double>()) && std::abs(seen.get<double>()) < 1e15) {
    return static_cast<std::int64_t>(seen.get<double>());
  }
  if (seen.is_string()) {
    const auto& text = seen.get_ref<const std::string&>();
    if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    return std::stoll(text);
  }
  return std::nullopt;
}

std::string responseMismatch(const json& expected, const json& seen, const std::string& where,
                             const Matching& matching);

std::string matcherMismatch(const json& expected, const json& seen, const std::string& where, const Matching& matching) {
  const std::string& kind = expected.begin().key();
  const json& argument = expected.begin().value();
  if (kind == "$clock_s" || kind == "$clock_ms") {
    const bool ms = kind == "$clock_ms";
    const std::int64_t want = (matching.now + argument.get<std::int64_t>()) * (ms ? 1000 : 1);
    const auto got = integerOf(seen);
    if (got == want) return {};
    std::string hint;
    if (got && !ms && *got == want * 1000) hint = " (milliseconds; expected seconds)";
    if (got && ms && *got * 1000 == want) hint = " (seconds; expected milliseconds)";
    return fmt::format("{}: expected {} (the target's clock{}{}, in {}), seen {}{}", where, want,
                       argument.get<std::int64_t>() == 0 ? "" : " + ", argument.get<std::int64_t>() == 0 ? "" : fmt::format("{} s", argument.get<std::int64_t>()),
                       ms ? "milliseconds" : "seconds", shown(seen.dump()), hint);
  }
  if (kind == "$type") {
    const std::string type = argument.get<std::string>();
    const bool ok = (type == "integer" && seen.is_number_integer()) || (type == "string" && seen.is_string()) ||
                    (type == "boolean" && seen.is_boolean()) || (type == "array" && seen.is_array()) ||
                    (type == "object" && seen.is_object());
    return ok ? std::string() : fmt::format("{}: expected a JSON {}, seen {}", where, type, shown(seen.dump()));
  }
  if (kind == "$ip") {
    if (seen.is_string()) {
      const auto& text = seen.get_ref<const std::string&>();
      unsigned char buffer[sizeof(in6_addr)];
      if (inet_pton(AF_INET, text.c_str(), buffer) == 1 || inet_pton(AF_INET6, text.c_str(), buffer) == 1) return {};
    }
    return fmt::format("{}: expected an IP address without a port, seen {}", where, shown(seen.dump()));
  }
  if (kind == "$exactly") {
    std::vector<std::string> extra;
    if (seen.is_object()) {
      for (const auto& item : seen.items()) {
        if (!argument.contains(item.key())) extra.push_back(item.key());
      }
    }
    if (!extra.empty()) return fmt::format("{}: unexpected members {}", where, json(extra).dump());
    return responseMismatch(argument, seen, where, matching);
  }
  return fmt::format("{}: the fixture's matcher {} is not known", where, kind);
}

// Where `seen` differs from `expected`: objects need every expected member (others may be there),
// arrays the same length with each element matching, matchers their rule, anything else equality.
// Empty when it matches.
std::string responseMismatch(const json& expected, const json& seen, const std::string& where,
                             const Matching& matching) {
  if (isMatcher(expected)) return matcherMismatch(expected, seen, where, matching);
  if (expected.is_object()) {
    if (!seen.is_object()) return fmt::format("{}: expected an object, seen {}", where, shown(seen.dump()));
    for (const auto& [key, value] : expected.items()) {
      if (!seen.contains(key)) return fmt::format("{}.{}: missing", where, key);
      if (auto found = responseMismatch(value, seen[key], where + "." + key, matching); !found.empty()) return found;
    }
    return {};
  }
  if (expected.is_array()) {
    if (!seen.is_array() || seen.size() != expected.size()) {
      return fmt::format("{}: expected {} entries, seen {}", where, expected.size(), shown(seen.dump()));
    }
    for (std::size_t i = 0; i < expected.size(); ++i) {
      if (auto found = responseMismatch(expected[i], seen[i], fmt::format("{}[{}]", where, i), matching); !found.empty()) {
        return found;
      }
    }
    return {};
  }
  if (expected != seen) return fmt::format("{}: expected {}, seen {}", where, expected.dump(), shown(seen.dump()));
  return {};
}

constexpr std::string_view kCallbackUrl = "{callback_url}";
// How long a "callbacks" step waits, after its callbacks arrived (or RunOptions::callbacks_within
// passed), for one too many (chosen: the emulator delivers within milliseconds; docs/conformance.md,
// "Callbacks").
constexpr std::chrono::milliseconds kCallbacksQuiet{250};

constexpr std::string_view kImServicePrefix = "/v4/im_open_login_svc/";

// Compares one answer with `expect`; returns the differences, and the RequestId seen. `path` is the
// request's: destroy_room's success carries Statistic in the current style only, a command's data
// ("response" in the fixture) is there in both.
std::vector<std::string> check(const HttpAnswer& answer, const json& expect, const std::string& path,
                               const Matching& matching, std::string& request_id) {
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
  if (answer.content_type.rfind("application/json", 0) != 0) {
    problems.push_back(fmt::format("Content-Type: expected application/json, seen \"{}\"", answer.content_type));
  }
  const json& envelope = parsed.value();
  if (expect.contains("response")) {
    if (auto found = im ? responseMismatch(expect["response"], data, "the IM envelope's data", matching)
                        : responseMismatch(expect["response"], envelope["Response"], "Response", matching);
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

// A "raw" request's bytes: its parts joined, {"repeat": text, "times": N} as N copies of the text,
// and "{target}" as the path and query the request would have had (its UserSig valid).
std::string rawRequest(const json& parts, const std::string& target) {
  std::string bytes;
  for (const auto& part : parts) {
    if (part.is_string()) {
      std::string text = part.get<std::string>();
      if (const auto at = text.find("{target}"); at != std::string::npos) text.replace(at, 8, target);
      bytes += text;
    } else {
      const std::string text = part["repeat"].get<std::string>();
      for (std::size_t i = 0; i < part["times"].get<std::size_t>(); ++i) bytes += text;
    }
  }
  return bytes;
}

// Every "{callback_url}" in the fixture's strings becomes this case's URL at the suite's receiver.
json withCallbackUrl(const json& value, const std::string& url) {
  if (value.is_string()) {
    std::string text = value.get<std::string>();
    for (auto at = text.find(kCallbackUrl); at != std::string::npos; at = text.find(kCallbackUrl, at + url.size())) {
      text.replace(at, kCallbackUrl.size(), url);
    }
    return text;
  }
  if (value.is_array() || value.is_object()) {
    json copy = value;
    for (auto& item : copy) item = withCallbackUrl(item, url);
    return copy;
  }
  return value;
}

std::string summary(const CallbackReceiver::Received& got) {
  std::string command;
  for (const auto& [name, value] : got.query) {
    if (name == "CallbackCommand") command = value;
  }
  return fmt::format("{} {}", command.empty() ? "(no CallbackCommand)" : command, shown(got.body));
}

// Checks one received callback against one expectation of a "callbacks" step.
std::vector<std::string> checkCallback(const CallbackReceiver::Received& got, const json& expect,
                                       const Matching& matching, const std::string& which) {
  std::vector<std::string> problems;
  if (got.method != "POST") problems.push_back(fmt::format("{}: expected POST, seen {}", which, got.method));
  json query = json::object();
  for (const auto& [name, value] : got.query) {
    if (query.contains(name)) problems.push_back(fmt::format("{}: query parameter {} given twice", which, name));
    query[name] = value;
  }
  if (auto found = responseMismatch(expect.value("query", json::object()), query, which + " query", matching);
      !found.empty()) {
    problems.push_back(found);
  }
  for (const auto& name : expect.value("query_absent", json::array())) {
    if (query.contains(name.get<std::string>())) {
      problems.push_back(fmt::format("{} query: {} must not be sent, seen {}", which, name.get<std::string>(),
                                     query[name.get<std::string>()].dump()));
    }
  }
  if (expect.contains("sign_token")) {
    const auto time = integerOf(query.value("RequestTime", json()));
    const std::string want = time ? protocol::callbackSign(expect["sign_token"].get<std::string>(), *time) : "";
    if (!time) {
      problems.push_back(fmt::format("{} query: RequestTime expected (Unix seconds), seen {}", which,
                                     query.value("RequestTime", json()).dump()));
    } else if (!expect.value("sign_valid", true)) {
      if (!query.contains("Sign") || query.value("Sign", "") == want) {
        problems.push_back(fmt::format("{} query: Sign expected, and not made with the app's token, seen {}", which,
                                       query.value("Sign", json()).dump()));
      }
    } else if (query.value("Sign", "") != want) {
      problems.push_back(fmt::format("{} query: Sign expected SHA-256(token + RequestTime) = {}, seen {}", which, want,
                                     query.value("Sign", json()).dump()));
    }
  }
  if (!expect.contains("body") && !expect.contains("body_members")) return problems;
  auto parsed = protocol::parseUntrustedJson(got.body);
  if (!parsed || !parsed.value().is_object()) {
    problems.push_back(fmt::format("{} body: expected a JSON object, seen {}", which, shown(got.body)));
    return problems;
  }
  if (expect.contains("body_members")) {
    std::vector<std::string> keys;
    const auto ordered = nlohmann::ordered_json::parse(got.body);
    for (const auto& item : ordered.items()) keys.push_back(item.key());
    if (json(keys) != expect["body_members"]) {
      problems.push_back(fmt::format("{} body: expected the members {} in that order, seen {}", which,
                                     expect["body_members"].dump(), json(keys).dump()));
    }
  }
  if (expect.contains("body")) {
    if (auto found = responseMismatch(expect["body"], parsed.value(), which + " body", matching); !found.empty()) {
      problems.push_back(found);
    }
  }
  return problems;
}

// `callbacks_within`: how long a "callbacks" step waits for its callbacks (RunOptions).
std::vector<std::string> runCase(Target& target, const FixtureApps& apps, CallbackReceiver* receiver,
                                 std::chrono::milliseconds callbacks_within, const json& fixture_case) {
  const json test = receiver ? withCallbackUrl(fixture_case, receiver->urlFor(fixture_case["name"].get<std::string>()))
                             : fixture_case;
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
  const Matching matching{now};
  std::size_t callbacks_seen = 0;

  std::set<std::string> request_ids;
  std::vector<std::pair<std::string, std::uint64_t>> request_id_order;  // each RequestId with its Seq
  std::size_t answers = 0;
  std::string previous_next;  // the last answer's Response.Next (get_room_list)
  const json steps = test.value("steps", json::array());
  for (std::size_t s = 0; s < steps.size(); ++s) {
    const json& step = steps[s];
    if (step.contains("control")) {
      const json& call = step["control"];
      const std::optional<json> body = call.contains("body") ? std::optional<json>(call["body"]) : std::nullopt;
      const auto answered = target.control(call.value("method", "POST"), call["path"].get<std::string>(), body,
                                           call.value("status", 200), problem);
      if (!answered) {
        failures.push_back(fmt::format("step {}: {}", s + 1, problem));
        return failures;
      }
      if (call.contains("expect")) {
        if (auto found = responseMismatch(call["expect"], *answered, call["path"].get<std::string>(), matching);
            !found.empty()) {
          failures.push_back(fmt::format("step {}: {}", s + 1, found));
          return failures;
        }
      }
      continue;
    }
    if (step.contains("callbacks")) {
      const json& wanted = step["callbacks"];
      const json expectations = wanted.value("expect", json::array());
      const std::size_t count = wanted.value("count", expectations.size());
      if (!receiver) {
        failures.push_back(fmt::format("step {}: the suite's callback receiver is not running", s + 1));
        return failures;
      }
      const auto all = receiver->collect(test["name"].get<std::string>(), callbacks_seen + count, callbacks_within,
                                         kCallbacksQuiet);
      const std::vector<CallbackReceiver::Received> arrived(all.begin() + static_cast<std::ptrdiff_t>(callbacks_seen),
                                                            all.end());
      callbacks_seen = all.size();
      if (arrived.size() != count) {
        std::string list;
        for (const auto& got : arrived) list += "\n           " + summary(got);
        failures.push_back(fmt::format("step {}: expected {} callback{}, received {}{}", s + 1, count,
                                       count == 1 ? "" : "s", arrived.size(), list));
        return failures;
      }
      for (std::size_t i = 0; i < arrived.size() && i < expectations.size(); ++i) {
        const std::string which = count == 1 ? "the callback" : fmt::format("callback {} of {}", i + 1, count);
        for (const auto& found : checkCallback(arrived[i], expectations[i], matching, which)) {
          failures.push_back(fmt::format("step {}: {}", s + 1, found));
        }
      }
      if (!failures.empty()) return failures;
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
      HttpAnswer answer;
      if (request.contains("raw")) {
        answer = target.sendRaw(rawRequest(request["raw"], built.target));
      } else {
        httplib::Headers headers;
        const json extra_headers = request.value("headers", json::object());
        for (const auto& [name, value] : extra_headers.items()) {
          headers.emplace(name, value.get<std::string>());
        }
        answer = target.send(built.method, built.target, built.body, built.content_type, headers);
      }
      std::string request_id;
      const auto problems = check(answer, step.value("expect", json::object()),
                                  request.value("path", protocol::kDestroyRoomPath), matching, request_id);
      if (auto parsed = protocol::parseUntrustedJson(answer.body);
          parsed && parsed.value().is_object() && parsed.value().contains("Response") &&
          parsed.value()["Response"].is_object() && parsed.value()["Response"].contains("Next") &&
          parsed.value()["Response"]["Next"].is_string()) {
        previous_next = parsed.value()["Response"]["Next"].get<std::string>();
      }
      if (!request_id.empty()) {
        ++answers;
        request_ids.insert(request_id);
        const std::string seq = request_id.substr(request_id.rfind('-') + 1);
        if (seq.size() <= 18) request_id_order.emplace_back(request_id, std::stoull(seq));
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
  if (test.value("unique_request_ids", false)) {
    // ...and their Seq increases from answer to answer (docs/destroy_room.md, "The envelope").
    for (std::size_t i = 1; i < request_id_order.size(); ++i) {
      if (request_id_order[i].second <= request_id_order[i - 1].second) {
        failures.push_back(fmt::format("RequestId: Seq should increase, but {} came after {}", request_id_order[i].first,
                                       request_id_order[i - 1].first));
        break;
      }
    }
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

bool needsCallbacks(const json& test) {
  for (const auto& step : test.value("steps", json::array())) {
    if (step.contains("callbacks")) return true;
  }
  return false;
}

void runServerSuite(Target& target, const FixtureApps& apps, const std::vector<Fixture>& fixtures,
                    const RunOptions& options, CallbackReceiver* receiver, Report& report) {
  RunOptions with_skips = options;
  with_skips.skip = [&](const json& test) -> std::string {
    if (receiver || !needsCallbacks(test)) return {};
    return "checks callbacks; run without --no-callbacks to check them";
  };
  forEachCase(fixtures, "server", "cases", with_skips, report,
              [&](const json& test, std::vector<std::string>&) {
                return runCase(target, apps, receiver, options.callbacks_within, test);
              });
}

}  // namespace live::conformance
