// Verification of what the emulator saw (POST /__emulator/verify, docs/control-api.md,
// "Verification"): how many calls, or callback deliveries, match a pattern, or whether they came in
// an order; and, when not, a message that shows what was expected and what was seen, one line per
// call. The helpers' verify(), verify_never(), verify_sequence() and wait_for() are this call.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "domain/callbacks/callbacks.h"
#include "domain/journal.h"
#include "protocol/result.h"

namespace live::domain {

// What a call (or a delivery) must be to match; an absent member matches anything.
struct CallPattern {
  std::optional<std::string> api;         // an API's name, or a callback command
  std::optional<std::string> room_id;
  std::optional<std::int64_t> error_code; // calls: the ErrorCode the client received (0 without one)
  std::optional<std::string> identifier;  // calls
  std::optional<std::string> state;       // deliveries: "delivered" unless given ("any" for all)
  std::optional<std::string> event_type;  // deliveries: "DestroyByUser", "DestroyBySystem"
};

struct Verification {
  std::optional<SdkAppId> sdkappid;  // only this app's calls (a run-time app's test gives it)
  bool sequence = false;             // patterns in this order, or `count` of patterns[0]
  bool strict = false;               // sequence: no other call between them
  std::vector<CallPattern> patterns;
  std::optional<std::uint64_t> exactly, at_least, at_most;  // none: at least 1
  bool on_callbacks = false;         // the patterns name callback commands
  std::chrono::milliseconds wait{0};  // wait until it holds, at most this long
};

// The longest wait a verification may ask for (chosen: longer than any test step worth waiting for).
inline constexpr std::chrono::milliseconds kMaxVerifyWait{60'000};
// The most seen calls a failure message lists (the latest ones).
inline constexpr std::size_t kVerifyLinesShown = 50;

// {"where": {...}} with "count"/"at_least"/"at_most", or {"sequence": [{...}, ...], "strict"}; both
// with optional "sdkappid" and "wait_ms". Failures name the member.
Result<Verification> parseVerification(const nlohmann::json& value);

struct VerificationResult {
  bool ok = false;
  std::uint64_t matched = 0;
  std::string message;           // empty when ok
  nlohmann::json calls;          // the matching calls, compact: seq, method, api, room_id, error_code, fault_id
  bool settled = false;          // cannot change by waiting (more calls only add matches)
};

VerificationResult evaluate(const Verification& verification,
                            const std::vector<std::shared_ptr<const JournalEntry>>& calls);
VerificationResult evaluate(const Verification& verification, const std::vector<CallbackDelivery>& deliveries);

}  // namespace live::domain
