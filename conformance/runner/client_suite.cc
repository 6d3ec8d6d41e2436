// The client suite: each scenario resets the emulator, applies its setup, runs the adapter once
// with the rooms to destroy (docs/conformance.md, "The adapter protocol"), then judges the client by
// what it reported and by what the emulator's journal says it sent.
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

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

// Answers after which a retry is safe: the room was not touched, or it may not have been.
bool retrySafeAfter(std::int64_t error_code) { return error_code == 100001 || error_code == 60007; }

// An answer that comes within the vendor's own server-side timeout of 3 s must be waited for
// (chosen).
constexpr double kAnswerMustBeAwaitedS = 3.0;
// A request with no answer must be given up within 15 s, by a retry or a report (chosen), with
// this much slack for reading the report.
constexpr double kGiveUpWithinS = 15.0;
constexpr double kReportSlackS = 0.5;

struct AdapterRun {
  std::vector<json> lines;         // what the adapter printed, parsed
  std::vector<double> line_times;  // when each line was read (Unix seconds, the system clock)
  std::vector<std::string> problems;
  std::string stderr_tail;
  int exit_status = -1;  // -1 when it was killed for taking too long
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

AdapterRun runAdapter(const ClientAdapter& adapter, int timeout_ms, const std::string& endpoint,
                      const std::string& key, const std::vector<std::string>& rooms) {
  AdapterRun run;
  const auto stderr_path =
      std::filesystem::temp_directory_path() / fmt::format("live-conformance-{}.stderr", ::getpid());
  std::vector<std::string> arguments = {"-c", adapter.command + " \"$@\" 2>\"$LIVE_CONFORMANCE_STDERR\"",
                                        "live-conformance-adapter"};
  arguments.insert(arguments.end(), rooms.begin(), rooms.end());
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::string> environment = {
      "LIVE_ENDPOINT=" + endpoint, fmt::format("LIVE_SDKAPPID={}", kFixtureApp),
      std::string("LIVE_IDENTIFIER=") + kFixtureAdmin, "LIVE_SECRET_KEY=" + key,
      "LIVE_CONFORMANCE_STDERR=" + stderr_path.string()};
  if (!adapter.ca_file.empty()) environment.push_back("LIVE_CA_FILE=" + adapter.ca_file);
  testing::ChildProcess child("/bin/sh", arguments, environment);
  const auto deadline = started + std::chrono::milliseconds(timeout_ms);
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
      run.problems.push_back(fmt::format("the adapter did not finish within {} ms", timeout_ms));
      break;
    }
  }
  run.ended_at = unixNow();
  std::ifstream stderr_file(stderr_path);
  const std::string stderr_text((std::istreambuf_iterator<char>(stderr_file)), std::istreambuf_iterator<char>());
  run.stderr_tail = stderr_text.size() > 300 ? stderr_text.substr(stderr_text.size() - 300) : stderr_text;
  std::filesystem::remove(stderr_path);
  for (const auto& [line, at] : read) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto parsed = protocol::parseUntrustedJson(line);
    if (!parsed || !parsed.value().is_object()) {
      run.problems.push_back(fmt::format("adapter output: a line that is not a JSON object: {}", line.substr(0, 120)));
      continue;
    }
    run.lines.push_back(std::move(parsed).value());
    run.line_times.push_back(at);
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
  std::string content_type;
  json usersig;
  std::int64_t error_code = 0;
  std::string request_id;
  int http_status = 0;
  bool dropped = false;
  std::string cut;  // the answer was broken off (truncate_body, reset_midway)
  double delay_s = 0;  // an injected delay before the answer
  double handled_s = 0;  // the emulator's own time on the call, so a client's wait excludes it
  bool injected = false;  // a fault rule shaped the answer
  std::optional<std::string> room;  // the body's RoomId, when it has one

  double answeredAt() const { return time + handled_s + delay_s; }
  // The client received a whole envelope: ErrorCode and RequestId are what it was told.
  bool envelopeReceived() const { return http_status == 200 && !dropped && cut.empty(); }
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
  sent.cut = response.value("cut", "");
  sent.delay_s = static_cast<double>(response.value("delay_ms", std::int64_t{0})) / 1000;
  sent.handled_s = response.value("handled_ms", 0.0) / 1000;
  sent.injected = entry.contains("fault_id");
  if (auto body = protocol::parseUntrustedJson(sent.body);
      body && body.value().is_object() && body.value().contains("RoomId") && body.value()["RoomId"].is_string()) {
    sent.room = body.value()["RoomId"].get<std::string>();
  }
  return sent;
}

// The shape every request must have (docs/conformance.md, "The client suite").
void checkShape(const Sent& sent, std::size_t index, std::vector<std::string>& problems) {
  const auto problem = [&](const std::string& text) {
    problems.push_back(fmt::format("request {}: {}", index + 1, text));
  };
  if (sent.method != "POST") problem(fmt::format("method {}, expected POST", sent.method));
  if (sent.path != protocol::kDestroyRoomPath) problem(fmt::format("path \"{}\", expected \"{}\"", sent.path, protocol::kDestroyRoomPath));
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
  const auto body = protocol::parseUntrustedJson(sent.body);
  if (!body || !body.value().is_object() || body.value().size() != 1 || !sent.room) {
    problem(fmt::format("body {}, expected exactly {{\"RoomId\":\"...\"}}", sent.body.substr(0, 120)));
  }
  if (sent.content_type.rfind("application/json", 0) != 0) {
    problem(fmt::format("Content-Type \"{}\", expected application/json", sent.content_type));
  }
}

std::vector<std::string> expectedOutcomes(const json& expect) {
  const json outcome = expect.value("outcome", json("destroyed"));
  if (outcome.is_array()) return outcome.get<std::vector<std::string>>();
  return {outcome.get<std::string>()};
}

std::vector<std::string> runScenario(Target& emulator, const FixtureApps& apps, const ClientAdapter& adapter,
                                     const json& scenario) {
  std::vector<std::string> failures;
  std::string problem;
  if (!emulator.control("POST", "/__emulator/reset", std::nullopt, 200, problem)) return {"setup: " + problem};
  if (scenario.contains("setup") && !emulator.control("POST", "/__emulator/scenarios", scenario["setup"], 200, problem)) {
    return {"setup: " + problem};
  }
  std::vector<std::string> rooms = scenario.value("rooms", std::vector<std::string>{});
  if (scenario.contains("rooms_generate")) {
    const json& generate = scenario["rooms_generate"];
    json bulk = {{"rooms", json::array()}};
    for (int i = 0; i < generate["count"].get<int>(); ++i) {
      rooms.push_back(fmt::format("{}{}", generate["prefix"].get<std::string>(), i));
      bulk["rooms"].push_back({{"sdkappid", kFixtureApp}, {"room_id", rooms.back()}, {"owner", kFixtureAdmin}});
    }
    if (!emulator.control("POST", "/__emulator/rooms", bulk, 201, problem)) return {"setup: " + problem};
  }

  const int timeout_ms = scenario.value("timeout_ms", adapter.timeout_ms);
  const AdapterRun run = runAdapter(adapter, timeout_ms, emulator.url(), apps.keyOf(kFixtureApp), rooms);
  failures = run.problems;
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

  // The shape of every request, and random never repeated.
  std::map<std::string, std::size_t> randoms;
  for (std::size_t i = 0; i < sent.size(); ++i) {
    checkShape(sent[i], i, failures);
    if (sent[i].room && asked.count(*sent[i].room) == 0) {
      failures.push_back(fmt::format("request {}: RoomId {} is not a room the adapter was given (its body: {}): "
                                     "the id must reach the server exactly as given",
                                     i + 1, json(*sent[i].room).dump(), sent[i].body.substr(0, 120)));
    }
    if (sent[i].query.contains("random") && sent[i].query["random"].is_string()) {
      const auto [it, fresh] = randoms.emplace(sent[i].query["random"].get<std::string>(), i);
      if (!fresh) {
        failures.push_back(fmt::format("request {}: random {} repeats request {}'s; it must differ between calls",
                                       i + 1, it->first, it->second + 1));
      }
    }
  }
  if (sent.empty() && !rooms.empty()) failures.push_back("the emulator received no request from the client");

  // Output discipline: exactly one line for each room asked for, none for others.
  const json expect = scenario.value("expect", json::object());
  const auto outcomes = expectedOutcomes(expect);
  std::map<std::string, std::vector<std::size_t>> reported;  // room -> indexes into run.lines
  for (std::size_t i = 0; i < run.lines.size(); ++i) {
    const json& line = run.lines[i];
    if (!line.contains("RoomId") || !line["RoomId"].is_string()) {
      failures.push_back(fmt::format("adapter output: a line without a string RoomId: {}", line.dump().substr(0, 120)));
      continue;
    }
    const std::string room = line["RoomId"].get<std::string>();
    if (asked.count(room) == 0) {
      failures.push_back(fmt::format("adapter output: a line for {}, a room it was not asked to destroy", json(room).dump()));
      continue;
    }
    reported[room].push_back(i);
  }

  // Per room: retries only where safe, backoff, the outcome and RequestId reported.
  for (const auto& room : rooms) {
    std::vector<const Sent*> attempts;
    for (const auto& entry : sent) {
      if (entry.room == room) attempts.push_back(&entry);
    }
    const std::string shown = json(room).dump();
    for (std::size_t a = 0; a + 1 < attempts.size(); ++a) {
      const Sent& previous = *attempts[a];
      const bool business_error =
          previous.envelopeReceived() && previous.error_code != 0 && !retrySafeAfter(previous.error_code);
      if (business_error) {
        failures.push_back(fmt::format("room {}: retried after ErrorCode {}, which is final (retry only after "
                                       "a transport error, HTTP 5xx, 100001 or 60007)",
                                       shown, previous.error_code));
        break;
      }
      // An answer that comes within the vendor's own 3 s is waited for, not raced.
      const Sent& next = *attempts[a + 1];
      if (previous.delay_s > 0 && previous.delay_s < kAnswerMustBeAwaitedS && next.time < previous.answeredAt()) {
        failures.push_back(fmt::format("room {}: request {} was sent {:.0f} ms after the previous one, while that one "
                                       "was still open (its answer came after {:.0f} ms): wait for the answer, do "
                                       "not send a second request",
                                       shown, a + 2, (next.time - previous.time) * 1000, previous.delay_s * 1000));
        break;
      }
    }
    std::vector<Attempt> timeline;
    for (const Sent* attempt : attempts) timeline.push_back({attempt->time, attempt->answeredAt()});
    for (const auto& judged : {judgeCeiling(timeline), judgeBackoff(timeline)}) {
      if (judged) {
        failures.push_back(fmt::format("room {}: {}", shown, *judged));
        break;
      }
    }
    if (expect.contains("requests_per_room")) {
      const json& bounds = expect["requests_per_room"];
      const auto count = static_cast<int>(attempts.size());
      if (count < bounds.value("min", 0) || count > bounds.value("max", 1000000)) {
        failures.push_back(fmt::format("room {}: {} requests, expected {}..{}", shown, count, bounds.value("min", 0),
                                       bounds.value("max", 1000000)));
      }
    }
    const auto lines = reported.find(room);
    // A silent server: the attempt is given up within 15 s, by a retry or by a report.
    const double reported_at = lines != reported.end() ? run.line_times[lines->second.front()] : run.ended_at;
    for (std::size_t a = 0; a < attempts.size(); ++a) {
      const Sent& attempt = *attempts[a];
      if (attempt.delay_s < kGiveUpWithinS) continue;
      const double moved_on = a + 1 < attempts.size() ? attempts[a + 1]->time : reported_at;
      if (moved_on - attempt.time > kGiveUpWithinS + kReportSlackS) {
        failures.push_back(fmt::format("room {}: request {} got no answer, and the client waited {:.1f} s without "
                                       "retrying or reporting: it needs a timeout (give up within {:.0f} s)",
                                       shown, a + 1, moved_on - attempt.time, kGiveUpWithinS));
      }
    }
    if (lines == reported.end()) {
      failures.push_back(fmt::format("room {}: the adapter reported no outcome for it", shown));
      continue;
    }
    if (lines->second.size() > 1) {
      failures.push_back(fmt::format("room {}: reported {} times; report each room exactly once", shown,
                                     lines->second.size()));
    }
    const json& result = run.lines[lines->second.front()];
    const std::string outcome = stringMember(result, "outcome");
    const Sent* last = attempts.empty() ? nullptr : attempts.back();
    if (std::find(outcomes.begin(), outcomes.end(), outcome) == outcomes.end()) {
      failures.push_back(fmt::format(
          "room {}: outcome \"{}\" (ErrorCode {}), expected {}{}", shown, outcome,
          result.contains("ErrorCode") ? result["ErrorCode"].dump() : "none", json(outcomes).dump(),
          last != nullptr && last->envelopeReceived()
              ? fmt::format("; the emulator's last answer was ErrorCode {}", last->error_code)
              : std::string()));
    }
    // "destroyed" rests on an answer that said so.
    if (outcome == "destroyed" &&
        std::none_of(attempts.begin(), attempts.end(),
                     [](const Sent* attempt) { return attempt->envelopeReceived() && attempt->error_code == 0; })) {
      std::string answers;
      for (const Sent* attempt : attempts) {
        answers += answers.empty() ? "" : ", ";
        answers += attempt->envelopeReceived() ? std::to_string(attempt->error_code)
                   : !attempt->cut.empty()     ? attempt->cut
                   : attempt->dropped          ? std::string("no answer")
                                               : fmt::format("HTTP {}", attempt->http_status);
      }
      failures.push_back(fmt::format("room {}: reported destroyed, but no answer the emulator sent said so (its "
                                     "answers: {})",
                                     shown, answers.empty() ? "none" : answers));
    }
    if (expect.contains("error_code")) {
      const auto code = expect["error_code"].get<std::int64_t>();
      if (!result.contains("ErrorCode") || !result["ErrorCode"].is_number_integer() ||
          result["ErrorCode"].get<std::int64_t>() != code) {
        failures.push_back(fmt::format("room {}: reported ErrorCode {}, expected {}", shown,
                                       result.contains("ErrorCode") ? result["ErrorCode"].dump() : "none", code));
      }
    }
    // The RequestId reported is the one the emulator sent with the deciding answer.
    const Sent* answered = nullptr;
    for (const Sent* attempt : attempts) {
      if (attempt->envelopeReceived() && !attempt->request_id.empty()) answered = attempt;
    }
    if (answered != nullptr && (outcome == "destroyed" || outcome == "error" || outcome == "already_destroyed") &&
        stringMember(result, "RequestId") != answered->request_id) {
      failures.push_back(fmt::format("room {}: reported RequestId {}, but the emulator's answer carried \"{}\"",
                                     shown, result.contains("RequestId") ? result["RequestId"].dump() : "none",
                                     answered->request_id));
    }
  }

  // Never over the documented 200 requests per second.
  for (std::size_t i = 0; i + 200 < sent.size(); ++i) {
    if (sent[i + 200].time - sent[i].time < 1.0) {
      failures.push_back(fmt::format("201 requests within {:.0f} ms: over the documented limit of 200 per second",
                                     (sent[i + 200].time - sent[i].time) * 1000));
      break;
    }
  }
  for (const auto& entry : sent) {
    if (entry.error_code == 60007 && !entry.injected) {
      failures.push_back("the emulator answered 60007 (rate limited): the client must pace itself below 200/s");
      break;
    }
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
              [&](const json& scenario) { return runScenario(emulator, apps, adapter, scenario); });
}

}  // namespace live::conformance
