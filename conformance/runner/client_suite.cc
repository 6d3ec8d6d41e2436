// The client suite: each scenario resets the emulator, applies its setup, runs the adapter once
// with its operation and rooms (docs/conformance.md, "The adapter protocol"), then judges the client
// by what it reported and by what the emulator's journal says it sent.
//
// The judges come in the two levels of docs/conformance.md, "Levels": every scenario applies the
// safety and honesty judges (request shape, one line per item, outcomes an answer supports,
// ErrorCode surfaced, no retry of a final code, bounded time, the rate limits, no crash); a
// recommended scenario adds the resilience judges it names in "judges" (backoff, RequestId, a fresh
// random per attempt) and expects recovery through its "expect".
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

#include "protocol/endpoints.h"
#include "protocol/json_limits.h"
#include "backoff.h"
#include "suites.h"
#include "testing/child_process.h"

namespace live::conformance {
namespace {

using json = nlohmann::json;

// An answer that comes within the vendor's own server-side timeout of 3 s must be waited for
// (chosen).
constexpr double kAnswerMustBeAwaitedS = 3.0;
// A request with no answer must be given up within 15 s, by a retry or a report (chosen), with
// this much slack for reading the report.
constexpr double kGiveUpWithinS = 15.0;
constexpr double kReportSlackS = 0.5;
// An adapter's time budget when its scenario sets none: this much per item, plus
// --adapter-timeout-ms (chosen: a client pacing its writes 1.1 s apart fits).
constexpr int kBudgetPerItemMs = 1200;

// One operation of the adapter protocol: the command it calls and what its outcomes mean.
struct Operation {
  const char* name;         // the adapter's first argument ("destroy" is also the default)
  const char* path;         // the vendor command it calls
  int per_second;           // the command's documented limit per app
  const char* success;      // the outcome an answer with ErrorCode 0 supports
  const char* already;      // the outcome a retry after an unknown outcome may report, or nullptr
  std::int64_t already_code;  // the ErrorCode that supports `already`
  std::set<std::int64_t> retry_safe;  // codes after which a retry is safe
  const char* body_shape;   // what the body must be, for messages
};

const Operation kOperations[] = {
    {"destroy", protocol::kDestroyRoomPath, 200, "destroyed", "already_destroyed", 100004, {100001, 60007},
     "exactly {\"RoomId\":\"...\"}"},
    {"create", protocol::kCreateRoomPath, 200, "created", "already_created", 100010, {100001, 60007, 100012},
     "{\"RoomInfo\":{\"RoomId\":\"...\",\"RoomType\":\"Live\",...}}"},
    {"get", protocol::kGetRoomInfoPath, 200, "ok", nullptr, 0, {100001, 60007}, "exactly {\"RoomId\":\"...\"}"},
    {"update", protocol::kUpdateRoomInfoPath, 200, "updated", nullptr, 0, {100001, 60007},
     "{\"RoomInfo\":{\"RoomId\":\"...\", and a member to change}}"},
    {"list", protocol::kGetRoomListPath, 10, "listed", nullptr, 0, {100001, 60007},
     "{\"Next\":\"...\",\"Count\":N} (Count optional)"},
};

const Operation* operationNamed(const std::string& name) {
  for (const auto& operation : kOperations) {
    if (name == operation.name) return &operation;
  }
  return nullptr;
}

struct AdapterRun {
  std::vector<json> lines;         // what the adapter printed, parsed
  std::vector<double> line_times;  // when each line was read (Unix seconds, the system clock)
  std::vector<std::string> problems;
  std::vector<std::string> warnings;
  std::string stderr_tail;
  int exit_status = -1;  // -1 when it was killed for taking too long
  bool too_slow = false;
  double ended_at = 0;    // when it ended or was killed (Unix seconds)
};

// A string member of an adapter's line; empty when absent or of another type (the checks then say
// what was expected).
std::string stringMember(const json& line, const char* name) {
  const auto member = line.find(name);
  return member != line.end() && member->is_string() ? member->get<std::string>() : std::string();
}

double unixNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

AdapterRun runAdapter(const ClientAdapter& adapter, int budget_ms, const std::string& endpoint,
                      const std::string& key, const std::vector<std::string>& arguments_after) {
  AdapterRun run;
  const auto stderr_path =
      std::filesystem::temp_directory_path() / fmt::format("live-conformance-{}.stderr", ::getpid());
  std::vector<std::string> arguments = {"-c", adapter.command + " \"$@\" 2>\"$LIVE_CONFORMANCE_STDERR\"",
                                        "live-conformance-adapter"};
  arguments.insert(arguments.end(), arguments_after.begin(), arguments_after.end());
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::string> environment = {
      "LIVE_ENDPOINT=" + endpoint, fmt::format("LIVE_SDKAPPID={}", kFixtureApp),
      std::string("LIVE_IDENTIFIER=") + kFixtureAdmin, "LIVE_SECRET_KEY=" + key,
      "LIVE_CONFORMANCE_STDERR=" + stderr_path.string()};
  if (!adapter.ca_file.empty()) environment.push_back("LIVE_CA_FILE=" + adapter.ca_file);
  testing::ChildProcess child("/bin/sh", arguments, environment);
  const auto deadline = started + std::chrono::milliseconds(budget_ms);
  std::vector<std::pair<std::string, double>> read;  // each line, and when it was read
  const auto keep = [&](const std::string& chunk) {
    const double now = unixNow();
    std::size_t start = 0;
    while (start < chunk.size()) {
      auto end = chunk.find('\n', start);
      if (end == std::string::npos) end = chunk.size();
      read.emplace_back(chunk.substr(start, end - start), now);
      start = end + 1;
    }
  };
  for (;;) {
    const std::string line = child.readLine(50);
    if (!line.empty()) {
      keep(line);
      continue;
    }
    if (const int status = child.wait(0); status >= 0) {
      run.exit_status = status;
      keep(child.readStdout());
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      child.signal(SIGKILL);
      child.wait(5000);
      run.too_slow = true;
      break;
    }
  }
  run.ended_at = unixNow();
  std::ifstream stderr_file(stderr_path);
  const std::string stderr_text((std::istreambuf_iterator<char>(stderr_file)), std::istreambuf_iterator<char>());
  run.stderr_tail = stderr_text.size() > 300 ? stderr_text.substr(stderr_text.size() - 300) : stderr_text;
  std::filesystem::remove(stderr_path);
  constexpr std::size_t kStrayLinesShown = 3;
  std::size_t stray_lines = 0;
  for (const auto& [line, at] : read) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto parsed = protocol::parseUntrustedJson(line);
    if (!parsed || !parsed.value().is_object()) {
      // A library that logs to stdout is not a defect of the client's calls: say so, go on.
      ++stray_lines;
      if (stray_lines <= kStrayLinesShown) {
        run.warnings.push_back(fmt::format("adapter output: a line that is not a JSON object, ignored: {}",
                                           line.substr(0, 120)));
      }
      continue;
    }
    run.lines.push_back(std::move(parsed).value());
    run.line_times.push_back(at);
  }
  if (stray_lines > kStrayLinesShown) {
    run.warnings.push_back(fmt::format("adapter output: {} more lines that are not JSON objects, ignored",
                                       stray_lines - kStrayLinesShown));
  }
  return run;
}

// One journal entry, as the checks need it.
struct Sent {
  double time = 0;
  std::string method;
  std::string path;
  json query;
  std::string body;
  json parsed_body;  // null when the body is not JSON
  std::string content_type;
  json usersig;
  std::int64_t error_code = 0;
  std::string request_id;
  int http_status = 0;
  bool dropped = false;
  bool answer_is_json = false;  // the answer's body was a JSON document (an envelope)
  json answer;                  // that document
  std::string cut;  // the answer was broken off (truncate_body, reset_midway)
  double delay_s = 0;  // an injected delay before the answer
  double handled_s = 0;  // the emulator's own time on the call, so a client's wait excludes it
  bool injected = false;  // a fault rule shaped the answer
  std::optional<std::string> room;  // the RoomId the call is for, when it names one

  double answeredAt() const { return time + handled_s + delay_s; }
  // The client received a whole envelope: ErrorCode and RequestId are what it was told.
  bool envelopeReceived() const { return http_status == 200 && !dropped && cut.empty() && answer_is_json; }
  // What the client received, for messages.
  std::string received() const {
    if (envelopeReceived()) return std::to_string(error_code);
    if (!cut.empty()) return cut;
    if (dropped) return "no answer received";
    return http_status == 200 ? "HTTP 200 without an envelope" : fmt::format("HTTP {}", http_status);
  }
};

Sent toSent(const json& entry) {
  Sent sent;
  sent.time = entry.value("time", 0.0);
  sent.method = entry.value("method", "");
  sent.path = entry.value("path", "");
  sent.query = entry.value("query", json::object());
  sent.body = entry.value("body", "");
  sent.content_type = entry.value("content_type", "");
  sent.usersig = entry.value("usersig", json());
  sent.error_code = entry.value("error_code", std::int64_t{0});
  sent.request_id = entry.value("request_id", "");
  const json response = entry.value("response", json::object());
  sent.http_status = response.value("http_status", 0);
  sent.dropped = response.value("dropped", false);
  sent.answer = response.value("body", json());
  sent.answer_is_json = sent.answer.is_object();
  sent.cut = response.value("cut", "");
  sent.delay_s = static_cast<double>(response.value("delay_ms", std::int64_t{0})) / 1000;
  sent.handled_s = response.value("handled_ms", 0.0) / 1000;
  sent.injected = entry.contains("fault_id");
  if (auto body = protocol::parseUntrustedJson(sent.body); body) {
    sent.parsed_body = std::move(body).value();
    const json& parsed = sent.parsed_body;
    if (parsed.is_object() && parsed.contains("RoomId") && parsed["RoomId"].is_string()) {
      sent.room = parsed["RoomId"].get<std::string>();
    } else if (parsed.is_object() && parsed.contains("RoomInfo") && parsed["RoomInfo"].is_object() &&
               parsed["RoomInfo"].contains("RoomId") && parsed["RoomInfo"]["RoomId"].is_string()) {
      sent.room = parsed["RoomInfo"]["RoomId"].get<std::string>();
    }
  }
  return sent;
}

// Whether the body is what `operation` must send (docs/conformance.md, "The client suite").
bool bodyFits(const Operation& operation, const Sent& sent) {
  const json& body = sent.parsed_body;
  if (!body.is_object()) return false;
  const std::string name = operation.name;
  if (name == "destroy" || name == "get") return body.size() == 1 && sent.room.has_value() && body.contains("RoomId");
  if (name == "create" || name == "update") {
    if (body.size() != 1 || !body.contains("RoomInfo") || !sent.room) return false;
    if (name == "create") return body["RoomInfo"].value("RoomType", json()) == "Live";
    return body["RoomInfo"].size() >= 2;
  }
  // list
  for (const auto& [member, value] : body.items()) {
    if (member == "Next" && !value.is_string()) return false;
    if (member == "Count" && !value.is_number_integer()) return false;
    if (member != "Next" && member != "Count") return false;
  }
  return true;
}

// The shape every request must have (docs/conformance.md, "The client suite").
void checkShape(const Operation& operation, const Sent& sent, std::size_t index, std::vector<std::string>& problems) {
  const auto problem = [&](const std::string& text) {
    problems.push_back(fmt::format("request {}: {}", index + 1, text));
  };
  if (sent.method != "POST") problem(fmt::format("method {}, expected POST", sent.method));
  if (sent.path != operation.path) problem(fmt::format("path \"{}\", expected \"{}\"", sent.path, operation.path));
  for (const char* name : {"sdkappid", "identifier", "usersig", "random", "contenttype"}) {
    if (!sent.query.contains(name)) {
      problem(fmt::format("query parameter {} is missing", name));
    } else if (sent.query[name].is_array()) {
      problem(fmt::format("query parameter {} is given {} times", name, sent.query[name].size()));
    }
  }
  if (sent.query.contains("sdkappid") && sent.query["sdkappid"] != std::to_string(kFixtureApp)) {
    problem(fmt::format("sdkappid {}, expected \"{}\"", sent.query["sdkappid"].dump(), kFixtureApp));
  }
  if (sent.query.contains("identifier") && sent.query["identifier"] != kFixtureAdmin) {
    problem(fmt::format("identifier {}, expected \"{}\"", sent.query["identifier"].dump(), kFixtureAdmin));
  }
  if (sent.query.contains("contenttype") && sent.query["contenttype"] != "json") {
    problem(fmt::format("contenttype {}, expected \"json\"", sent.query["contenttype"].dump()));
  }
  if (sent.query.contains("random") && sent.query["random"].is_string()) {
    const std::string random = sent.query["random"].get<std::string>();
    const bool digits = !random.empty() && random.size() <= 10 &&
                        random.find_first_not_of("0123456789") == std::string::npos;
    if (!digits || std::stoull(random) > 4294967295ULL) {
      problem(fmt::format("random \"{}\" is outside 0..4294967295", random));
    }
  }
  if (sent.usersig.is_object() && sent.usersig.contains("error")) {
    problem(fmt::format("the UserSig does not decode: {}", sent.usersig["error"].get<std::string>()));
  } else if (sent.error_code == 70009) {
    problem("the UserSig's signature does not verify with the app's secret key (70009)");
  } else if (sent.error_code == 70001 || sent.error_code == 70013 || sent.error_code == 70014) {
    problem(fmt::format("the UserSig is not valid for this call ({}: expired, or issued for another "
                        "identifier or app)", sent.error_code));
  }
  if (!bodyFits(operation, sent)) {
    problem(fmt::format("body {}, expected {}", sent.body.substr(0, 120), operation.body_shape));
  }
  if (sent.content_type.rfind("application/json", 0) != 0) {
    problem(fmt::format("Content-Type \"{}\", expected application/json", sent.content_type));
  }
}

std::vector<std::string> expectedOutcomes(const Operation& operation, const json& expect) {
  const json outcome = expect.value("outcome", json(operation.success));
  if (outcome.is_array()) return outcome.get<std::vector<std::string>>();
  return {outcome.get<std::string>()};
}

bool judged(const json& scenario, const char* judge) {
  const json judges = scenario.value("judges", json::array());
  return std::find(judges.begin(), judges.end(), judge) != judges.end();
}

// Never over the command's documented rate, and no 60007 the client brought on itself (required).
void checkRate(const Operation& operation, const std::vector<Sent>& sent, std::vector<std::string>& failures) {
  const auto limit = static_cast<std::size_t>(operation.per_second);
  for (std::size_t i = 0; i + limit < sent.size(); ++i) {
    if (sent[i + limit].time - sent[i].time < 1.0) {
      failures.push_back(fmt::format("{} requests within {:.0f} ms: over the documented limit of {} per second",
                                     limit + 1, (sent[i + limit].time - sent[i].time) * 1000, limit));
      break;
    }
  }
  for (const auto& entry : sent) {
    if (entry.error_code == 60007 && !entry.injected) {
      failures.push_back(fmt::format("the emulator answered 60007 (rate limited): the client must pace itself "
                                     "below {}/s",
                                     limit));
      break;
    }
  }
}

// The judges of one item's attempts (a room, or a page of the list): retries only where safe, the
// answer waited for, no hammering, bounded time; backoff when the scenario judges it.
void judgeAttempts(const Operation& operation, const json& scenario, const std::string& shown,
                   const std::vector<const Sent*>& attempts, double reported_at, std::vector<std::string>& failures) {
  for (std::size_t a = 0; a + 1 < attempts.size(); ++a) {
    const Sent& previous = *attempts[a];
    const bool final_code = previous.envelopeReceived() && previous.error_code != 0 &&
                            operation.retry_safe.count(previous.error_code) == 0;
    if (final_code) {
      failures.push_back(fmt::format("{}: retried after ErrorCode {}, which is final (retry only after a "
                                     "transport error, HTTP 5xx, {})",
                                     shown, previous.error_code, [&] {
                                       std::string codes;
                                       for (const auto code : operation.retry_safe) {
                                         codes += fmt::format("{}{}", codes.empty() ? "" : " or ", code);
                                       }
                                       return codes;
                                     }()));
      break;
    }
    // An answer that comes within the vendor's own 3 s is waited for, not raced.
    const Sent& next = *attempts[a + 1];
    if (previous.delay_s > 0 && previous.delay_s < kAnswerMustBeAwaitedS && next.time < previous.answeredAt()) {
      failures.push_back(fmt::format("{}: request {} was sent {:.0f} ms after the previous one, while that one "
                                     "was still open (its answer came after {:.0f} ms): wait for the answer, do "
                                     "not send a second request",
                                     shown, a + 2, (next.time - previous.time) * 1000, previous.delay_s * 1000));
      break;
    }
  }
  std::vector<Attempt> timeline;
  for (const Sent* attempt : attempts) timeline.push_back({attempt->time, attempt->answeredAt()});
  if (auto problem = judgeCeiling(timeline)) {
    failures.push_back(fmt::format("{}: {}", shown, *problem));
  } else if (judged(scenario, "backoff")) {
    if (auto backoff = judgeBackoff(timeline)) failures.push_back(fmt::format("{}: {}", shown, *backoff));
  }
  // A silent server: the attempt is given up within 15 s, by a retry or by a report.
  for (std::size_t a = 0; a < attempts.size(); ++a) {
    const Sent& attempt = *attempts[a];
    if (attempt.delay_s < kGiveUpWithinS) continue;
    const double moved_on = a + 1 < attempts.size() ? attempts[a + 1]->time : reported_at;
    if (moved_on - attempt.time > kGiveUpWithinS + kReportSlackS) {
      failures.push_back(fmt::format("{}: request {} got no answer, and the client waited {:.1f} s without "
                                     "retrying or reporting: it needs a timeout (give up within {:.0f} s)",
                                     shown, a + 1, moved_on - attempt.time, kGiveUpWithinS));
    }
  }
}

// The reported outcome against the item's answers: one an answer supports (required), the ErrorCode
// it was told (required), the RequestId it was told (when judged).
void judgeOutcome(const Operation& operation, const json& scenario, const std::string& shown, const json& result,
                  const std::vector<const Sent*>& all_attempts, double reported_at, std::vector<std::string>& failures) {
  const json expect = scenario.value("expect", json::object());
  const auto outcomes = expectedOutcomes(operation, expect);
  const std::string outcome = stringMember(result, "outcome");
  // An answer the client gave up on before it came (a later attempt, or the report, came first) was
  // never received: what it said supports nothing.
  std::vector<Sent> attempts_seen;
  for (std::size_t a = 0; a < all_attempts.size(); ++a) {
    Sent seen = *all_attempts[a];
    const double moved_on = a + 1 < all_attempts.size() ? all_attempts[a + 1]->time : reported_at;
    if (seen.delay_s > 0 && moved_on + kReportSlackS < seen.answeredAt()) seen.dropped = true;
    attempts_seen.push_back(std::move(seen));
  }
  std::vector<const Sent*> attempts;
  for (const auto& seen : attempts_seen) attempts.push_back(&seen);
  const Sent* last = attempts.empty() ? nullptr : attempts.back();
  if (std::find(outcomes.begin(), outcomes.end(), outcome) == outcomes.end()) {
    failures.push_back(fmt::format(
        "{}: outcome \"{}\" (ErrorCode {}), expected {}{}", shown, outcome,
        result.contains("ErrorCode") ? result["ErrorCode"].dump() : "none", json(outcomes).dump(),
        last != nullptr && last->envelopeReceived()
            ? fmt::format("; the emulator's last answer was ErrorCode {}", last->error_code)
            : std::string()));
  }
  std::string answers;
  for (const Sent* attempt : attempts) answers += (answers.empty() ? "" : ", ") + attempt->received();
  if (answers.empty()) answers = "none";
  const auto answered = [&](std::int64_t code) {
    return std::any_of(attempts.begin(), attempts.end(),
                       [&](const Sent* attempt) { return attempt->envelopeReceived() && attempt->error_code == code; });
  };
  // Success rests on an answer that said so; "already" on its code after an unknown outcome.
  if (outcome == operation.success && !answered(0)) {
    failures.push_back(fmt::format("{}: reported {}, but no answer the emulator sent said so (its answers: {})",
                                   shown, outcome, answers));
  }
  if (operation.already != nullptr && outcome == operation.already) {
    bool unknown_before = false, supported = false;
    for (const Sent* attempt : attempts) {
      if (unknown_before && attempt->envelopeReceived() && attempt->error_code == operation.already_code) supported = true;
      if (!attempt->envelopeReceived()) unknown_before = true;
    }
    if (!supported) {
      failures.push_back(fmt::format("{}: reported {}, but no {} answered a retry after an attempt whose outcome "
                                     "was unknown (its answers: {})",
                                     shown, outcome, operation.already_code, answers));
    }
  }
  // The ErrorCode surfaced: a business error is reported with the code it was told.
  if (outcome == "error") {
    const Sent* deciding = nullptr;
    for (const Sent* attempt : attempts) {
      if (attempt->envelopeReceived()) deciding = attempt;
    }
    const bool reported = result.contains("ErrorCode") && result["ErrorCode"].is_number_integer();
    if (deciding == nullptr) {
      failures.push_back(fmt::format("{}: reported error, but no envelope reached the client (its answers: {}); "
                                     "report transport_error",
                                     shown, answers));
    } else if (!reported || result["ErrorCode"].get<std::int64_t>() != deciding->error_code) {
      failures.push_back(fmt::format("{}: reported ErrorCode {}, but the emulator's last answer was ErrorCode {}",
                                     shown, reported ? result["ErrorCode"].dump() : "none", deciding->error_code));
    }
  }
  if (expect.contains("error_code")) {
    const auto code = expect["error_code"].get<std::int64_t>();
    if (!result.contains("ErrorCode") || !result["ErrorCode"].is_number_integer() ||
        result["ErrorCode"].get<std::int64_t>() != code) {
      failures.push_back(fmt::format("{}: reported ErrorCode {}, expected {}", shown,
                                     result.contains("ErrorCode") ? result["ErrorCode"].dump() : "none", code));
    }
  }
  // The RequestId reported is the one the emulator sent with the deciding answer.
  if (judged(scenario, "request_id")) {
    const Sent* deciding = nullptr;
    for (const Sent* attempt : attempts) {
      if (attempt->envelopeReceived() && !attempt->request_id.empty()) deciding = attempt;
    }
    if (deciding != nullptr && outcome != "transport_error" && stringMember(result, "RequestId") != deciding->request_id) {
      failures.push_back(fmt::format("{}: reported RequestId {}, but the emulator's answer carried \"{}\"", shown,
                                     result.contains("RequestId") ? result["RequestId"].dump() : "none",
                                     deciding->request_id));
    }
  }
}

// The rooms every answer to get_room_list listed, in order.
std::vector<std::string> listedRooms(const std::vector<Sent>& sent) {
  std::vector<std::string> rooms;
  for (const auto& entry : sent) {
    if (!entry.envelopeReceived() || entry.error_code != 0) continue;
    const json list = entry.answer.value("Response", json::object()).value("RoomList", json::array());
    for (const auto& room : list) {
      if (room.is_object() && room.contains("RoomId") && room["RoomId"].is_string()) {
        rooms.push_back(room["RoomId"].get<std::string>());
      }
    }
  }
  return rooms;
}

std::vector<std::string> runScenario(Target& emulator, const FixtureApps& apps, const ClientAdapter& adapter,
                                     const json& scenario, std::vector<std::string>& warnings) {
  const Operation* operation = operationNamed(scenario.value("op", "destroy"));
  if (operation == nullptr) return {fmt::format("the fixture's op \"{}\" is not one of destroy, create, get, update, list",
                                                scenario.value("op", ""))};
  const bool listing = std::string(operation->name) == "list";
  std::vector<std::string> failures;
  std::string problem;
  if (!emulator.control("POST", "/__emulator/reset", std::nullopt, 200, problem)) return {"setup: " + problem};
  if (scenario.contains("setup") && !emulator.control("POST", "/__emulator/scenarios", scenario["setup"], 200, problem)) {
    return {"setup: " + problem};
  }
  std::vector<std::string> rooms = scenario.value("rooms", std::vector<std::string>{});
  std::vector<std::string> generated;
  if (scenario.contains("rooms_generate")) {
    const json& generate = scenario["rooms_generate"];
    json bulk = {{"rooms", json::array()}};
    for (int i = 0; i < generate["count"].get<int>(); ++i) {
      generated.push_back(fmt::format("{}{}", generate["prefix"].get<std::string>(), i));
      bulk["rooms"].push_back({{"sdkappid", kFixtureApp}, {"room_id", generated.back()}, {"owner", kFixtureAdmin}});
    }
    if (!emulator.control("POST", "/__emulator/rooms", bulk, 201, problem)) return {"setup: " + problem};
    if (!listing) rooms.insert(rooms.end(), generated.begin(), generated.end());
  }

  // A bare room list means destroy, as adapters written before the other operations expect.
  std::vector<std::string> arguments;
  if (std::string(operation->name) != "destroy") arguments.push_back(operation->name);
  arguments.insert(arguments.end(), rooms.begin(), rooms.end());
  const std::size_t items = listing ? generated.size() : rooms.size();
  const int budget_ms = scenario.contains("timeout_ms")
                            ? scenario["timeout_ms"].get<int>()
                            : static_cast<int>(items) * kBudgetPerItemMs + adapter.timeout_ms;
  const AdapterRun run = runAdapter(adapter, budget_ms, emulator.url(), apps.keyOf(kFixtureApp), arguments);
  failures = run.problems;
  warnings = run.warnings;
  std::size_t reported_items = 0;
  for (const auto& line : run.lines) reported_items += line.contains("RoomId") ? 1 : 0;
  if (run.too_slow) {
    failures.push_back(fmt::format("too slow ({} {} in {:.1f} s): the adapter was stopped at its budget, having "
                                   "reported {} (the budget: {:.1f} s per room plus --adapter-timeout-ms, or the "
                                   "scenario's timeout_ms)",
                                   items, items == 1 ? "room" : "rooms", budget_ms / 1000.0, reported_items,
                                   kBudgetPerItemMs / 1000.0));
  }
  if (run.exit_status > 2) {
    failures.push_back(fmt::format("the adapter exited with status {}{} (0, 1 and 2 are its outcomes; anything else "
                                   "is a crash)",
                                   run.exit_status, run.exit_status > 128 ? fmt::format(", signal {}", run.exit_status - 128) : ""));
  }
  const auto journal = emulator.control("GET", "/__emulator/requests", std::nullopt, 200, problem);
  if (!journal) return {"journal: " + problem};
  std::vector<Sent> sent;
  for (const auto& entry : journal->value("requests", json::array())) sent.push_back(toSent(entry));
  const std::set<std::string> asked(rooms.begin(), rooms.end());

  // The shape of every request; random never repeated when the scenario judges it.
  std::map<std::string, std::size_t> randoms;
  for (std::size_t i = 0; i < sent.size(); ++i) {
    checkShape(*operation, sent[i], i, failures);
    if (!listing && sent[i].room && asked.count(*sent[i].room) == 0) {
      failures.push_back(fmt::format("request {}: RoomId {} is not a room the adapter was given (its body: {}): "
                                     "the id must reach the server exactly as given",
                                     i + 1, json(*sent[i].room).dump(), sent[i].body.substr(0, 120)));
    }
    if (judged(scenario, "fresh_random") && sent[i].query.contains("random") && sent[i].query["random"].is_string()) {
      const auto [it, fresh] = randoms.emplace(sent[i].query["random"].get<std::string>(), i);
      if (!fresh) {
        failures.push_back(fmt::format("request {}: random {} repeats request {}'s; a fresh random per attempt "
                                       "lets the server tell a retry from a replay",
                                       i + 1, it->first, it->second + 1));
      }
    }
  }
  if (sent.empty() && items > 0) failures.push_back("the emulator received no request from the client");
  checkRate(*operation, sent, failures);

  // Output discipline: exactly one line for each item, none for others.
  const json expect = scenario.value("expect", json::object());
  const std::vector<std::string> listed = listing ? listedRooms(sent) : std::vector<std::string>{};
  const std::set<std::string> items_known =
      listing ? std::set<std::string>(listed.begin(), listed.end()) : asked;
  std::map<std::string, std::vector<std::size_t>> reported;  // room -> indexes into run.lines
  std::vector<std::size_t> unnamed;  // lines without a RoomId: a listing's failure
  for (std::size_t i = 0; i < run.lines.size(); ++i) {
    const json& line = run.lines[i];
    if (!line.contains("RoomId") || !line["RoomId"].is_string()) {
      if (listing) {
        unnamed.push_back(i);
      } else {
        failures.push_back(fmt::format("adapter output: a line without a string RoomId: {}", line.dump().substr(0, 120)));
      }
      continue;
    }
    const std::string room = line["RoomId"].get<std::string>();
    if (items_known.count(room) == 0) {
      failures.push_back(fmt::format("adapter output: a line for {}, {}", json(room).dump(),
                                     listing ? "a room no answer listed" : "a room it was not asked about"));
      continue;
    }
    reported[room].push_back(i);
  }

  if (listing) {
    // Each page is an item: its attempts are the requests with its Next (a retry asks again).
    std::vector<const Sent*> pages;
    std::map<std::string, std::vector<const Sent*>> by_next;
    std::vector<std::string> next_order;
    for (const auto& entry : sent) {
      pages.push_back(&entry);
      const std::string next = entry.parsed_body.is_object() && entry.parsed_body.contains("Next") &&
                                       entry.parsed_body["Next"].is_string()
                                   ? entry.parsed_body["Next"].get<std::string>()
                                   : std::string();
      if (by_next[next].empty()) next_order.push_back(next);
      by_next[next].push_back(&entry);
    }
    for (const auto& next : next_order) {
      judgeAttempts(*operation, scenario, fmt::format("the page after Next {}", json(next).dump()), by_next[next],
                    run.ended_at, failures);
    }
    for (const auto& [room, lines] : reported) {
      if (lines.size() > 1) {
        failures.push_back(fmt::format("room {}: reported {} times; report each room exactly once", json(room).dump(),
                                       lines.size()));
      }
      if (stringMember(run.lines[lines.front()], "outcome") != operation->success) {
        failures.push_back(fmt::format("room {}: outcome \"{}\", expected \"listed\"", json(room).dump(),
                                       stringMember(run.lines[lines.front()], "outcome")));
      }
    }
    const bool complete = !pages.empty() && pages.back()->envelopeReceived() && pages.back()->error_code == 0 &&
                          pages.back()->answer.value("Response", json::object()).value("Next", "x").empty();
    if (complete) {
      for (const auto& room : listed) {
        if (reported.count(room) == 0) {
          failures.push_back(fmt::format("room {}: listed by the emulator, but the adapter reported no line for it",
                                         json(room).dump()));
          break;
        }
      }
    }
    if (expect.contains("rooms_listed") && reported.size() != expect["rooms_listed"].get<std::size_t>()) {
      failures.push_back(fmt::format("{} rooms reported, expected {} (every page through Next to the end)",
                                     reported.size(), expect["rooms_listed"].get<std::size_t>()));
    }
    if (!complete && unnamed.empty() && !pages.empty()) {
      failures.push_back(fmt::format("the listing stopped before its last page (the last answer: {}) and no line "
                                     "said so: print a line with the outcome",
                                     pages.back()->received()));
    }
    for (const std::size_t index : unnamed) {
      std::vector<const Sent*> last_page;
      if (!pages.empty()) last_page = by_next[next_order.back()];
      json failed = scenario;  // a listing's failure line: honest about the last page's answer
      failed["expect"] = {{"outcome", {"error", "transport_error"}}};
      judgeOutcome(*operation, failed, "the listing", run.lines[index], last_page, run.line_times[index], failures);
    }
  }

  // Per room: retries only where safe, backoff, the outcome, ErrorCode and RequestId reported.
  for (const auto& room : listing ? std::vector<std::string>{} : rooms) {
    std::vector<const Sent*> attempts;
    for (const auto& entry : sent) {
      if (entry.room == room) attempts.push_back(&entry);
    }
    const std::string shown = "room " + json(room).dump();
    const auto lines = reported.find(room);
    const double reported_at = lines != reported.end() ? run.line_times[lines->second.front()] : run.ended_at;
    judgeAttempts(*operation, scenario, shown, attempts, reported_at, failures);
    if (expect.contains("requests_per_room")) {
      const json& bounds = expect["requests_per_room"];
      const auto count = static_cast<int>(attempts.size());
      if (count < bounds.value("min", 0) || count > bounds.value("max", 1000000)) {
        failures.push_back(fmt::format("{}: {} requests, expected {}..{}", shown, count, bounds.value("min", 0),
                                       bounds.value("max", 1000000)));
      }
    }
    if (lines == reported.end()) {
      if (!run.too_slow) failures.push_back(fmt::format("{}: the adapter reported no outcome for it", shown));
      continue;
    }
    if (lines->second.size() > 1) {
      failures.push_back(fmt::format("{}: reported {} times; report each room exactly once", shown,
                                     lines->second.size()));
    }
    judgeOutcome(*operation, scenario, shown, run.lines[lines->second.front()], attempts, reported_at, failures);
  }

  if (!failures.empty() && !run.stderr_tail.empty()) {
    failures.push_back("adapter stderr (end): " + run.stderr_tail);
  }
  return failures;
}

}  // namespace

void runClientSuite(Target& emulator, const FixtureApps& apps, const ClientAdapter& adapter,
                    const std::vector<Fixture>& fixtures, const RunOptions& options, Report& report) {
  forEachCase(fixtures, "client", "scenarios", options, report,
              [&](const json& scenario, std::vector<std::string>& warnings) {
                return runScenario(emulator, apps, adapter, scenario, warnings);
              });
}

}  // namespace live::conformance
