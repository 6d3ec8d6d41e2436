// Matching, counting and the diff-like failure message of docs/control-api.md, "Verification".
#include "domain/verification.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "domain/api/parse.h"
#include "protocol/callback.h"

namespace live::domain {
namespace {

using json = nlohmann::json;

// A call or a delivery, as verification reads it.
struct Seen {
  std::uint64_t id = 0;
  std::string method;
  std::string api;
  std::string room_id;
  std::string identifier;
  std::int64_t error_code = 0;
  std::string state;
  std::string event_type;
  std::string line;  // what the failure message shows
  json compact;      // what the answer lists when it matches
};

std::string quoted(const std::string& text) { return json(text).dump(); }

// What a fault did to the call, read from what was answered.
std::string faultText(const JournalEntry& entry) {
  if (!entry.fault_id) return "";
  std::string action;
  if (entry.dropped) {
    action = "drop_connection";
  } else if (!entry.cut.empty()) {
    action = std::string(entry.cut);
  } else if (entry.http_status != 200) {
    action = fmt::format("http_status {}", entry.http_status);
  } else if (entry.error_code != 0) {
    action = fmt::format("error_code {}", entry.error_code);
  } else {
    action = "late";
  }
  if (entry.delay_ms > 0) action += fmt::format(", delay {} ms", entry.delay_ms);
  return fmt::format("  fault {} ({})", *entry.fault_id, action);
}

Seen seenCall(const JournalEntry& entry) {
  Seen seen{entry.seq, entry.method, entry.api, entry.room_id, entry.identifier, entry.error_code, "", "", "", json()};
  std::string answered;
  if (entry.dropped) {
    answered = "no answer (connection dropped)";
  } else if (entry.http_status != 200) {
    answered = fmt::format("HTTP {}, no envelope", entry.http_status);
  } else if (!entry.cut.empty()) {
    answered = fmt::format("answer cut ({})", entry.cut);
  } else {
    answered = fmt::format("ErrorCode={}", entry.error_code);
  }
  seen.line = fmt::format("#{} {} {}  RoomId={}  {}{}", entry.seq, entry.method.empty() ? "-" : entry.method,
                          entry.api.empty() ? entry.path : entry.api, quoted(entry.room_id), answered, faultText(entry));
  seen.compact = json{{"seq", entry.seq}, {"method", entry.method}, {"api", entry.api}, {"room_id", entry.room_id},
                      {"error_code", entry.error_code}};
  seen.compact["fault_id"] = entry.fault_id ? json(*entry.fault_id) : json();
  return seen;
}

Seen seenDelivery(const CallbackDelivery& delivery) {
  Seen seen{delivery.id, "POST", delivery.command, delivery.room_id, "", 0, delivery.state, delivery.event_type, "", json()};
  std::string outcome = delivery.state;
  if (delivery.state == "delivered") outcome += fmt::format(" (HTTP {})", delivery.http_status);
  if (!delivery.error.empty()) outcome += ": " + delivery.error;
  seen.line = fmt::format("#{} {}  RoomId={}{}  {}{}", delivery.id, delivery.command, quoted(delivery.room_id),
                          delivery.event_type.empty() ? "" : "  EventType=" + delivery.event_type, outcome,
                          delivery.fault_id ? fmt::format("  fault {} ({})", *delivery.fault_id, toString(delivery.fault)) : "");
  seen.compact = json{{"id", delivery.id}, {"command", delivery.command}, {"room_id", delivery.room_id},
                      {"event_type", delivery.event_type}, {"state", delivery.state}};
  return seen;
}

bool matches(const CallPattern& pattern, const Seen& seen, bool on_callbacks) {
  if (pattern.api && seen.api != *pattern.api) return false;
  if (pattern.room_id && seen.room_id != *pattern.room_id) return false;
  if (pattern.error_code && seen.error_code != *pattern.error_code) return false;
  if (pattern.identifier && seen.identifier != *pattern.identifier) return false;
  if (pattern.event_type && seen.event_type != *pattern.event_type) return false;
  if (on_callbacks) {
    const std::string state = pattern.state.value_or("delivered");
    if (state != "any" && seen.state != state) return false;
  }
  return true;
}

std::string describe(const CallPattern& pattern) {
  std::vector<std::string> parts;
  if (pattern.api) parts.push_back("api=" + *pattern.api);
  if (pattern.room_id) parts.push_back("RoomId=" + quoted(*pattern.room_id));
  if (pattern.error_code) parts.push_back(fmt::format("ErrorCode={}", *pattern.error_code));
  if (pattern.identifier) parts.push_back("identifier=" + quoted(*pattern.identifier));
  if (pattern.event_type) parts.push_back("EventType=" + *pattern.event_type);
  if (pattern.state) parts.push_back("state=" + *pattern.state);
  return parts.empty() ? std::string("any call") : fmt::format("{}", fmt::join(parts, " "));
}

std::string countText(const Verification& verification) {
  const auto calls = [](std::uint64_t n) { return fmt::format("{} call{}", n, n == 1 ? "" : "s"); };
  if (verification.exactly) return *verification.exactly == 0 ? "no call" : "exactly " + calls(*verification.exactly);
  std::vector<std::string> bounds;
  if (verification.at_least) bounds.push_back("at least " + calls(*verification.at_least));
  if (verification.at_most) bounds.push_back("at most " + calls(*verification.at_most));
  if (bounds.empty()) return "at least 1 call";
  return fmt::format("{}", fmt::join(bounds, " and "));
}

std::string scopeText(const Verification& verification) {
  return verification.sdkappid ? fmt::format("app {}", *verification.sdkappid) : std::string("every app");
}

// The seen calls, one line each, those in `marked` prefixed with "> ".
std::string seenLines(const Verification& verification, const std::vector<Seen>& seen,
                      const std::set<std::uint64_t>& marked, std::string_view what) {
  std::string out = fmt::format("{} seen in {} ({}), > marks {}:\n", verification.on_callbacks ? "callbacks" : "calls",
                                scopeText(verification), seen.size(), what);
  if (seen.empty()) return out + "  (none)\n";
  const std::size_t first = seen.size() > kVerifyLinesShown ? seen.size() - kVerifyLinesShown : 0;
  if (first > 0) out += fmt::format("  ... {} earlier not shown\n", first);
  for (std::size_t i = first; i < seen.size(); ++i) {
    out += marked.count(seen[i].id) != 0 ? "> " : "  ";
    out += seen[i].line;
    out += '\n';
  }
  return out;
}

VerificationResult evaluateSeen(const Verification& verification, const std::vector<Seen>& seen) {
  VerificationResult result;
  result.calls = json::array();
  std::set<std::uint64_t> marked;
  if (!verification.sequence) {
    const CallPattern& pattern = verification.patterns.front();
    for (const auto& item : seen) {
      if (!matches(pattern, item, verification.on_callbacks)) continue;
      ++result.matched;
      marked.insert(item.id);
      result.calls.push_back(item.compact);
    }
    const std::uint64_t n = result.matched;
    const bool low = verification.exactly ? n < *verification.exactly
                                          : n < verification.at_least.value_or(verification.at_most ? 0 : 1);
    const bool high = (verification.exactly && n > *verification.exactly) || (verification.at_most && n > *verification.at_most);
    result.ok = !low && !high;
    result.settled = high;  // more calls only add matches
    if (!result.ok) {
      result.message = fmt::format("expected {} matching {} in {}, found {}\n", countText(verification),
                                   describe(pattern), scopeText(verification), n);
      result.message += seenLines(verification, seen, marked, "a match");
    }
    return result;
  }
  // A sequence: greedily, the first call that matches each step after the previous step's call.
  const auto& steps = verification.patterns;
  std::vector<std::optional<std::uint64_t>> found(steps.size());
  std::size_t step = 0;
  for (const auto& item : seen) {
    if (step < steps.size() && matches(steps[step], item, verification.on_callbacks)) {
      found[step++] = item.id;
    }
  }
  bool ok = step == steps.size();
  std::optional<std::size_t> strict_start;
  if (verification.strict) {
    ok = false;
    for (std::size_t start = 0; start + steps.size() <= seen.size() && !ok; ++start) {
      bool all = true;
      for (std::size_t i = 0; i < steps.size() && all; ++i) all = matches(steps[i], seen[start + i], verification.on_callbacks);
      if (all) {
        ok = true;
        strict_start = start;
      }
    }
  }
  result.ok = ok;
  if (ok) {
    for (std::size_t i = 0; i < steps.size(); ++i) {
      const Seen& item = strict_start ? seen[*strict_start + i]
                                      : *std::find_if(seen.begin(), seen.end(), [&](const Seen& s) { return s.id == *found[i]; });
      result.calls.push_back(item.compact);
    }
    result.matched = steps.size();
    return result;
  }
  result.matched = step;
  result.message = fmt::format("expected these {} in this order in {}{}:\n", verification.on_callbacks ? "callbacks" : "calls",
                               scopeText(verification),
                               verification.strict ? ", one right after another" : " (other calls between them allowed)");
  std::uint64_t after = 0;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    std::string where;
    if (found[i]) {
      where = fmt::format("found #{}", *found[i]);
      after = *found[i];
      marked.insert(*found[i]);
    } else {
      where = after == 0 ? "missing" : fmt::format("missing after #{}", after);
    }
    result.message += fmt::format("{} {}. {}  {}\n", found[i] ? ' ' : '-', i + 1, describe(steps[i]), where);
  }
  if (verification.strict && step == steps.size()) {
    result.message += "  each step was found, but with other calls between them\n";
  }
  result.message += seenLines(verification, seen, marked, "a step");
  return result;
}

Result<CallPattern> parsePattern(const json& value, const std::string& path, bool& on_callbacks, bool first) {
  if (!value.is_object()) return Failure{path + ": expected an object such as {\"api\": \"destroy_room\", \"room_id\": \"r1\"}"};
  CallPattern pattern;
  for (const auto& item : value.items()) {
    // Not a structured binding: clang 14 cannot capture one in the lambda below.
    const std::string& name = item.key();
    const json& member = item.value();
    const std::string member_path = path + "." + name;
    const auto text = [&]() -> Result<std::string> {
      if (!member.is_string()) return Failure{member_path + ": expected a string"};
      return member.get<std::string>();
    };
    if (name == "api" || name == "command") {
      auto api = text();
      if (!api) return Failure{api.error()};
      pattern.api = std::move(api).value();
    } else if (name == "room_id") {
      auto room = text();
      if (!room) return Failure{room.error()};
      pattern.room_id = std::move(room).value();
    } else if (name == "identifier") {
      auto identifier = text();
      if (!identifier) return Failure{identifier.error()};
      pattern.identifier = std::move(identifier).value();
    } else if (name == "error_code") {
      if (!member.is_number_integer()) return Failure{member_path + ": expected an integer ErrorCode"};
      pattern.error_code = member.get<std::int64_t>();
    } else if (name == "state") {
      auto state = text();
      if (!state) return Failure{state.error()};
      static const std::set<std::string> kStates{"delivered", "failed", "pending", "skipped", "overflow", "any"};
      if (kStates.count(state.value()) == 0) {
        return Failure{member_path + ": expected \"delivered\", \"failed\", \"pending\", \"skipped\", \"overflow\" or \"any\""};
      }
      pattern.state = std::move(state).value();
    } else if (name == "event_type") {
      auto event = text();
      if (!event) return Failure{event.error()};
      pattern.event_type = std::move(event).value();
    } else {
      return Failure{fmt::format("{}: unknown member (a pattern takes api, room_id, error_code, identifier, "
                                 "and for callbacks state and event_type)",
                                 member_path)};
    }
  }
  const bool callback = pattern.api && protocol::isCallbackCommand(*pattern.api);
  if (first) {
    on_callbacks = callback;
  } else if (callback != on_callbacks) {
    return Failure{path + ".api: a verification reads either calls or callbacks, not both"};
  }
  if (on_callbacks && (pattern.error_code || pattern.identifier)) {
    return Failure{path + ": error_code and identifier are members of calls, not of callbacks"};
  }
  if (!on_callbacks && (pattern.state || pattern.event_type)) {
    return Failure{path + ": state and event_type are members of callbacks; name a callback command in api"};
  }
  return pattern;
}

}  // namespace

Result<Verification> parseVerification(const json& value) {
  if (!value.is_object()) return Failure{"verification: expected an object"};
  static const std::set<std::string> kKnown{"sdkappid", "where", "sequence", "strict", "count", "at_least", "at_most", "wait_ms"};
  for (const auto& [name, member] : value.items()) {
    if (kKnown.count(name) == 0) {
      return Failure{fmt::format("{}: unknown member (known: sdkappid, where, count, at_least, at_most, sequence, "
                                 "strict, wait_ms)",
                                 name)};
    }
  }
  Verification verification;
  if (value.contains("sdkappid")) {
    const auto sdkappid = nonNegativeInteger(value["sdkappid"]);
    if (!sdkappid || *sdkappid > UINT32_MAX) return Failure{"sdkappid: expected an integer in 0..4294967295"};
    verification.sdkappid = static_cast<SdkAppId>(*sdkappid);
  }
  const bool where = value.contains("where");
  const bool sequence = value.contains("sequence");
  if (where == sequence) return Failure{"give \"where\" (a pattern to count) or \"sequence\" (patterns in order), one of them"};
  if (where) {
    auto pattern = parsePattern(value["where"], "where", verification.on_callbacks, true);
    if (!pattern) return Failure{pattern.error()};
    verification.patterns.push_back(std::move(pattern).value());
    for (const auto* name : {"count", "at_least", "at_most"}) {
      if (!value.contains(name)) continue;
      const auto n = nonNegativeInteger(value[name]);
      if (!n) return Failure{fmt::format("{}: expected a non-negative integer", name)};
      (std::string(name) == "count" ? verification.exactly
       : std::string(name) == "at_least" ? verification.at_least
                                         : verification.at_most) = *n;
    }
    if (verification.exactly && (verification.at_least || verification.at_most)) {
      return Failure{"count: give count, or at_least and/or at_most, not both"};
    }
    if (verification.at_least && verification.at_most && *verification.at_least > *verification.at_most) {
      return Failure{"at_least: greater than at_most, so no number of calls could satisfy it"};
    }
    if (value.contains("strict")) return Failure{"strict: only a sequence is strict"};
  } else {
    verification.sequence = true;
    const json& steps = value["sequence"];
    if (!steps.is_array() || steps.empty()) return Failure{"sequence: expected a non-empty array of patterns"};
    for (std::size_t i = 0; i < steps.size(); ++i) {
      auto pattern = parsePattern(steps[i], fmt::format("sequence[{}]", i), verification.on_callbacks, i == 0);
      if (!pattern) return Failure{pattern.error()};
      verification.patterns.push_back(std::move(pattern).value());
    }
    for (const auto* name : {"count", "at_least", "at_most"}) {
      if (value.contains(name)) return Failure{fmt::format("{}: a sequence is not counted; use \"where\"", name)};
    }
    if (value.contains("strict")) {
      if (!value["strict"].is_boolean()) return Failure{"strict: expected true or false"};
      verification.strict = value["strict"].get<bool>();
    }
  }
  if (value.contains("wait_ms")) {
    const auto wait = nonNegativeInteger(value["wait_ms"]);
    if (!wait || *wait > static_cast<std::uint64_t>(kMaxVerifyWait.count())) {
      return Failure{fmt::format("wait_ms: expected an integer in 0..{}", kMaxVerifyWait.count())};
    }
    verification.wait = std::chrono::milliseconds(*wait);
  }
  return verification;
}

VerificationResult evaluate(const Verification& verification, const std::vector<std::shared_ptr<const JournalEntry>>& calls) {
  std::vector<Seen> seen;
  seen.reserve(calls.size());
  for (const auto& entry : calls) {
    if (!entry->event.empty()) continue;  // what the emulator did by itself is not a call
    seen.push_back(seenCall(*entry));
  }
  return evaluateSeen(verification, seen);
}

VerificationResult evaluate(const Verification& verification, const std::vector<CallbackDelivery>& deliveries) {
  std::vector<Seen> seen;
  seen.reserve(deliveries.size());
  for (const auto& delivery : deliveries) seen.push_back(seenDelivery(delivery));
  return evaluateSeen(verification, seen);
}

}  // namespace live::domain
