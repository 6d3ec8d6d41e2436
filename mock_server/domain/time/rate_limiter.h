// The sliding-window rate limiter of docs/destroy_room.md, "The check table" (row 17): a request of a key is
// admitted at time t only if fewer than N requests of that key were admitted in (t - 1 s, t].
// Driven by a Clock, so a frozen clock makes it exactly reproducible.
#pragma once

#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "domain/time/clock.h"
#include "domain/resettable.h"

namespace live::domain {

class RateLimiter final : public Resettable {
 public:
  // Largest configurable limit; each key's window holds up to this many instants.
  static constexpr std::uint32_t kMaxLimit = 1'000'000;

  RateLimiter(ResetRegistry& registry, const Clock& clock)
      : Resettable(registry, "rate_limiter"), clock_(clock) {}

  struct Decision {
    bool admitted = false;
    // The instant the decision was taken at, read from the clock under the limiter's lock, so
    // that decisions are ordered as their instants are; callers record it as the call's time
    // (the journal's timestamps then obey the limit exactly).
    Instant at{};
  };
  // Admits one request of `key` under `limit` per second and records it, or refuses it without
  // recording anything (a refused request uses no quota). `limit` 0 admits everything.
  // Thread-safe.
  // `offset` is how far the key's app is ahead of the clock (AppClocks); the decision's instant is
  // on the app's time.
  Decision decide(std::uint64_t key, std::uint32_t limit, Duration offset = Duration::zero());
  bool tryAdmit(std::uint64_t key, std::uint32_t limit) { return decide(key, limit).admitted; }

  // How many requests of `key` were admitted in (now - 1 s, now]: what the next decision weighs
  // against the limit. For the dashboard's view; never on the call path.
  std::uint32_t inWindow(std::uint64_t key, Duration offset = Duration::zero()) const;

  void reset() override;
  // Forgets the windows of the keys whose high bits (key >> 16) are `sdkappid` (rateLimitKey).
  void resetApp(std::uint32_t sdkappid) override;

 private:
  // The instants of the last `limit` admissions of one key, oldest at `next` once full. Instants
  // never decrease: if the clock is moved back, an admission is recorded at the latest instant
  // already seen, so moving back in time never creates quota.
  struct Window {
    std::vector<Instant> admitted;
    std::uint32_t limit = 0;
    std::size_t next = 0;
    Instant latest{};
  };

  const Clock& clock_;
  mutable std::mutex mutex_;
  std::unordered_map<std::uint64_t, Window> windows_;  // guarded by mutex_
};

}  // namespace live::domain
