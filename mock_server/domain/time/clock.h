// Time for everything time-dependent in the emulator (UserSig expiry, rate limiter, journal).
// Tests and the control API drive an EmulatorClock instead of sleeping.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "domain/resettable.h"

namespace live::domain {

using Instant = std::chrono::sys_time<std::chrono::nanoseconds>;
using Duration = std::chrono::nanoseconds;

// Whole Unix seconds of `instant`, rounded down (UserSig expiry compares these).
std::int64_t unixSeconds(Instant instant);
// Fractional Unix seconds, as the control API and the journal show time.
double unixSecondsFractional(Instant instant);
Instant instantFromUnixSeconds(double seconds);

class Clock {
 public:
  virtual ~Clock() = default;
  // The current time. Thread-safe.
  virtual Instant now() const = 0;
};

// The emulator's clock: real time by default; frozen ("manual") at a chosen instant on request.
// All members are thread-safe; reads are lock-free.
class EmulatorClock final : public Clock, public Resettable {
 public:
  enum class Mode { kReal, kManual };

  explicit EmulatorClock(ResetRegistry& registry);
  // A clock that starts (and resets to) frozen at `frozen_at`.
  EmulatorClock(ResetRegistry& registry, Instant frozen_at);

  Instant now() const override;
  Mode mode() const;

  // Freezes the clock at `instant`.
  void freezeAt(Instant instant);
  // Moves the clock forward by `by` (must be >= 0); a real clock freezes at now + by.
  void advance(Duration by);
  // Returns to real time.
  void useRealTime();
  // Back to the configured initial mode and instant.
  void reset() override;
  // The emulator's clock is every app's: one app's time moves through AppClocks instead.
  void resetApp(std::uint32_t) override {}

 private:
  // Nanoseconds since the epoch when frozen, kRealTime otherwise.
  static constexpr std::int64_t kRealTime = INT64_MIN;
  std::int64_t initial_ = kRealTime;
  std::atomic<std::int64_t> frozen_at_{kRealTime};
};

}  // namespace live::domain
