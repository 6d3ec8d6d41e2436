// Parity (docs/parity.md): the server cases that need no control API and cannot change state, sent
// to any target (the vendor's hosts included) with the caller's own credentials, recorded as a
// snapshot; and the comparison of two snapshots.
#include "parity.h"

#include "protocol/endpoints.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iterator>
#include <random>
#include <set>
#include <thread>

#include "protocol/envelope.h"
#include "protocol/json_limits.h"
#include "requests.h"

namespace live::conformance {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

// Codes whose cases need the fixtures' own state: an app's status (row 10), the limiter (row 17),
// rooms and owners (rows 21-22).
const std::set<std::int64_t> kStatefulCodes = {0, 60007, 60016, 60020, 100006};
// The commands that create or change something; of the family, only the reads are sent.
const std::set<std::string> kNeverSentPaths = {
    protocol::kCreateRoomPath,        protocol::kUpdateRoomInfoPath,     protocol::kSetCallbackPath,
    protocol::kUpdateCallbackPath,    protocol::kSetCallbackTokenPath,   protocol::kSetRoomMetadataPath,
    protocol::kDelRoomMetadataPath,   protocol::kAddRobotPath,           protocol::kDelRobotPath,
    protocol::kModifyAdminPath,       protocol::kBanMemberPath,          protocol::kUnbanMemberPath,
    protocol::kPickUserOnSeatPath,    protocol::kKickUserOffSeatPath,    protocol::kLockSeatPath,
    protocol::kMoveUserToSeatPath,    protocol::kSwitchSeatPath,         protocol::kAccountImportPath,
    protocol::kMultiaccountImportPath, protocol::kAccountDeletePath};

std::string typeName(const json& value) {
  if (value.is_number_integer()) return "integer";
  if (value.is_number()) return "number";
  return value.type_name();
}

// ErrorInfo as stored: the parity RoomId, a date-time "YYYY-MM-DD hh:mm:ss" and every number of 9
// or more digits (times, apps) stand in placeholders, so that runs at different times and with
// different apps compare. (Hand-written: GCC 12 warns inside std::regex under the sanitizers.)
std::string normalizedErrorInfo(std::string text, const std::string& room_id) {
  for (auto at = text.find(room_id); !room_id.empty() && at != std::string::npos; at = text.find(room_id, at)) {
    text.replace(at, room_id.size(), "<room>");
  }
  const auto digit = [&](std::size_t i) { return i < text.size() && text[i] >= '0' && text[i] <= '9'; };
  const auto isDate = [&](std::size_t i) {
    static constexpr std::string_view kShape = "dddd-dd-dd dd:dd:dd";
    if (i + kShape.size() > text.size()) return false;
    for (std::size_t k = 0; k < kShape.size(); ++k) {
      if (kShape[k] == 'd' ? !digit(i + k) : text[i + k] != kShape[k]) return false;
    }
    return true;
  };
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    if (isDate(i)) {
      out += "<date>";
      i += 19;
      continue;
    }
    std::size_t end = i;
    while (digit(end)) ++end;
    if (end - i >= 9) {
      out += "<n>";
      i = end;
    } else if (end > i) {
      out.append(text, i, end - i);
      i = end;
    } else {
      out += text[i++];
    }
  }
  return out;
}

// The request target with the UserSig's value masked.
std::string maskedUserSig(std::string target) {
  for (auto at = target.find("usersig="); at != std::string::npos; at = target.find("usersig=", at + 1)) {
    const auto value = at + 8;
    const auto end = target.find('&', value);
    target.replace(value, (end == std::string::npos ? target.size() : end) - value, "<UserSig>");
  }
  return target;
}

json describeAnswer(const HttpAnswer& answer, const std::string& room_id) {
  if (!answer.received) return json{{"error", answer.error}};
  json out{{"http_status", answer.status}, {"content_type", answer.content_type}};
  auto parsed = protocol::parseUntrustedJson(answer.body);
  if (!parsed || !parsed.value().is_object()) {
    out["body"] = answer.body.empty() ? "empty" : (answer.body.find('<') != std::string::npos ? "html" : "text");
    return out;
  }
  const auto ordered = ordered_json::parse(answer.body);
  json members = json::array();
  json types = json::object();
  for (const auto& item : ordered.items()) {
    members.push_back(item.key());
    types[item.key()] = typeName(parsed.value()[item.key()]);
  }
  out["members"] = members;
  out["types"] = types;
  const json& envelope = parsed.value();
  if (envelope.contains("ErrorCode")) out["error_code"] = envelope["ErrorCode"];
  if (envelope.contains("ErrorInfo") && envelope["ErrorInfo"].is_string()) {
    out["error_info"] = normalizedErrorInfo(envelope["ErrorInfo"].get<std::string>(), room_id);
  }
  out["request_id_shape"] = envelope.contains("RequestId") && envelope["RequestId"].is_string() &&
                            protocol::isWellFormedRequestId(envelope["RequestId"].get<std::string>());
  return out;
}

std::string utcNow() {
  const std::time_t now = std::time(nullptr);
  std::tm parts{};
  gmtime_r(&now, &parts);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

// A RoomId that cannot exist: a fixed prefix and random hex, 48 bytes.
std::string impossibleRoomId() {
  std::random_device device;
  std::string id = "live-conformance-parity-";
  static constexpr char kHex[] = "0123456789abcdef";
  while (id.size() < 48) id += kHex[device() % 16];
  return id;
}

}  // namespace

std::vector<json> selectParityCases(const std::vector<Fixture>& fixtures, const json& config) {
  std::set<std::string> other_apps;
  for (const auto& app : config.value("apps", json::array())) {
    if (app.value("sdkappid", 0u) != kFixtureApp) other_apps.insert(std::to_string(app.value("sdkappid", 0u)));
  }
  std::vector<json> selected;
  for (const auto& fixture : fixtures) {
    for (const auto& test : fixture.value["cases"]) {
      if (test.contains("setup")) continue;
      bool eligible = !test.value("steps", json::array()).empty();
      for (const auto& step : test.value("steps", json::array())) {
        const json expect = step.value("expect", json::object());
        const json set = step.contains("request") ? step["request"].value("query", json::object()).value("set", json::object())
                                                  : json::object();
        // Never a command that could create or change something, even if production checked
        // differently; destroy_room's RoomId cannot exist, and the reads change nothing.
        const std::string path = step.contains("request") ? step["request"].value("path", protocol::kDestroyRoomPath) : "";
        eligible = eligible && kNeverSentPaths.count(path) == 0;
        eligible = eligible && step.contains("request") && step.value("repeat", 1) == 1 &&
                   expect.value("http_status", 200) == 200 && expect.contains("error_code") &&
                   kStatefulCodes.count(expect["error_code"].get<std::int64_t>()) == 0 &&
                   !(set.contains("sdkappid") && set["sdkappid"].is_string() &&
                     other_apps.count(set["sdkappid"].get<std::string>()) > 0);
      }
      if (eligible) selected.push_back(test);
    }
  }
  return selected;
}

json runParity(Target& target, const ParityCaller& caller, const std::vector<json>& cases, const ParityOptions& options) {
  const std::string room_id = impossibleRoomId();
  Caller requests{caller.sdkappid, caller.identifier,
                  [key = caller.secret_key](std::uint32_t) { return key; }, room_id};
  json snapshot{{"format", kParitySnapshotFormat},
                {"version", kParitySnapshotVersion},
                {"recorded", {{"at", utcNow()}, {"target", options.target_label}, {"tool", options.tool}}},
                {"cases", json::array()}};
  const auto interval = std::chrono::microseconds(1'000'000 / std::max(1, options.rate));
  auto next_send = std::chrono::steady_clock::now();
  for (const auto& test : cases) {
    const std::string name = test["name"].get<std::string>();
    if (!options.filter.empty() && name.find(options.filter) == std::string::npos) continue;
    json recorded{{"name", name}, {"request", test.value("title", "")}, {"answers", json::array()}};
    std::string line;
    for (const auto& step : test["steps"]) {
      const auto now = static_cast<std::int64_t>(std::time(nullptr));
      const BuiltRequest built = build(step["request"], requests, now);
      if (options.dry_run) {
        const std::string shown = maskedUserSig(built.target);
        std::printf("%-44s %s %s%s body %s\n", name.c_str(), built.method.c_str(), target.url().c_str(),
                    shown.c_str(), built.body.substr(0, 120).c_str());
        continue;
      }
      std::this_thread::sleep_until(next_send);  // at most `rate` requests per second
      next_send = std::chrono::steady_clock::now() + interval;
      const HttpAnswer answer = target.send(built.method, built.target, built.body, built.content_type);
      const json described = describeAnswer(answer, room_id);
      recorded["answers"].push_back(described);
      if (!line.empty()) line += "; ";
      if (described.contains("error")) {
        line += "no answer (" + described["error"].get<std::string>() + ")";
      } else if (described.contains("error_code")) {
        line += fmt::format("HTTP {} ErrorCode {}", described["http_status"].get<int>(), described["error_code"].dump());
      } else {
        line += fmt::format("HTTP {} {} ({} body, not the vendor's envelope)", described["http_status"].get<int>(),
                            described["content_type"].get<std::string>(),
                            described.value("body", std::string("JSON")));
      }
    }
    if (!options.dry_run) {
      std::printf("%-44s %s\n", name.c_str(), line.c_str());
      std::fflush(stdout);
      snapshot["cases"].push_back(recorded);
    }
  }
  return snapshot;
}

Result<json> loadSnapshot(const std::string& path) {
  std::ifstream file(path);
  if (!file) return Failure{fmt::format("{}: cannot be read", path)};
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  auto parsed = protocol::parseUntrustedJson(text);
  if (!parsed) return Failure{fmt::format("{}: not JSON ({})", path, parsed.error())};
  const json& snapshot = parsed.value();
  if (!snapshot.is_object() || snapshot.value("format", "") != kParitySnapshotFormat) {
    return Failure{fmt::format("{}: format: expected \"{}\" (not a parity snapshot)", path, kParitySnapshotFormat)};
  }
  if (!snapshot.contains("version") || snapshot["version"] != kParitySnapshotVersion) {
    return Failure{fmt::format("{}: version: expected {}", path, kParitySnapshotVersion)};
  }
  if (!snapshot.contains("cases") || !snapshot["cases"].is_array()) {
    return Failure{fmt::format("{}: cases: expected an array", path)};
  }
  for (std::size_t i = 0; i < snapshot["cases"].size(); ++i) {
    const json& entry = snapshot["cases"][i];
    if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string()) {
      return Failure{fmt::format("{}: cases[{}].name: expected a string", path, i)};
    }
    if (!entry.contains("answers") || !entry["answers"].is_array()) {
      return Failure{fmt::format("{}: cases[{}].answers: expected an array", path, i)};
    }
  }
  return parsed;
}

Result<std::vector<KnownDifference>> loadKnownDifferences(const std::string& path) {
  std::ifstream file(path);
  if (!file) return Failure{fmt::format("{}: cannot be read", path)};
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  auto parsed = protocol::parseUntrustedJson(text);
  if (!parsed || !parsed.value().is_object() || !parsed.value().contains("differences") ||
      !parsed.value()["differences"].is_array()) {
    return Failure{fmt::format("{}: expected {{\"differences\": [{{\"case\", \"field\", \"reason\"}}]}}", path)};
  }
  std::vector<KnownDifference> known;
  const json& list = parsed.value()["differences"];
  for (std::size_t i = 0; i < list.size(); ++i) {
    const json& entry = list[i];
    for (const char* key : {"case", "field", "reason"}) {
      if (!entry.is_object() || !entry.contains(key) || !entry[key].is_string() || entry[key].get<std::string>().empty()) {
        return Failure{fmt::format("{}: differences[{}].{}: expected a non-empty string", path, i, key)};
      }
    }
    known.push_back({entry["case"].get<std::string>(), entry["field"].get<std::string>(), entry["reason"].get<std::string>()});
  }
  return known;
}

std::vector<Difference> compareSnapshots(const json& a, const json& b) {
  std::vector<Difference> differences;
  std::map<std::string, const json*> in_b;
  for (const auto& entry : b["cases"]) in_b[entry["name"].get<std::string>()] = &entry;
  std::set<std::string> seen;
  for (const auto& entry : a["cases"]) {
    const std::string name = entry["name"].get<std::string>();
    seen.insert(name);
    const auto other = in_b.find(name);
    if (other == in_b.end()) {
      differences.push_back({name, "case", "present", "absent"});
      continue;
    }
    const json& answers_a = entry["answers"];
    const json& answers_b = (*other->second)["answers"];
    for (std::size_t i = 0; i < std::max(answers_a.size(), answers_b.size()); ++i) {
      const std::string prefix = answers_a.size() > 1 || answers_b.size() > 1 ? fmt::format("answer {}: ", i + 1) : "";
      const json left = i < answers_a.size() ? answers_a[i] : json();
      const json right = i < answers_b.size() ? answers_b[i] : json();
      std::set<std::string> fields;
      for (const auto& [key, unused] : left.items()) fields.insert(key);
      for (const auto& [key, unused] : right.items()) fields.insert(key);
      for (const auto& field : fields) {
        const json l = left.is_object() && left.contains(field) ? left[field] : json();
        const json r = right.is_object() && right.contains(field) ? right[field] : json();
        if (l != r) differences.push_back({name, prefix + field, l.is_null() ? "-" : l.dump(), r.is_null() ? "-" : r.dump()});
      }
    }
  }
  for (const auto& [name, entry] : in_b) {
    if (!seen.count(name)) differences.push_back({name, "case", "absent", "present"});
  }
  return differences;
}

}  // namespace live::conformance
