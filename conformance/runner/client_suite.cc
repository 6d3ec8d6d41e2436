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
#include "suites.h"
#include "testing/child_process.h"

namespace live::conformance {
namespace {

using json = nlohmann::json;

// Answers after which a retry is safe: the room was not touched, or it may not have been.
bool retrySafeAfter(std::int64_t error_code) { return error_code == 100001 || error_code == 60007; }

struct AdapterRun {
  std::vector<json> lines;  // what the adapter printed, parsed
  std::vector<std::string> problems;
  std::string stderr_tail;
};

AdapterRun runAdapter(const ClientAdapter& adapter, const std::string& endpoint, const std::string& key,
                      const std::vector<std::string>& rooms) {
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
  const auto deadline = started + std::chrono::milliseconds(adapter.timeout_ms);
  std::string text;
  for (;;) {
    const std::string line = child.readLine(50);
    if (!line.empty()) {
      text += line + "\n";
      continue;
    }
    if (child.wait(0) >= 0) {
      text += child.readStdout();
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      child.signal(SIGKILL);
      child.wait(5000);
      run.problems.push_back(fmt::format("the adapter did not finish within {} ms", adapter.timeout_ms));
      break;
    }
  }
  std::ifstream stderr_file(stderr_path);
  const std::string stderr_text((std::istreambuf_iterator<char>(stderr_file)), std::istreambuf_iterator<char>());
  run.stderr_tail = stderr_text.size() > 300 ? stderr_text.substr(stderr_text.size() - 300) : stderr_text;
  std::filesystem::remove(stderr_path);
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto parsed = protocol::parseUntrustedJson(line);
    if (!parsed || !parsed.value().is_object()) {
      run.problems.push_back(fmt::format("adapter output: a line that is not a JSON object: {}", line.substr(0, 120)));
      continue;
    }
    run.lines.push_back(std::move(parsed).value());
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
  std::string room;  // the body's RoomId, when it has one
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
  if (!body || !body.value().is_object() || body.value().size() != 1 || sent.room.empty()) {
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

  const AdapterRun run = runAdapter(adapter, emulator.url(), apps.keyOf(kFixtureApp), rooms);
  failures = run.problems;
  const auto journal = emulator.control("GET", "/__emulator/requests", std::nullopt, 200, problem);
  if (!journal) return {"journal: " + problem};
  std::vector<Sent> sent;
  for (const auto& entry : journal->value("requests", json::array())) sent.push_back(toSent(entry));

  // The shape of every request, and random never repeated.
  std::map<std::string, std::size_t> randoms;
  for (std::size_t i = 0; i < sent.size(); ++i) {
    checkShape(sent[i], i, failures);
    if (sent[i].query.contains("random") && sent[i].query["random"].is_string()) {
      const auto [it, fresh] = randoms.emplace(sent[i].query["random"].get<std::string>(), i);
      if (!fresh) {
        failures.push_back(fmt::format("request {}: random {} repeats request {}'s; it must differ between calls",
                                       i + 1, it->first, it->second + 1));
      }
    }
  }
  if (sent.empty() && !rooms.empty()) failures.push_back("the emulator received no request from the client");

  // Per room: retries only where safe, no hammering, the outcome and RequestId reported.
  const json expect = scenario.value("expect", json::object());
  const auto outcomes = expectedOutcomes(expect);
  std::map<std::string, const json*> reported;
  for (const auto& line : run.lines) {
    if (line.contains("RoomId") && line["RoomId"].is_string()) reported[line["RoomId"].get<std::string>()] = &line;
  }
  for (const auto& room : rooms) {
    std::vector<const Sent*> attempts;
    for (const auto& entry : sent) {
      if (entry.room == room) attempts.push_back(&entry);
    }
    for (std::size_t a = 0; a + 1 < attempts.size(); ++a) {
      const Sent& previous = *attempts[a];
      const bool business_error = previous.http_status == 200 && !previous.dropped && previous.error_code != 0 &&
                                  !retrySafeAfter(previous.error_code);
      if (business_error) {
        failures.push_back(fmt::format("room {}: retried after ErrorCode {}, which is final (retry only after "
                                       "a transport error, HTTP 5xx, 100001 or 60007)",
                                       room, previous.error_code));
        break;
      }
    }
    for (std::size_t a = 0; a + 5 < attempts.size(); ++a) {
      if (attempts[a + 5]->time - attempts[a]->time < 1.0) {
        failures.push_back(fmt::format("room {}: 6 requests within {:.0f} ms; retries must back off (at most 5 "
                                       "requests for one room in any second)",
                                       room, (attempts[a + 5]->time - attempts[a]->time) * 1000));
        break;
      }
    }
    if (expect.contains("requests_per_room")) {
      const json& bounds = expect["requests_per_room"];
      const auto count = static_cast<int>(attempts.size());
      if (count < bounds.value("min", 0) || count > bounds.value("max", 1000000)) {
        failures.push_back(fmt::format("room {}: {} requests, expected {}..{}", room, count, bounds.value("min", 0),
                                       bounds.value("max", 1000000)));
      }
    }
    const auto line = reported.find(room);
    if (line == reported.end()) {
      failures.push_back(fmt::format("room {}: the adapter reported no outcome for it", room));
      continue;
    }
    const json& result = *line->second;
    const std::string outcome = result.value("outcome", "");
    if (std::find(outcomes.begin(), outcomes.end(), outcome) == outcomes.end()) {
      const Sent* last = attempts.empty() ? nullptr : attempts.back();
      failures.push_back(fmt::format(
          "room {}: outcome \"{}\" (ErrorCode {}), expected {}{}", room, outcome,
          result.contains("ErrorCode") ? result["ErrorCode"].dump() : "none", json(outcomes).dump(),
          last != nullptr && last->http_status == 200 && !last->dropped
              ? fmt::format("; the emulator's last answer was ErrorCode {}", last->error_code)
              : std::string()));
    }
    if (expect.contains("error_code")) {
      const auto code = expect["error_code"].get<std::int64_t>();
      if (!result.contains("ErrorCode") || !result["ErrorCode"].is_number_integer() ||
          result["ErrorCode"].get<std::int64_t>() != code) {
        failures.push_back(fmt::format("room {}: reported ErrorCode {}, expected {}", room,
                                       result.contains("ErrorCode") ? result["ErrorCode"].dump() : "none", code));
      }
    }
    // The RequestId reported is the one the emulator sent with the deciding answer.
    const Sent* answered = nullptr;
    for (const Sent* attempt : attempts) {
      if (attempt->http_status == 200 && !attempt->dropped && !attempt->request_id.empty()) answered = attempt;
    }
    if (answered != nullptr && (outcome == "destroyed" || outcome == "error" || outcome == "already_destroyed") &&
        result.value("RequestId", "") != answered->request_id) {
      failures.push_back(fmt::format("room {}: reported RequestId {}, but the emulator's answer carried \"{}\"",
                                     room, result.contains("RequestId") ? result["RequestId"].dump() : "none",
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
    if (entry.error_code == 60007) {
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
