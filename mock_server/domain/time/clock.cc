// EmulatorClock keeps its frozen instant in one atomic so that now() never takes a lock.
#include "domain/time/clock.h"

#include <cmath>

namespace live::domain {

std::int64_t unixSeconds(Instant instant) {
  return std::chrono::floor<std::chrono::seconds>(instant).time_since_epoch().count();
}

double unixSecondsFractional(Instant instant) {
  return static_cast<double>(instant.time_since_epoch().count()) / 1e9;
}

Instant instantFromUnixSeconds(double seconds) {
  return Instant(Duration(static_cast<std::int64_t>(std::llround(seconds * 1e9))));
}

EmulatorClock::EmulatorClock(ResetRegistry& registry) : Resettable(registry, "clock") {}

EmulatorClock::EmulatorClock(ResetRegistry& registry, Instant frozen_at)
    : Resettable(registry, "clock"),
      initial_(frozen_at.time_since_epoch().count()),
      frozen_at_(frozen_at.time_since_epoch().count()) {}

Instant EmulatorClock::now() const {
  const std::int64_t frozen = frozen_at_.load(std::memory_order_acquire);
  if (frozen == kRealTime) {
    return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
  }
  return Instant(Duration(frozen));
}

EmulatorClock::Mode EmulatorClock::mode() const {
  return frozen_at_.load(std::memory_order_acquire) == kRealTime ? Mode::kReal : Mode::kManual;
}

void EmulatorClock::freezeAt(Instant instant) {
  frozen_at_.store(instant.time_since_epoch().count(), std::memory_order_release);
}

void EmulatorClock::advance(Duration by) {
  std::int64_t current = frozen_at_.load(std::memory_order_acquire);
  std::int64_t next = 0;
  do {
    const std::int64_t base =
        current == kRealTime
            ? std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now())
                  .time_since_epoch()
                  .count()
            : current;
    next = base + by.count();
  } while (!frozen_at_.compare_exchange_weak(current, next, std::memory_order_acq_rel));
}

void EmulatorClock::useRealTime() { frozen_at_.store(kRealTime, std::memory_order_release); }

void EmulatorClock::reset() { frozen_at_.store(initial_, std::memory_order_release); }

}  // namespace live::domain
