// The sliding window of docs/destroy_room.md, row 17, on a frozen clock: no sleeping anywhere.
#include "domain/time/rate_limiter.h"

#include <catch2/catch.hpp>

using namespace live::domain;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

constexpr std::uint64_t kKey = 1;
const Instant kStart = Instant(seconds(1700000000));

int admitted(RateLimiter& limiter, int attempts, std::uint64_t key = kKey, std::uint32_t limit = 5) {
  int count = 0;
  for (int i = 0; i < attempts; ++i) count += limiter.tryAdmit(key, limit) ? 1 : 0;
  return count;
}

}  // namespace

TEST_CASE("exactly N are admitted in a window, the next is refused") {
  ResetRegistry registry;
  EmulatorClock clock(registry, kStart);
  RateLimiter limiter(registry, clock);
  CHECK(admitted(limiter, 5) == 5);
  CHECK_FALSE(limiter.tryAdmit(kKey, 5));
}

TEST_CASE("an admission at exactly t - 1 s no longer counts, just after it still does") {
  ResetRegistry registry;
  EmulatorClock clock(registry, kStart);
  RateLimiter limiter(registry, clock);
  REQUIRE(admitted(limiter, 5) == 5);
  clock.advance(seconds(1) - std::chrono::nanoseconds(1));
  CHECK_FALSE(limiter.tryAdmit(kKey, 5));
  clock.advance(std::chrono::nanoseconds(1));
  CHECK(admitted(limiter, 6) == 5);
}

TEST_CASE("the window slides: quota frees up as each admission turns one second old") {
  ResetRegistry registry;
  EmulatorClock clock(registry, kStart);
  RateLimiter limiter(registry, clock);
  for (int i = 0; i < 5; ++i) {
    REQUIRE(limiter.tryAdmit(kKey, 5));
    clock.advance(milliseconds(100));
  }
  // Now t = start + 500 ms; admissions at 0, 100, ..., 400 ms.
  CHECK_FALSE(limiter.tryAdmit(kKey, 5));
  clock.advance(milliseconds(500));  // t = 1000 ms: the one at 0 ms leaves the window
  CHECK(limiter.tryAdmit(kKey, 5));
  CHECK_FALSE(limiter.tryAdmit(kKey, 5));
  clock.advance(milliseconds(100));  // t = 1100 ms: the one at 100 ms leaves
  CHECK(limiter.tryAdmit(kKey, 5));
  CHECK_FALSE(limiter.tryAdmit(kKey, 5));
}

TEST_CASE("refused requests use no quota") {
  ResetRegistry registry;
  EmulatorClock clock(registry, kStart);
  RateLimiter limiter(registry, clock);
  REQUIRE(admitted(limiter, 5) == 5);
  clock.advance(milliseconds(900));
  CHECK(admitted(limiter, 1000) == 0);  // refused, all of them
  clock.advance(milliseconds(100));     // one second after the first five
  CHECK(admitted(limiter, 10) == 5);
}

TEST_CASE("keys do not share quota") {
  ResetRegistry registry;
  EmulatorClock clock(registry, kStart);
  RateLimiter limiter(registry, clock);
  CHECK(admitted(limiter, 10, 1) == 5);
  CHECK(admitted(limiter, 10, 2) == 5);
}

TEST_CASE("limit 0 turns limiting off") {
  ResetRegistry registry;
  EmulatorClock clock(registry, kStart);
  RateLimiter limiter(registry, clock);
  CHECK(admitted(limiter, 10000, kKey, 0) == 10000);
}

TEST_CASE("moving the clock back never creates quota") {
  ResetRegistry registry;
  EmulatorClock clock(registry, kStart);
  RateLimiter limiter(registry, clock);
  REQUIRE(admitted(limiter, 5) == 5);
  clock.freezeAt(kStart - seconds(10));
  CHECK_FALSE(limiter.tryAdmit(kKey, 5));
  clock.freezeAt(kStart + seconds(1));
  CHECK(admitted(limiter, 10) == 5);
}

TEST_CASE("reset forgets every admission") {
  ResetRegistry registry;
  EmulatorClock clock(registry, kStart);
  RateLimiter limiter(registry, clock);
  REQUIRE(admitted(limiter, 5) == 5);
  limiter.reset();
  CHECK(admitted(limiter, 5) == 5);
}

TEST_CASE("EmulatorClock: frozen, advanced, real, reset") {
  ResetRegistry registry;
  EmulatorClock clock(registry, kStart);
  CHECK(clock.mode() == EmulatorClock::Mode::kManual);
  CHECK(clock.now() == kStart);
  clock.advance(milliseconds(1500));
  CHECK(clock.now() == kStart + milliseconds(1500));
  CHECK(unixSeconds(clock.now()) == 1700000001);
  CHECK(unixSecondsFractional(clock.now()) == Approx(1700000001.5));
  clock.useRealTime();
  CHECK(clock.mode() == EmulatorClock::Mode::kReal);
  CHECK(clock.now() > kStart + seconds(3600));
  clock.reset();
  CHECK(clock.now() == kStart);

  EmulatorClock real(registry);
  real.advance(seconds(60));
  CHECK(real.mode() == EmulatorClock::Mode::kManual);
  const auto frozen = real.now();
  CHECK(real.now() == frozen);
  real.reset();
  CHECK(real.mode() == EmulatorClock::Mode::kReal);
}
