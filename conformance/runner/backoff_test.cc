// The backoff judge over 1,000 seeded synthetic timelines per client strategy: clients that back off
// exponentially from a 50 ms base (full, equal or decorrelated jitter) pass every time; clients that
// retry without waiting, or wait only for their rate pacer, fail every time.
#include "backoff.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>

using namespace live::conformance;

namespace {

constexpr double kBase = 0.050;
constexpr double kCap = 2.0;
constexpr int kTimelines = 1000;

using Strategy = std::function<double(int retry, double previous_sleep, std::mt19937_64& random)>;

double uniform(std::mt19937_64& random, double low, double high) {
  return std::uniform_real_distribution<double>(low, high)(random);
}

// A timeline of `attempts` requests: each answered after 0.2..3 ms of server time; the next one
// sent after the strategy's sleep plus 0.05..1 ms of the client's own work.
std::vector<Attempt> timeline(int attempts, const Strategy& sleep, std::mt19937_64& random) {
  std::vector<Attempt> out;
  double now = 1700000000.0;
  double previous = kBase;
  for (int i = 0; i < attempts; ++i) {
    Attempt attempt;
    attempt.sent_at = now;
    attempt.answered_at = now + uniform(random, 0.0002, 0.003);
    out.push_back(attempt);
    previous = sleep(i, previous, random);
    now = attempt.answered_at + previous + uniform(random, 0.00005, 0.001);
  }
  return out;
}

double exponential(int retry) { return std::min(kCap, kBase * std::pow(2.0, retry)); }

const Strategy kFullJitter = [](int retry, double, std::mt19937_64& random) {
  return uniform(random, 0, exponential(retry));
};
const Strategy kEqualJitter = [](int retry, double, std::mt19937_64& random) {
  return exponential(retry) / 2 + uniform(random, 0, exponential(retry) / 2);
};
const Strategy kDecorrelatedJitter = [](int, double previous, std::mt19937_64& random) {
  return std::min(kCap, uniform(random, kBase, previous * 3));
};
const Strategy kNoWait = [](int, double, std::mt19937_64&) { return 0.0; };
// Only a rate pacer's spacing between attempts: 5 to 7 ms, the same every time.
const Strategy kPacerOnly = [](int, double, std::mt19937_64& random) { return uniform(random, 0.005, 0.007); };

int failures(const Strategy& strategy, int min_attempts, int max_attempts, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  int failed = 0;
  for (int i = 0; i < kTimelines; ++i) {
    const int attempts = std::uniform_int_distribution<int>(min_attempts, max_attempts)(random);
    if (judgeBackoff(timeline(attempts, strategy, random))) ++failed;
  }
  return failed;
}

}  // namespace

TEST_CASE("backoff: exponential backoff from 50 ms with full jitter passes 1,000 timelines of 1 to 8 attempts") {
  CHECK(failures(kFullJitter, 1, 8, 1) == 0);
}

TEST_CASE("backoff: exponential backoff from 50 ms with equal jitter passes 1,000 timelines") {
  CHECK(failures(kEqualJitter, 1, 8, 2) == 0);
}

TEST_CASE("backoff: decorrelated jitter from 50 ms passes 1,000 timelines") {
  CHECK(failures(kDecorrelatedJitter, 1, 8, 3) == 0);
}

TEST_CASE("backoff: a client that retries without waiting fails 1,000 timelines of 4 to 20 attempts") {
  CHECK(failures(kNoWait, 4, 20, 4) == kTimelines);
}

TEST_CASE("backoff: a client whose only wait is its rate pacer's 5 to 7 ms fails 1,000 timelines of 5 to 20 attempts") {
  CHECK(failures(kPacerOnly, 5, 20, 6) == kTimelines);
}

TEST_CASE("backoff: a pacer-only client's failure says the waits do not grow") {
  std::mt19937_64 random(7);
  const auto problem = judgeBackoff(timeline(5, kPacerOnly, random));
  REQUIRE(problem);
  CHECK_THAT(*problem, Catch::Contains("the waits do not grow"));
}

TEST_CASE("backoff: 5 attempts within a few milliseconds, then giving up, fails") {
  std::mt19937_64 random(5);
  for (int i = 0; i < kTimelines; ++i) {
    const auto problem = judgeBackoff(timeline(5, kNoWait, random));
    REQUIRE(problem);
    CHECK_THAT(*problem, Catch::StartsWith("retries must back off"));
  }
}

TEST_CASE("ceiling: 6 requests within a second fail, whatever the waits") {
  std::vector<Attempt> attempts;
  for (int i = 0; i < 6; ++i) attempts.push_back({i * 0.19, i * 0.19 + 0.001});
  CHECK_FALSE(judgeBackoff(attempts));  // each waited 189 ms
  const auto problem = judgeCeiling(attempts);
  REQUIRE(problem);
  CHECK_THAT(*problem, Catch::Contains("6 requests within 950 ms"));
  attempts.back().sent_at = 1.01;  // the sixth just outside the second
  CHECK_FALSE(judgeCeiling(attempts));
}

TEST_CASE("backoff: an injected delay is not counted as the client's wait") {
  // Each answer took 2 s (a delay fault); the client then retried at once.
  std::vector<Attempt> attempts;
  for (int i = 0; i < 4; ++i) attempts.push_back({i * 2.0005, i * 2.0005 + 2.0});
  const auto problem = judgeBackoff(attempts);
  REQUIRE(problem);
  CHECK_THAT(*problem, Catch::Contains("retries 1 to 3"));
}
