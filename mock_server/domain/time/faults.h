// Fault injection (docs/control-api.md, "Faults"): rules consulted, in the order added, for a call
// that passed every check up to and including the body; the first match applies and is used up
// after `count` matches.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/time/clock.h"
#include "domain/rooms/model.h"
#include "domain/resettable.h"
#include "protocol/result.h"

namespace live::domain {

// How an answer is broken off after part of it was sent.
enum class AnswerCut {
  kNone,
  kTruncateBody,  // HTTP 200 headers announcing the whole body, half the body, then a close
  kResetMidway,   // the same bytes, then a TCP reset
};

// The action's name, as rules and the journal spell it; empty for kNone.
constexpr std::string_view toString(AnswerCut cut) {
  return cut == AnswerCut::kTruncateBody ? "truncate_body"
         : cut == AnswerCut::kResetMidway ? "reset_midway"
                                          : "";
}

// What a callback rule does to a delivery of that callback (docs/control-api.md, "Faults").
enum class CallbackFault { kNone, kSkip, kSendTwice, kStaleRequestTime, kWrongSign, kUnknownMember };
std::string_view toString(CallbackFault fault);

// What a matching rule does to the answer. At most one of error_code, http_status,
// drop_connection and a cut, with an optional delay; a delay alone is the real answer, late. A cut
// breaks off the real answer, so the operation runs first.
struct FaultAction {
  std::optional<std::int32_t> error_code;  // answer this vendor ErrorCode (HTTP 200, FAIL)
  std::optional<int> http_status;          // answer this HTTP status with no envelope
  bool drop_connection = false;            // close the connection without an HTTP answer
  AnswerCut cut = AnswerCut::kNone;        // send part of the real answer, then end the connection
  std::chrono::milliseconds delay{0};      // wait this long before answering (or dropping)
  CallbackFault callback = CallbackFault::kNone;  // rules for a callback command only
  // With error_code: members added after RequestId (serialised, without braces), as the vendor's
  // current pages may add to any answer; sent only under the app's current response style.
  std::string extra_members;

  // True when the real operation's answer is sent (late, or cut), so the operation must run.
  bool sendsRealAnswer() const { return !error_code && !http_status && !drop_connection; }
};

struct FaultRule {
  std::uint64_t id = 0;
  std::string api;                     // "destroy_room", or a callback command
  bool for_callback = false;           // api names a callback command
  std::optional<SdkAppId> sdkappid;    // matches any app when absent
  std::optional<std::string> room_id;  // matches any room when absent
  std::uint32_t count = 1;             // matches before the rule is used up
  std::uint32_t used = 0;
  // With for_ms, the rule matches only until this long after it was added (emulator clock), and
  // count defaults to kMaxFaultCount.
  std::optional<std::chrono::milliseconds> lifetime;
  Instant expires_at = Instant::max();  // set when added
  FaultAction action;
  bool after_apply = false;  // run the operation first, then replace its answer
};

// The longest delay a rule may ask for (chosen: longer than any client timeout worth testing).
inline constexpr std::chrono::milliseconds kMaxFaultDelay{120'000};
// The most matches a rule may ask for, and a for_ms rule's default count.
inline constexpr std::uint32_t kMaxFaultCount = 1'000'000;
// The longest for_ms (chosen: one hour of emulator time).
inline constexpr std::chrono::milliseconds kMaxFaultLifetime{3'600'000};

// Parses a rule as the control API and scenario files give it. The id is not read.
Result<FaultRule> parseFaultRule(const nlohmann::json& value, const std::string& path);
nlohmann::json faultRuleToJson(const FaultRule& rule);

class FaultPlan final : public Resettable {
 public:
  // A rule's for_ms is counted on `clock`.
  FaultPlan(ResetRegistry& registry, const Clock& clock, std::vector<FaultRule> initial_rules = {});

  // Adds a rule at the end; returns its id. Thread-safe.
  std::uint64_t add(FaultRule rule);
  // Rules not yet used up or expired, in order.
  std::vector<FaultRule> list() const;
  // Rules that name app `sdkappid` (rules for every app are not among them).
  std::vector<FaultRule> list(SdkAppId sdkappid) const;
  void clear();
  // Removes the rules that name app `sdkappid`; a rule for every app stays.
  void clear(SdkAppId sdkappid);
  // Removes the rule with `id`; false when no such rule is left.
  bool remove(std::uint64_t id);
  // The first rule matching a call made at `now`, with one use taken from it.
  std::optional<FaultRule> take(std::string_view api, SdkAppId sdkappid, std::string_view room_id,
                                Instant now);
  void reset() override;
  // The app's rules removed, then the configured rules that name it added again.
  void resetApp(SdkAppId sdkappid) override;

 private:
  FaultRule stamped(FaultRule rule);  // with its id and expiry; mutex_ held

  const Clock& clock_;
  const std::vector<FaultRule> initial_rules_;
  mutable std::mutex mutex_;
  std::vector<FaultRule> rules_;  // guarded by mutex_
  std::uint64_t next_id_ = 1;     // guarded by mutex_
};

}  // namespace live::domain
