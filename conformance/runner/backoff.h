// Judging a client's retries of one room on their timing (docs/conformance.md, "Backoff"). The
// judge has to fail a client that retries without waiting every time, and pass every time a client
// that backs off exponentially from a 50 ms base with full, equal or decorrelated jitter. Full
// jitter may wait almost nothing once or twice, so a single short wait proves nothing: the judge
// looks at runs of consecutive waits. The documented ceiling of 5 requests in any second is a
// separate judge: a client backing off from 50 ms reaches it by its sixth attempt.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace live::conformance {

// One request for the room: when it arrived, and when its answer was sent (arrival plus any
// injected delay), in seconds on one clock.
struct Attempt {
  double sent_at = 0;
  double answered_at = 0;
};

// Waits shorter than these, summed over consecutive retries, mean the client did not wait
// (chosen: exponential backoff from a 50 ms base with full jitter goes below them about once in
// 25,000 runs of 5 attempts; a client that retries at once stays below them on any machine).
inline constexpr double kMinWaitOver3Retries = 0.005;
inline constexpr double kMinWaitOver4Retries = 0.020;
// Waits must grow past a pacer's spacing: over 4 consecutive retries the longest wait reaches this
// (chosen: exponential backoff from 50 ms with full jitter stays below it about once in 40,000 runs
// of 5 attempts; a client whose only wait is its rate pacer's 5 to 7 ms never reaches it).
inline constexpr double kLongestWaitOver4Retries = 0.010;
inline constexpr int kMaxRequestsPerSecond = 5;

// Nothing when the retries wait and their waits grow; otherwise what is wrong, starting "retries
// must back off".
std::optional<std::string> judgeBackoff(const std::vector<Attempt>& attempts);
// Nothing when no 6 requests fall within one second; otherwise what is wrong, starting "retries must
// back off".
std::optional<std::string> judgeCeiling(const std::vector<Attempt>& attempts);

}  // namespace live::conformance
