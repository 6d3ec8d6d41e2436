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
#include <vector>

#include "domain/model.h"
#include "domain/resettable.h"
#include "protocol/result.h"

namespace live::domain {

// What a matching rule does to the answer. Exactly one of error_code, http_status and
// drop_connection, or none of them with a delay (the real answer, late).
struct FaultAction {
  std::optional<std::int32_t> error_code;  // answer this vendor ErrorCode (HTTP 200, FAIL)
  std::optional<int> http_status;          // answer this HTTP status with no envelope
  bool drop_connection = false;            // close the connection without an HTTP answer
  std::chrono::milliseconds delay{0};      // wait this long before answering (or dropping)
};

struct FaultRule {
  std::uint64_t id = 0;
  std::string api;                     // "destroy_room"
  std::optional<SdkAppId> sdkappid;    // matches any app when absent
  std::optional<std::string> room_id;  // matches any room when absent
  std::uint32_t count = 1;             // matches before the rule is used up
  std::uint32_t used = 0;
  FaultAction action;
  bool after_apply = false;  // run the operation first, then replace its answer
};

// The longest delay a rule may ask for (chosen: longer than any client timeout worth testing).
inline constexpr std::chrono::milliseconds kMaxFaultDelay{120'000};

// Parses a rule as the control API and scenario files give it. The id is not read.
Result<FaultRule> parseFaultRule(const nlohmann::json& value, const std::string& path);
nlohmann::json faultRuleToJson(const FaultRule& rule);

class FaultPlan final : public Resettable {
 public:
  FaultPlan(ResetRegistry& registry, std::vector<FaultRule> initial_rules = {});

  // Adds a rule at the end; returns its id. Thread-safe.
  std::uint64_t add(FaultRule rule);
  // Rules not yet used up, in order.
  std::vector<FaultRule> list() const;
  void clear();
  // The first rule matching the call, with one use taken from it.
  std::optional<FaultRule> take(std::string_view api, SdkAppId sdkappid, std::string_view room_id);
  void reset() override;

 private:
  const std::vector<FaultRule> initial_rules_;
  mutable std::mutex mutex_;
  std::vector<FaultRule> rules_;  // guarded by mutex_
  std::uint64_t next_id_ = 1;     // guarded by mutex_
};

}  // namespace live::domain
