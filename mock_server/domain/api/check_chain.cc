// Rows 1-19 of docs/destroy_room.md, "The check table". kSteps below is that table; keep them side by side.
// Every ErrorInfo names the parameter or claim and what was expected.
#include "domain/api/check_chain.h"

#include <fmt/format.h>

#include <fmt/chrono.h>

#include <algorithm>
#include <limits>

#include "domain/api/parse.h"
#include "protocol/json_limits.h"

namespace live::domain {

using protocol::ErrorCode;

const CheckChain::Step CheckChain::kSteps[] = {
    {1, &CheckChain::methodIsPost},               // 60002
    {2, &CheckChain::pathNamesAnApi},             // 60009
    {3, &CheckChain::sdkAppIdPresent},            // 60012
    {4, &CheckChain::sdkAppIdIsUint32},           // 60002
    {5, &CheckChain::contentTypeIsJson},          // 60002
    {6, &CheckChain::randomInRange},              // 60002
    {7, &CheckChain::identifierPresent},          // 60004
    {8, &CheckChain::userSigPresent},             // 70002
    {9, &CheckChain::appExists},                  // 70020
    {10, &CheckChain::appIsActive},               // 60016 / 60020
    {11, &CheckChain::userSigDecodes},            // 70003
    {12, &CheckChain::userSigSdkAppIdMatches},    // 70014
    {13, &CheckChain::userSigIdentifierMatches},  // 70013
    {14, &CheckChain::userSigNotExpired},         // 70001
    {15, &CheckChain::userSigSignatureValid},     // 70009
    {16, &CheckChain::identifierIsAdmin},         // 60010
    {17, &CheckChain::withinRateLimit},           // 60007
    {18, &CheckChain::bodyIsJson},                // 60003
    {19, &CheckChain::apiBodyRule},               // 100002 (the API's own rule)
};

namespace {

// A query parameter as the checks see it. Names and values are case-sensitive (doc).
struct Parameter {
  std::size_t count = 0;
  std::string_view value;  // the first value
  bool missing() const { return count == 0; }
  bool repeated() const { return count > 1; }
};

Parameter findParameter(const ApiCall& call, std::string_view name) {
  Parameter parameter;
  for (const auto& [key, value] : call.query) {
    if (key != name) continue;
    if (parameter.count++ == 0) parameter.value = value;
  }
  return parameter;
}

// A parameter given twice is ambiguous (chosen rule, docs/destroy_room.md, "Query parameters").
std::optional<Outcome> rejectRepeated(const Parameter& parameter, std::string_view name) {
  if (!parameter.repeated()) return std::nullopt;
  return Outcome::reject(ErrorCode::kInvalidRequest,
                         fmt::format("query parameter \"{}\" is given {} times; give it once",
                                     name, parameter.count));
}

}  // namespace

std::optional<SdkAppId> sdkAppIdNamedBy(const ApiCall& call) {
  const Parameter sdkappid = findParameter(call, "sdkappid");
  if (sdkappid.count != 1) return std::nullopt;
  return parseDecimalUint32(sdkappid.value);
}

namespace {

// Shows a value in a message without flooding it (values are attacker-sized).
std::string shown(std::string_view value) {
  constexpr std::size_t kShown = 64;
  if (value.size() <= kShown) return fmt::format("\"{}\"", value);
  return fmt::format("\"{}...\" ({} bytes)", value.substr(0, kShown), value.size());
}

std::string expiryText(std::int64_t unix_seconds) {
  const auto instant = std::chrono::sys_seconds(std::chrono::seconds(unix_seconds));
  return fmt::format("{} ({:%Y-%m-%d %H:%M:%S} UTC)", unix_seconds, instant);
}

}  // namespace

CheckChain::CheckChain(const AppDirectory& apps, const AppStatusBoard& statuses,
                       std::vector<std::uint32_t> limits_by_api_index, RateLimiter& limiter,
                       const AppClocks& app_clocks, CheckOptions options)
    : apps_(apps),
      statuses_(statuses),
      app_clocks_(app_clocks),
      limits_(std::move(limits_by_api_index)),
      limiter_(limiter),
      options_(options) {}

std::optional<Outcome> CheckChain::run(CallContext& context) const {
  for (const Step& step : kSteps) {
    if (auto failure = (this->*step.check)(context)) return failure;
  }
  return std::nullopt;
}

std::optional<Outcome> CheckChain::methodIsPost(CallContext& context) const {
  context.api = findApiByPath(context.call.path);
  if (context.api == nullptr || context.call.method == "POST") return std::nullopt;
  return Outcome::reject(ErrorCode::kInvalidRequest,
                         fmt::format("{} must be called with POST, not {}", context.api->path(),
                                     context.call.method));
}

std::optional<Outcome> CheckChain::pathNamesAnApi(CallContext& context) const {
  if (context.api != nullptr) return std::nullopt;
  std::string paths;
  for (const Api* api : emulatedApis()) {
    paths += fmt::format("{}{}", paths.empty() ? "" : ", ", api->path());
  }
  return Outcome::reject(ErrorCode::kRequestResourceError,
                         fmt::format("no API is served at {} (emulated: {})",
                                     shown(context.call.path), paths));
}

std::optional<Outcome> CheckChain::sdkAppIdPresent(CallContext& context) const {
  const Parameter sdkappid = findParameter(context.call, "sdkappid");
  if (sdkappid.missing()) {
    return Outcome::reject(ErrorCode::kSdkAppIdMissing, "query parameter \"sdkappid\" is missing");
  }
  if (sdkappid.value.empty() && !sdkappid.repeated()) {
    return Outcome::reject(ErrorCode::kSdkAppIdMissing, "query parameter \"sdkappid\" is empty");
  }
  return std::nullopt;
}

std::optional<Outcome> CheckChain::sdkAppIdIsUint32(CallContext& context) const {
  const Parameter sdkappid = findParameter(context.call, "sdkappid");
  if (auto repeated = rejectRepeated(sdkappid, "sdkappid")) return repeated;
  const auto value = parseDecimalUint32(sdkappid.value);
  if (!value) {
    return Outcome::reject(
        ErrorCode::kInvalidRequest,
        fmt::format("query parameter \"sdkappid\" is {}; expected a decimal integer in "
                    "0..4294967295",
                    shown(sdkappid.value)));
  }
  context.sdkappid = *value;
  context.sdkappid_known = true;
  return std::nullopt;
}

std::optional<Outcome> CheckChain::contentTypeIsJson(CallContext& context) const {
  const Parameter contenttype = findParameter(context.call, "contenttype");
  if (contenttype.missing()) {
    return Outcome::reject(ErrorCode::kInvalidRequest,
                           "query parameter \"contenttype\" is missing; it must be \"json\"");
  }
  if (auto repeated = rejectRepeated(contenttype, "contenttype")) return repeated;
  if (contenttype.value != "json") {
    return Outcome::reject(ErrorCode::kInvalidRequest,
                           fmt::format("query parameter \"contenttype\" is {}; it must be \"json\"",
                                       shown(contenttype.value)));
  }
  return std::nullopt;
}

std::optional<Outcome> CheckChain::randomInRange(CallContext& context) const {
  const Parameter random = findParameter(context.call, "random");
  if (random.missing()) {
    if (options_.lenient_random) return std::nullopt;
    return Outcome::reject(ErrorCode::kInvalidRequest,
                           "query parameter \"random\" is missing; send a random integer in "
                           "0..4294967295 (or start the emulator with --lenient)");
  }
  if (auto repeated = rejectRepeated(random, "random")) return repeated;
  if (!parseDecimalUint32(random.value)) {
    return Outcome::reject(
        ErrorCode::kInvalidRequest,
        fmt::format("query parameter \"random\" is {}; expected a decimal integer in "
                    "0..4294967295",
                    shown(random.value)));
  }
  return std::nullopt;
}

std::optional<Outcome> CheckChain::identifierPresent(CallContext& context) const {
  const Parameter identifier = findParameter(context.call, "identifier");
  if (identifier.missing() || (identifier.value.empty() && !identifier.repeated())) {
    return Outcome::reject(ErrorCode::kAccountOrSignature,
                           fmt::format("query parameter \"identifier\" is {}; it names the App "
                                       "admin account making the call",
                                       identifier.missing() ? "missing" : "empty"));
  }
  if (auto repeated = rejectRepeated(identifier, "identifier")) return repeated;
  context.identifier = identifier.value;
  return std::nullopt;
}

std::optional<Outcome> CheckChain::userSigPresent(CallContext& context) const {
  const Parameter usersig = findParameter(context.call, "usersig");
  if (usersig.missing() || (usersig.value.empty() && !usersig.repeated())) {
    return Outcome::reject(ErrorCode::kUserSigEmpty,
                           fmt::format("query parameter \"usersig\" is {} (UserSig length is 0)",
                                       usersig.missing() ? "missing" : "empty"));
  }
  if (auto repeated = rejectRepeated(usersig, "usersig")) return repeated;
  context.usersig = usersig.value;
  return std::nullopt;
}

std::optional<Outcome> CheckChain::appExists(CallContext& context) const {
  context.app = apps_.find(context.sdkappid);
  if (context.app == nullptr) {
    return Outcome::reject(ErrorCode::kSdkAppIdNotFound,
                           fmt::format("SDKAppID {} is not configured in this emulator",
                                       context.sdkappid));
  }
  // From here on the call runs on its app's time (an app whose clock was advanced on its own).
  context.clock_offset = app_clocks_.offsetOf(context.sdkappid);
  context.now += context.clock_offset;
  return std::nullopt;
}

std::optional<Outcome> CheckChain::appIsActive(CallContext& context) const {
  const auto settings = statuses_.settingsOf(*context.app);
  context.response_style = settings.response_style;
  context.strict_members = settings.strict_members;
  switch (settings.status) {
    case AppStatus::kActive:
      return std::nullopt;
    case AppStatus::kDisabled:
      return Outcome::reject(ErrorCode::kAppDisabled,
                             fmt::format("app {} is disabled", context.sdkappid));
    case AppStatus::kExpired:
      return Outcome::reject(ErrorCode::kPackageExpired,
                             fmt::format("the package of app {} has expired", context.sdkappid));
  }
  return std::nullopt;
}

std::optional<Outcome> CheckChain::userSigDecodes(CallContext& context) const {
  auto decoded = usersigs_.decode(context.usersig);
  if (!decoded.claims) {
    context.usersig_problem = decoded.error;
    return Outcome::reject(ErrorCode::kUserSigInvalid,
                           fmt::format("the UserSig cannot be decoded: {}", decoded.error));
  }
  context.claims = std::move(decoded.claims);
  return std::nullopt;
}

std::optional<Outcome> CheckChain::userSigSdkAppIdMatches(CallContext& context) const {
  if (context.claims->sdkappid == context.sdkappid) return std::nullopt;
  return Outcome::reject(ErrorCode::kUserSigSdkAppIdMismatch,
                         fmt::format("the UserSig was issued for SDKAppID {} (TLS.sdkappid), but "
                                     "the request's sdkappid is {}",
                                     context.claims->sdkappid, context.sdkappid));
}

std::optional<Outcome> CheckChain::userSigIdentifierMatches(CallContext& context) const {
  if (context.claims->identifier == context.identifier) return std::nullopt;
  return Outcome::reject(ErrorCode::kUserSigIdentifierMismatch,
                         fmt::format("the UserSig was issued for identifier {} (TLS.identifier), "
                                     "but the request's identifier is {}",
                                     shown(context.claims->identifier),
                                     shown(context.identifier)));
}

std::optional<Outcome> CheckChain::userSigNotExpired(CallContext& context) const {
  const std::int64_t now = unixSeconds(context.now);
  if (!context.claims->expiredAt(now)) return std::nullopt;
  return Outcome::reject(ErrorCode::kUserSigExpired,
                         fmt::format("the UserSig expired: valid until {} (TLS.time {} + "
                                     "TLS.expire {}), and the emulator's clock is at {}",
                                     expiryText(context.claims->validUntil()),
                                     context.claims->time, context.claims->expire, now));
}

std::optional<Outcome> CheckChain::userSigSignatureValid(CallContext& context) const {
  if (usersigs_.signatureMatches(context.usersig, *context.claims, context.app->secret_key)) {
    return std::nullopt;
  }
  // The journal shows the text that should have been signed; never the key or a correct HMAC.
  context.usersig_problem =
      fmt::format("TLS.sig is not the HMAC-SHA256 of this text under app {}'s secret key: {}",
                  context.sdkappid, nlohmann::json(protocol::userSigSignedText(*context.claims)).dump());
  return Outcome::reject(ErrorCode::kUserSigVerificationFailed,
                         std::string(protocol::kUserSigVerificationFailedText));
}

std::optional<Outcome> CheckChain::identifierIsAdmin(CallContext& context) const {
  if (context.app->isAdmin(context.identifier)) return std::nullopt;
  return Outcome::reject(ErrorCode::kAdminRequired,
                         fmt::format("identifier {} is not an App admin of app {}; REST API calls "
                                     "must be signed by an App admin",
                                     shown(context.identifier), context.sdkappid));
}

std::optional<Outcome> CheckChain::withinRateLimit(CallContext& context) const {
  const std::uint32_t limit = limitFor(*context.api);
  const auto decision = limiter_.decide(rateLimitKey(context.sdkappid, *context.api), limit, context.clock_offset);
  context.decided_at = decision.at;
  if (decision.admitted) return std::nullopt;
  return Outcome::reject(ErrorCode::kRateLimited,
                         fmt::format("app {} exceeded {}'s limit of {} requests per second",
                                     context.sdkappid, context.api->name(), limit));
}

std::optional<Outcome> CheckChain::bodyIsJson(CallContext& context) const {
  const std::string& body = context.call.body;
  if (body.empty()) {
    return Outcome::reject(ErrorCode::kInvalidJsonBody,
                           "the request body is empty; send JSON like {\"RoomId\":\"...\"}");
  }
  auto parsed = protocol::parseUntrustedJson(body);
  if (!parsed) {
    return Outcome::reject(ErrorCode::kInvalidJsonBody, "the request body is " + parsed.error());
  }
  context.body = std::move(parsed).value();
  return std::nullopt;
}

// Row 19: the command's own rule, then the top-level members it does not document: read past and
// journaled (before those it read past inside RoomInfo), or, for an app with strict_members,
// refused (docs/destroy_room.md, "Body members").
std::optional<Outcome> CheckChain::apiBodyRule(CallContext& context) const {
  if (auto failure = context.api->checkBody(context)) return failure;
  if (context.body.is_object()) {
    const auto documented = context.api->bodyMembers();
    std::size_t top_level = 0;
    for (const auto& [name, unused] : context.body.items()) {
      if (std::find(documented.begin(), documented.end(), name) != documented.end()) continue;
      if (auto* ignored = context.ignoredSink()) {
        ignored->insert(ignored->begin() + static_cast<std::ptrdiff_t>(top_level++), name);
        continue;
      }
      std::string names;
      for (const auto member : documented) names += fmt::format("{}\"{}\"", names.empty() ? "" : ", ", member);
      return Outcome::reject(ErrorCode::kInvalidParameter,
                             fmt::format("the request body has an unknown field \"{}\" (this command takes: {}; "
                                         "app {} has strict_members on)",
                                         name, names, context.sdkappid));
    }
  }
  return std::nullopt;
}

}  // namespace live::domain
