// The shared rows (1-18) of docs/destroy_room.md, "The check table": routing, query parameters, app, UserSig,
// admin, rate limit, body JSON. They hold for every API of the family. Each row is one small
// function; run() calls them in table order and the first failure decides the answer.
#pragma once

#include <optional>
#include <unordered_map>
#include <vector>

#include "domain/accounts/app_directory.h"
#include "domain/api/api_catalog.h"
#include "domain/app_status.h"
#include "domain/api/call.h"
#include "domain/config.h"
#include "domain/time/app_clocks.h"
#include "domain/time/rate_limiter.h"
#include "domain/api/usersig_cache.h"

namespace live::domain {

struct CheckOptions {
  bool lenient_random = false;  // accept a missing `random` (docs/destroy_room.md, "Query parameters")
};

// The rate limiter's key of one app and API (row 17: limits are per app and per API).
inline std::uint64_t rateLimitKey(SdkAppId sdkappid, const Api& api) {
  return (static_cast<std::uint64_t>(sdkappid) << 16) | apiIndex(api);
}

// The app a call's query names, read as rows 3 and 4 would: one `sdkappid`, a decimal uint32.
// For a call that failed before row 4 (rows 1 and 2), so that its answer takes its app's response
// style (docs/destroy_room.md, "The two response shapes").
std::optional<SdkAppId> sdkAppIdNamedBy(const ApiCall& call);

class CheckChain {
 public:
  // `apps`, `statuses`, `limiter` and `app_clocks` must outlive the chain; limits are per emulated
  // API index.
  CheckChain(const AppDirectory& apps, const AppStatusBoard& statuses,
             std::vector<std::uint32_t> limits_by_api_index, RateLimiter& limiter,
             const AppClocks& app_clocks, CheckOptions options);

  // Runs rows 1-18 and then the API's own body row (19). Returns the first failure, or nullopt
  // when the call may proceed to the API's operation. Thread-safe.
  std::optional<Outcome> run(CallContext& context) const;

  // The limit in force for `api`; an API outside the table has its documented limit.
  std::uint32_t limitFor(const Api& api) const {
    const std::size_t index = apiIndex(api);
    return index < limits_.size() ? limits_[index] : api.documentedRateLimit();
  }

 private:
  using Row = std::optional<Outcome> (CheckChain::*)(CallContext&) const;
  struct Step {
    int row;  // the row number in docs/destroy_room.md, "The check table"
    Row check;
  };
  static const Step kSteps[];

  std::optional<Outcome> methodIsPost(CallContext& context) const;          // row 1
  std::optional<Outcome> pathNamesAnApi(CallContext& context) const;        // row 2
  std::optional<Outcome> sdkAppIdPresent(CallContext& context) const;       // row 3
  std::optional<Outcome> sdkAppIdIsUint32(CallContext& context) const;      // row 4
  std::optional<Outcome> contentTypeIsJson(CallContext& context) const;     // row 5
  std::optional<Outcome> randomInRange(CallContext& context) const;         // row 6
  std::optional<Outcome> identifierPresent(CallContext& context) const;     // row 7
  std::optional<Outcome> userSigPresent(CallContext& context) const;        // row 8
  std::optional<Outcome> appExists(CallContext& context) const;             // row 9
  std::optional<Outcome> appIsActive(CallContext& context) const;           // row 10
  std::optional<Outcome> userSigDecodes(CallContext& context) const;        // row 11
  std::optional<Outcome> userSigSdkAppIdMatches(CallContext& context) const;    // row 12
  std::optional<Outcome> userSigIdentifierMatches(CallContext& context) const;  // row 13
  std::optional<Outcome> userSigNotExpired(CallContext& context) const;     // row 14
  std::optional<Outcome> userSigSignatureValid(CallContext& context) const; // row 15
  std::optional<Outcome> identifierIsAdmin(CallContext& context) const;     // row 16
  std::optional<Outcome> withinRateLimit(CallContext& context) const;       // row 17
  std::optional<Outcome> bodyIsJson(CallContext& context) const;            // row 18
  std::optional<Outcome> apiBodyRule(CallContext& context) const;           // row 19

  const AppDirectory& apps_;
  const AppStatusBoard& statuses_;
  const AppClocks& app_clocks_;
  std::vector<std::uint32_t> limits_;
  RateLimiter& limiter_;
  CheckOptions options_;
  mutable UserSigCache usersigs_;
};

}  // namespace live::domain
