// A ring of the last N admission instants per key makes each decision O(1): the window is full
// exactly when the oldest of the last N admissions is still inside (t - 1 s, t].
#include "domain/time/rate_limiter.h"

#include <algorithm>

namespace live::domain {

RateLimiter::Decision RateLimiter::decide(std::uint64_t key, std::uint32_t limit, Duration offset) {
  if (limit == 0) return {true, clock_.now() + offset};
  std::lock_guard lock(mutex_);
  const Instant now = clock_.now() + offset;
  Window& window = windows_[key];
  if (window.limit != limit) {
    window = Window{};
    window.limit = limit;
    window.admitted.reserve(limit);
  }
  if (window.admitted.size() == limit) {
    const Instant oldest = window.admitted[window.next];
    if (oldest > now - std::chrono::seconds(1)) return {false, now};
  }
  const Instant recorded = std::max(now, window.latest);
  if (window.admitted.size() < limit) {
    window.admitted.push_back(recorded);
  } else {
    window.admitted[window.next] = recorded;
    window.next = (window.next + 1) % limit;
  }
  window.latest = recorded;
  return {true, recorded};
}

std::uint32_t RateLimiter::inWindow(std::uint64_t key, Duration offset) const {
  std::lock_guard lock(mutex_);
  const auto it = windows_.find(key);
  if (it == windows_.end()) return 0;
  const Instant since = clock_.now() + offset - std::chrono::seconds(1);
  return static_cast<std::uint32_t>(std::count_if(it->second.admitted.begin(), it->second.admitted.end(),
                                                  [&](Instant at) { return at > since; }));
}

void RateLimiter::reset() {
  std::lock_guard lock(mutex_);
  windows_.clear();
}

void RateLimiter::resetApp(std::uint32_t sdkappid) {
  std::lock_guard lock(mutex_);
  std::erase_if(windows_, [&](const auto& window) { return (window.first >> 16) == sdkappid; });
}

}  // namespace live::domain
