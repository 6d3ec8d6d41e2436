// Fault rules: strict parsing (every field named in errors) and first-match consumption.
#include "domain/time/faults.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "domain/api/api_catalog.h"
#include "domain/api/parse.h"
#include "protocol/callback.h"

namespace live::domain {
namespace {

using json = nlohmann::json;

Failure invalid(const std::string& path, std::string_view what) {
  return Failure{fmt::format("{}: {}", path, what)};
}

}  // namespace

Result<FaultRule> parseFaultRule(const json& value, const std::string& path) {
  if (!value.is_object()) return invalid(path, "expected an object");
  for (const auto& [key, unused] : value.items()) {
    if (key != "api" && key != "sdkappid" && key != "room_id" && key != "count" &&
        key != "for_ms" && key != "action" && key != "after_apply") {
      return invalid(path, fmt::format("unknown key \"{}\" (allowed: api, sdkappid, room_id, "
                                       "count, for_ms, action, after_apply)",
                                       key));
    }
  }
  FaultRule rule;
  const auto api = value.find("api");
  const bool is_callback = api != value.end() && api->is_string() && protocol::isCallbackCommand(api->get<std::string>());
  if (api == value.end() || !api->is_string() ||
      (findApiByName(api->get<std::string>()) == nullptr && !is_callback)) {
    return invalid(path + ".api", fmt::format("expected the name of an emulated API ({}) or a callback "
                                              "command (Live.CallbackAfterDestroyRoom)",
                                              knownApiNames()));
  }
  rule.api = api->get<std::string>();
  rule.for_callback = is_callback;
  if (is_callback && value.contains("after_apply")) {
    return invalid(path + ".after_apply", "a callback rule has no after_apply");
  }
  if (const auto sdkappid = value.find("sdkappid"); sdkappid != value.end()) {
    const auto number = nonNegativeInteger(*sdkappid);
    if (!number || *number > UINT32_MAX) {
      return invalid(path + ".sdkappid", "expected an integer in 0..4294967295");
    }
    rule.sdkappid = static_cast<SdkAppId>(*number);
  }
  if (const auto room_id = value.find("room_id"); room_id != value.end()) {
    if (!room_id->is_string() || room_id->get_ref<const std::string&>().empty()) {
      return invalid(path + ".room_id", "expected a non-empty string");
    }
    rule.room_id = room_id->get<std::string>();
  }
  if (const auto count = value.find("count"); count != value.end()) {
    const auto number = nonNegativeInteger(*count);
    if (!number || *number < 1 || *number > kMaxFaultCount) {
      return invalid(path + ".count", fmt::format("expected an integer in 1..{}", kMaxFaultCount));
    }
    rule.count = static_cast<std::uint32_t>(*number);
  }
  if (const auto for_ms = value.find("for_ms"); for_ms != value.end()) {
    const auto number = nonNegativeInteger(*for_ms);
    if (!number || *number < 1 || *number > static_cast<std::uint64_t>(kMaxFaultLifetime.count())) {
      return invalid(path + ".for_ms", fmt::format("expected an integer in 1..{}", kMaxFaultLifetime.count()));
    }
    rule.lifetime = std::chrono::milliseconds(static_cast<std::int64_t>(*number));
    if (!value.contains("count")) rule.count = kMaxFaultCount;
  }
  if (const auto after_apply = value.find("after_apply"); after_apply != value.end()) {
    if (!after_apply->is_boolean()) return invalid(path + ".after_apply", "expected true or false");
    rule.after_apply = after_apply->get<bool>();
  }

  const auto action = value.find("action");
  const std::string action_path = path + ".action";
  if (action == value.end() || !action->is_object()) {
    return invalid(action_path, R"(expected an object such as {"error_code":100001}, )"
                                R"({"http_status":502}, {"drop_connection":true}, {"truncate_body":true}, )"
                                R"({"reset_midway":true} or {"delay_ms":1500})");
  }
  int kinds = 0;
  for (const auto& [key, field] : action->items()) {
    if (key == "error_code") {
      if (!field.is_number_integer() || field.get<std::int64_t>() <= 0 ||
          field.get<std::int64_t>() > INT32_MAX) {
        return invalid(action_path + ".error_code", "expected a positive integer such as 100001");
      }
      rule.action.error_code = static_cast<std::int32_t>(field.get<std::int64_t>());
      ++kinds;
    } else if (key == "http_status") {
      // 200 is a proxy's or captive portal's HTML page where the envelope should be (chosen).
      if (!field.is_number_integer() ||
          (field.get<std::int64_t>() != 200 && (field.get<std::int64_t>() < 400 || field.get<std::int64_t>() > 599))) {
        return invalid(action_path + ".http_status",
                       "expected 200 (an HTML page instead of the envelope) or an HTTP error status in 400..599");
      }
      rule.action.http_status = static_cast<int>(field.get<std::int64_t>());
      ++kinds;
    } else if (key == "drop_connection") {
      if (!field.is_boolean() || !field.get<bool>()) {
        return invalid(action_path + ".drop_connection", "expected true");
      }
      rule.action.drop_connection = true;
      ++kinds;
    } else if (key == "truncate_body" || key == "reset_midway") {
      if (!field.is_boolean() || !field.get<bool>()) return invalid(action_path + "." + key, "expected true");
      rule.action.cut = key == "truncate_body" ? AnswerCut::kTruncateBody : AnswerCut::kResetMidway;
      ++kinds;
    } else if (key == "skip" || key == "send_twice" || key == "stale_request_time" || key == "wrong_sign" ||
               key == "unknown_member") {
      if (!is_callback) {
        return invalid(action_path + "." + key, "applies to callbacks only (api: Live.CallbackAfterDestroyRoom)");
      }
      if (!field.is_boolean() || !field.get<bool>()) return invalid(action_path + "." + key, "expected true");
      rule.action.callback = key == "skip"                 ? CallbackFault::kSkip
                             : key == "send_twice"         ? CallbackFault::kSendTwice
                             : key == "stale_request_time" ? CallbackFault::kStaleRequestTime
                             : key == "wrong_sign"         ? CallbackFault::kWrongSign
                                                           : CallbackFault::kUnknownMember;
      ++kinds;
    } else if (key == "extra_members") {
      if (!field.is_object() || field.empty()) {
        return invalid(action_path + ".extra_members", R"(expected a non-empty object such as {"Response":{"Detail":"..."}})");
      }
      const std::string text = field.dump();
      rule.action.extra_members = text.substr(1, text.size() - 2);
    } else if (key == "delay_ms") {
      const auto number = nonNegativeInteger(field);
      if (!number || *number > static_cast<std::uint64_t>(kMaxFaultDelay.count())) {
        return invalid(action_path + ".delay_ms",
                       fmt::format("expected an integer in 0..{}", kMaxFaultDelay.count()));
      }
      rule.action.delay = std::chrono::milliseconds(static_cast<std::int64_t>(*number));
    } else {
      return invalid(action_path, fmt::format("unknown key \"{}\" (allowed: error_code, "
                                              "http_status, drop_connection, truncate_body, "
                                              "reset_midway, delay_ms, extra_members; for callbacks: skip, send_twice, "
                                              "stale_request_time, wrong_sign, unknown_member, delay_ms)",
                                              key));
    }
    if (is_callback && rule.action.callback == CallbackFault::kNone && key != "delay_ms" && key != "extra_members") {
      return invalid(action_path + "." + key, "a callback rule takes skip, send_twice, stale_request_time, "
                                              "wrong_sign, unknown_member or delay_ms");
    }
  }
  if (kinds > 1) {
    return invalid(action_path, is_callback ? "give only one of skip, send_twice, stale_request_time, wrong_sign and unknown_member"
                                            : "give only one of error_code, http_status, drop_connection, "
                                              "truncate_body and reset_midway");
  }
  if (kinds == 0 && !action->contains("delay_ms")) {
    return invalid(action_path, is_callback ? "give skip, send_twice, stale_request_time, wrong_sign, unknown_member or delay_ms"
                                            : "give error_code, http_status, drop_connection, truncate_body, "
                                              "reset_midway or delay_ms");
  }
  if (!rule.action.extra_members.empty() && !rule.action.error_code) {
    return invalid(action_path + ".extra_members", "goes with error_code only");
  }
  if (rule.action.cut != AnswerCut::kNone && value.contains("after_apply") && !rule.after_apply) {
    return invalid(path + ".after_apply", "a cut answer is the real one, so the operation always runs "
                                          "first: omit after_apply or set it true");
  }
  return rule;
}

std::string_view toString(CallbackFault fault) {
  switch (fault) {
    case CallbackFault::kSkip:
      return "skip";
    case CallbackFault::kSendTwice:
      return "send_twice";
    case CallbackFault::kStaleRequestTime:
      return "stale_request_time";
    case CallbackFault::kWrongSign:
      return "wrong_sign";
    case CallbackFault::kUnknownMember:
      return "unknown_member";
    case CallbackFault::kNone:
      break;
  }
  return "";
}

json faultRuleToJson(const FaultRule& rule) {
  json action = json::object();
  if (rule.action.error_code) action["error_code"] = *rule.action.error_code;
  if (rule.action.http_status) action["http_status"] = *rule.action.http_status;
  if (rule.action.drop_connection) action["drop_connection"] = true;
  if (rule.action.cut == AnswerCut::kTruncateBody) action["truncate_body"] = true;
  if (rule.action.cut == AnswerCut::kResetMidway) action["reset_midway"] = true;
  if (rule.action.callback != CallbackFault::kNone) action[std::string(toString(rule.action.callback))] = true;
  if (!rule.action.extra_members.empty()) action["extra_members"] = json::parse("{" + rule.action.extra_members + "}");
  if (rule.action.delay.count() > 0 || action.empty()) action["delay_ms"] = rule.action.delay.count();
  json out{{"id", rule.id},         {"api", rule.api},       {"count", rule.count},
           {"remaining", rule.count - rule.used}, {"action", action},
           {"after_apply", rule.after_apply}};
  if (rule.sdkappid) out["sdkappid"] = *rule.sdkappid;
  if (rule.room_id) out["room_id"] = *rule.room_id;
  if (rule.lifetime) {
    out["for_ms"] = rule.lifetime->count();
    out["expires_at"] = unixSecondsFractional(rule.expires_at);
  }
  return out;
}

FaultPlan::FaultPlan(ResetRegistry& registry, const Clock& clock, std::vector<FaultRule> initial_rules)
    : Resettable(registry, "faults"), clock_(clock), initial_rules_(std::move(initial_rules)) {
  reset();
}

FaultRule FaultPlan::stamped(FaultRule rule) {
  rule.id = next_id_++;
  rule.used = 0;
  rule.expires_at = rule.lifetime ? clock_.now() + *rule.lifetime : Instant::max();
  return rule;
}

std::uint64_t FaultPlan::add(FaultRule rule) {
  std::lock_guard lock(mutex_);
  rules_.push_back(stamped(std::move(rule)));
  return rules_.back().id;
}

std::vector<FaultRule> FaultPlan::list() const {
  const Instant now = clock_.now();
  std::lock_guard lock(mutex_);
  std::vector<FaultRule> live;
  std::copy_if(rules_.begin(), rules_.end(), std::back_inserter(live),
               [&](const FaultRule& rule) { return now < rule.expires_at; });
  return live;
}

std::vector<FaultRule> FaultPlan::list(SdkAppId sdkappid) const {
  auto rules = list();
  std::erase_if(rules, [&](const FaultRule& rule) { return rule.sdkappid != sdkappid; });
  return rules;
}

void FaultPlan::clear() {
  std::lock_guard lock(mutex_);
  rules_.clear();
}

void FaultPlan::clear(SdkAppId sdkappid) {
  std::lock_guard lock(mutex_);
  std::erase_if(rules_, [&](const FaultRule& rule) { return rule.sdkappid == sdkappid; });
}

void FaultPlan::resetApp(SdkAppId sdkappid) {
  std::lock_guard lock(mutex_);
  std::erase_if(rules_, [&](const FaultRule& rule) { return rule.sdkappid == sdkappid; });
  for (const auto& rule : initial_rules_) {
    if (rule.sdkappid == sdkappid) rules_.push_back(stamped(rule));
  }
}

bool FaultPlan::remove(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  return std::erase_if(rules_, [id](const FaultRule& rule) { return rule.id == id; }) > 0;
}

std::optional<FaultRule> FaultPlan::take(std::string_view api, SdkAppId sdkappid,
                                         std::string_view room_id, Instant now) {
  std::lock_guard lock(mutex_);
  if (rules_.empty()) return std::nullopt;
  rules_.erase(std::remove_if(rules_.begin(), rules_.end(),
                              [&](const FaultRule& rule) { return !(now < rule.expires_at); }),
               rules_.end());
  const auto it = std::find_if(rules_.begin(), rules_.end(), [&](const FaultRule& rule) {
    return rule.api == api && (!rule.sdkappid || *rule.sdkappid == sdkappid) &&
           (!rule.room_id || *rule.room_id == room_id);
  });
  if (it == rules_.end()) return std::nullopt;
  ++it->used;
  FaultRule matched = *it;
  if (it->used >= it->count) rules_.erase(it);
  return matched;
}

void FaultPlan::reset() {
  std::lock_guard lock(mutex_);
  rules_.clear();
  next_id_ = 1;
  for (const auto& rule : initial_rules_) rules_.push_back(stamped(rule));
}

}  // namespace live::domain
