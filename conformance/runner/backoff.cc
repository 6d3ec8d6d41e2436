#include "backoff.h"

#include <fmt/format.h>

#include <algorithm>

namespace live::conformance {

std::optional<std::string> judgeCeiling(const std::vector<Attempt>& attempts) {
  const std::size_t ceiling = kMaxRequestsPerSecond;
  for (std::size_t i = 0; i + ceiling < attempts.size(); ++i) {
    const double span = attempts[i + ceiling].sent_at - attempts[i].sent_at;
    if (span < 1.0) {
      return fmt::format("retries must back off: {} requests within {:.0f} ms (at most {} requests for one room "
                         "in any second)",
                         ceiling + 1, span * 1000, ceiling);
    }
  }
  return std::nullopt;
}

std::optional<std::string> judgeBackoff(const std::vector<Attempt>& attempts) {
  // How long the client waited before each retry: from the answer to the next request.
  std::vector<double> waits;
  for (std::size_t i = 0; i + 1 < attempts.size(); ++i) {
    waits.push_back(std::max(0.0, attempts[i + 1].sent_at - attempts[i].answered_at));
  }
  const auto judgeRuns = [&](std::size_t run, double least) -> std::optional<std::string> {
    for (std::size_t i = 0; i + run <= waits.size(); ++i) {
      double total = 0;
      std::string listed;
      for (std::size_t j = i; j < i + run; ++j) {
        total += waits[j];
        listed += fmt::format("{}{:.1f}", listed.empty() ? "" : ", ", waits[j] * 1000);
      }
      if (total < least) {
        return fmt::format("retries must back off: retries {} to {} came after waits of {} ms ({:.1f} ms in all, "
                           "under {:.0f} ms): the client retries without waiting",
                           i + 1, i + run, listed, total * 1000, least * 1000);
      }
    }
    return std::nullopt;
  };
  if (auto problem = judgeRuns(4, kMinWaitOver4Retries)) return problem;
  if (auto problem = judgeRuns(3, kMinWaitOver3Retries)) return problem;
  // Growth: a fixed short spacing (a rate pacer's) waits, but never backs off.
  for (std::size_t i = 0; i + 4 <= waits.size(); ++i) {
    const double longest = *std::max_element(waits.begin() + static_cast<std::ptrdiff_t>(i),
                                             waits.begin() + static_cast<std::ptrdiff_t>(i + 4));
    if (longest < kLongestWaitOver4Retries) {
      std::string listed;
      for (std::size_t j = i; j < i + 4; ++j) listed += fmt::format("{}{:.1f}", listed.empty() ? "" : ", ", waits[j] * 1000);
      return fmt::format("retries must back off: retries {} to {} came after waits of {} ms, none of them {:.0f} ms "
                         "or more: the waits do not grow (a rate pacer's spacing is not backoff)",
                         i + 1, i + 4, listed, kLongestWaitOver4Retries * 1000);
    }
  }
  return std::nullopt;
}

}  // namespace live::conformance
