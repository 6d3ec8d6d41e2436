// Emulator wiring: limits resolved once (flag > config > documented), rooms stamped with the load
// time, and handle() as checks -> faults -> operation -> envelope -> journal.
#include "domain/emulator.h"

#include "domain/state_file.h"
#include "protocol/callback.h"

#include <fmt/format.h>

#include <random>

namespace live::domain {
namespace {

std::vector<std::uint32_t> resolveLimits(const EmulatorConfig& config,
                                         const EmulatorOptions& options) {
  std::vector<std::uint32_t> limits;
  for (const Api* api : emulatedApis()) {
    std::uint32_t limit = api->documentedRateLimit();
    if (const auto it = config.rate_limits.find(api->name()); it != config.rate_limits.end()) {
      limit = it->second;
    }
    if (options.rate_limit) limit = *options.rate_limit;
    limits.push_back(limit);
  }
  return limits;
}

std::map<SdkAppId, AccountStore::Accounts> initialAccounts(const EmulatorConfig& config) {
  std::map<SdkAppId, AccountStore::Accounts> accounts;
  for (const auto& app : config.apps) {
    for (const auto& account : app.imported_accounts) accounts[app.sdkappid].emplace(account, ImAccount{});
  }
  return accounts;
}

std::vector<Room> initialRooms(const EmulatorConfig& config, Instant load_time) {
  std::vector<Room> rooms;
  rooms.reserve(config.rooms.size());
  for (const auto& configured : config.rooms) rooms.push_back(roomAt(configured, load_time));
  return rooms;
}

// What a gateway in front of the real service sends with a 5xx: not the vendor's envelope.
// What a gateway answers instead of the service; for 200, a captive portal's sign-in page (chosen).
std::string gatewayPage(int status) {
  if (status == 200) {
    return "<!DOCTYPE html><html><head><title>Sign in to the network</title></head><body>"
           "<form method=\"post\" action=\"/login\"><h1>Sign in to the network</h1>"
           "<input name=\"user\"><input name=\"password\" type=\"password\"></form></body></html>\n";
  }
  return fmt::format("<html><head><title>{0}</title></head><body><center><h1>{0}</h1></center>"
                     "</body></html>\n",
                     status);
}

}  // namespace

Emulator::Emulator(EmulatorConfig config, EmulatorOptions options)
    : config_(std::move(config)),
      options_(std::move(options)),
      clock_(options_.frozen_clock ? EmulatorClock(registry_, *options_.frozen_clock)
                                   : EmulatorClock(registry_)),
      app_clocks_(registry_),
      apps_(registry_, config_.apps),
      limiter_(registry_, clock_),
      app_statuses_(registry_),
      rooms_(std::make_unique<RoomStore>(registry_, config_.apps,
                                         initialRooms(config_, clock_.now()), &app_clocks_)),
      accounts_(std::make_unique<AccountStore>(registry_, initialAccounts(config_))),
      faults_(registry_, clock_),
      journal_(registry_, options_.journal_size, &changes_),
      callbacks_(registry_, config_.callbacks),
      callback_log_(registry_, options_.journal_size, &changes_),
      metrics_(emulatedApis().size(), config_.apps.size()),
      checks_(std::make_unique<CheckChain>(apps_, app_statuses_,
                                           resolveLimits(config_, options_), limiter_, app_clocks_,
                                           CheckOptions{options_.lenient_random})) {
  for (const auto& scenario : options_.scenarios) apply(scenario);
}

std::vector<Emulator::RateWindow> Emulator::rateWindows() const {
  std::vector<RateWindow> windows;
  for (const auto& app : apps_.all()) {
    const Duration offset = app_clocks_.offsetOf(app.sdkappid);
    for (const Api* api : emulatedApis()) {
      windows.push_back({app.sdkappid, api->name(), checks_->limitFor(*api),
                         limiter_.inWindow(rateLimitKey(app.sdkappid, *api), offset)});
    }
  }
  return windows;
}

ApiAnswer Emulator::handle(ApiCall call) {
  const auto started = std::chrono::steady_clock::now();  // the journal's handled_ms
  const Instant now = clock_.now();
  // Rooms that dissolved by themselves before this call are gone when it looks (one atomic load
  // when none is due).
  if (rooms_->anyDue(now)) dissolveDue(now);
  const auto issued = request_ids_.next();
  // A call that ends in an exception is never journaled: its seq is abandoned, so that journal
  // pollers (after_seq) move past it instead of waiting for it forever.
  struct Unrecorded {
    Journal& journal;
    std::uint64_t seq;
    bool recorded = false;
    ~Unrecorded() {
      if (!recorded) journal.abandon(seq);
    }
  } unrecorded{journal_, issued.seq};
  CallContext context(call, now);
  Outcome outcome;
  std::optional<FaultRule> fault;
  if (auto failure = checks_->run(context)) {
    outcome = std::move(*failure);
  } else {
    // Faults apply to calls that passed every check up to and including the body.
    fault = faults_.take(context.api->name(), context.sdkappid, context.room_id, now);
    // A late or cut answer is the real one, so the operation runs.
    if (!fault || fault->after_apply || fault->action.sendsRealAnswer()) {
      try {
        DomainState state{*rooms_, callbacks_, *accounts_};
        outcome = context.api->apply(context, state);
      } catch (const StateFileError& not_durable) {
        // The change was not made: it could not be made durable first.
        outcome = Outcome::reject(protocol::ErrorCode::kInternalError,
                                  fmt::format("internal error: {}", not_durable.what()));
      }
    }
  }

  ApiAnswer answer;
  answer.envelope.error_code = protocol::toInt(outcome.code);
  answer.envelope.error_info = std::move(outcome.error_info);
  answer.envelope.extra_members = std::move(outcome.extra_members);
  answer.envelope.extra_members_in_every_style = outcome.extra_members_in_every_style;
  answer.envelope.request_id = issued.request_id;
  answer.envelope.im = context.api != nullptr && context.api->imEnvelope();
  if (outcome.event) {
    const auto colon = call.peer.rfind(':');
    auto& event = *outcome.event;
    roomEvent(event.command, std::move(event.room),
              Actor{std::string(context.identifier), std::string(event.event_type), call.peer.substr(0, colon), "RESTAPI"},
              context.decided_at.value_or(context.now), std::move(event.changed));
  }
  if (fault) injectFault(*fault, answer);
  if (answer.body.empty() && !answer.drop_connection) {
    answer.body = protocol::serializeEnvelope(answer.envelope, responseStyleFor(context));
  }
  if (context.api != nullptr) answer.api = std::string(context.api->name());
  if (context.app != nullptr) answer.sdkappid = context.sdkappid;
  answer.identifier = std::string(context.identifier);
  answer.room_id = context.room_id;

  JournalEntry entry;
  entry.seq = issued.seq;
  entry.time = context.decided_at.value_or(context.now);
  // The call is not read after this point: its parts move into the journal.
  entry.method = std::move(call.method);
  entry.path = std::move(call.path);
  entry.query = std::move(call.query);
  entry.body = std::move(call.body);
  entry.peer = std::move(call.peer);
  entry.content_type = std::move(call.content_type);
  entry.api = answer.api;
  entry.sdkappid = answer.sdkappid;
  entry.identifier = answer.identifier;
  entry.room_id = answer.room_id;
  entry.usersig_claims = context.claims;
  entry.usersig_problem = context.usersig_problem;
  entry.ignored = std::move(context.ignored_members);
  entry.error_code = answer.sentErrorCode();
  entry.request_id = answer.sentRequestId();
  entry.http_status = answer.drop_connection ? 0 : answer.http_status;
  entry.response_body = answer.body;
  entry.response_is_json = answer.content_type == "application/json";
  entry.dropped = answer.drop_connection;
  entry.cut = toString(answer.cut);
  entry.delay_ms = answer.delay.count();
  if (fault) entry.fault_id = fault->id;
  const auto handled = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
  entry.handled_us = handled.count();
  metrics_.record(metricsOf(context, answer, fault ? &*fault : nullptr, handled));
  unrecorded.recorded = true;
  journal_.record(std::move(entry));
  return answer;
}

Metrics::Call Emulator::metricsOf(const CallContext& context, const ApiAnswer& answer, const FaultRule* fault,
                                  std::chrono::microseconds handled) const {
  Metrics::Call call{context.api != nullptr ? apiIndex(*context.api) : emulatedApis().size(),
                     answer.sentErrorCode(),
                     answer.drop_connection ? 0 : answer.http_status,
                     std::nullopt,
                     std::nullopt,
                     handled + answer.delay};
  if (fault != nullptr) {
    const auto& action = fault->action;
    call.fault = action.error_code          ? Metrics::FaultKind::kErrorCode
                 : action.http_status       ? Metrics::FaultKind::kHttpStatus
                 : action.drop_connection   ? Metrics::FaultKind::kDropConnection
                 : action.cut == AnswerCut::kTruncateBody ? Metrics::FaultKind::kTruncateBody
                 : action.cut == AnswerCut::kResetMidway  ? Metrics::FaultKind::kResetMidway
                                                          : Metrics::FaultKind::kDelay;
  } else if (answer.envelope.error_code == protocol::toInt(protocol::ErrorCode::kRateLimited) && context.app != nullptr &&
             context.app >= config_.apps.data() && context.app < config_.apps.data() + config_.apps.size()) {
    // Per-app counters are the configured apps' (chosen: an app added at run time counts in the totals).
    call.rate_limited_app = static_cast<std::size_t>(context.app - config_.apps.data());
  }
  return call;
}

std::string Emulator::unjournaledRequestId() {
  auto issued = request_ids_.next();
  journal_.abandon(issued.seq);
  return std::move(issued.request_id);
}

protocol::ResponseStyle Emulator::responseStyleFor(const CallContext& context) const {
  // Row 10 read the app's style. A call that failed earlier answers in its app's style when the
  // query named a configured app, and in the 2024 shape otherwise (chosen: the app, and so its
  // style, is unknown). Rows 1 and 2 fail before row 4 reads the sdkappid: it is read here.
  if (context.app != nullptr) return context.response_style;
  const auto sdkappid = context.sdkappid_known ? std::optional<SdkAppId>(context.sdkappid) : sdkAppIdNamedBy(context.call);
  if (!sdkappid) return context.response_style;
  const App* app = apps_.find(*sdkappid);
  return app != nullptr ? app_statuses_.settingsOf(*app).response_style : context.response_style;
}

void Emulator::injectFault(const FaultRule& fault, ApiAnswer& answer) const {
  answer.delay = fault.action.delay;
  if (fault.action.error_code) {
    const auto* known = protocol::describe(static_cast<std::int64_t>(*fault.action.error_code));
    answer.envelope.error_code = *fault.action.error_code;
    answer.envelope.error_info =
        fmt::format("{} (injected by emulator fault rule {})",
                    known != nullptr ? known->meaning : "Injected error.", fault.id);
    answer.envelope.extra_members = fault.action.extra_members;
  } else if (fault.action.http_status) {
    answer.http_status = *fault.action.http_status;
    answer.body = gatewayPage(*fault.action.http_status);
    answer.content_type = "text/html";
    answer.page_instead_of_envelope = true;
  } else if (fault.action.drop_connection) {
    answer.drop_connection = true;
  }
  answer.cut = fault.action.cut;
}

void Emulator::reset() {
  registry_.resetAll();
  for (const auto& scenario : options_.scenarios) apply(scenario);
}

void Emulator::catchUp() {
  const Instant now = clock_.now();
  if (rooms_->anyDue(now)) dissolveDue(now);
}

void Emulator::dissolveDue(Instant now) {
  for (auto& [room, dissolution] : rooms_->dissolveDue(now)) {
    JournalEntry entry;
    entry.seq = request_ids_.next().seq;
    entry.time = dissolution.at;  // when it happened, not when it was noticed
    entry.api = "destroy_room";
    entry.sdkappid = room.sdkappid;
    entry.room_id = room.room_id;
    entry.http_status = 0;
    entry.event = "DestroyBySystem";
    entry.reason = std::string(toString(dissolution.reason));
    journal_.record(std::move(entry));
    // Chosen: the system is named as the vendor's IM callbacks name it.
    roomEvent(protocol::kCallbackAfterDestroyRoom, std::make_shared<const Room>(room),
              Actor{"@TIM#SYSTEM", "DestroyBySystem", "", "Unknown"}, dissolution.at);
  }
}

RoomStore::RemoveResult Emulator::removeRoom(SdkAppId sdkappid, std::string_view room_id) {
  catchUp();
  std::optional<Room> removed;
  const auto result = rooms_->removeIf(sdkappid, room_id, [&](const Room& room) {
    removed = room;
    return true;
  });
  if (removed) {
    // Chosen: the control API acts as the app's root admin, from no particular address.
    const App* app = apps_.find(sdkappid);
    roomEvent(protocol::kCallbackAfterDestroyRoom, std::make_shared<const Room>(std::move(*removed)),
              Actor{app != nullptr ? app->root_admin : "", "DestroyByUser", "", "RESTAPI"}, appNow(sdkappid));
  }
  return result;
}

void Emulator::roomEvent(std::string_view command, std::shared_ptr<const Room> room, Actor actor, Instant at,
                         std::vector<std::string> changed) {
  auto config = callbacks_.of(room->sdkappid);  // lock-free while no app has a callback URL
  if (!config || !config->enables(command)) return;
  // Only what the callback is made of is gathered here; its URL and body are built by the sender.
  const Instant now = clock_.now();
  const auto fault = faults_.take(command, room->sdkappid, room->room_id, now);
  auto work = std::make_shared<CallbackWork>();
  work->config = std::move(config);
  work->command = std::string(command);
  work->at = at;
  work->request_time = unixSeconds(app_clocks_.appTime(room->sdkappid, now));
  if (fault) work->fault = fault->action.callback;
  CallbackDelivery delivery;
  delivery.time = at;
  delivery.sdkappid = room->sdkappid;
  delivery.room_id = room->room_id;
  delivery.command = work->command;
  delivery.event_type = actor.event_type;
  if (fault) {
    delivery.fault_id = fault->id;
    delivery.fault = fault->action.callback;
    delivery.delay_ms = fault->action.delay.count();
  }
  work->actor = std::move(actor);
  work->room = std::move(room);
  work->changed = std::move(changed);
  delivery.work = std::move(work);
  CallbackSender* sender = sender_.load();
  if (delivery.fault == CallbackFault::kSkip || sender == nullptr) {
    delivery.state = delivery.fault == CallbackFault::kSkip ? "skipped" : "unsent";
    callback_log_.record(std::move(delivery));
    return;
  }
  const int copies = delivery.fault == CallbackFault::kSendTwice ? 2 : 1;
  for (int copy = 0; copy < copies; ++copy) {
    const std::uint64_t id = callback_log_.record(delivery);
    if (!sender->enqueue({id, delivery.sdkappid, delivery.command, delivery.room_id, delivery.work,
                          std::chrono::milliseconds(delivery.delay_ms)})) {
      callback_log_.complete(id, "overflow", 0, "", 0, "the app's callback queue is full: this callback was not sent");
    }
  }
}

std::optional<RoomStore::OccupancyView> Emulator::changeMembers(SdkAppId sdkappid,
                                                                std::string_view room_id,
                                                                const MemberEvents& events) {
  catchUp();
  return rooms_->changeMembers(sdkappid, room_id, events, appNow(sdkappid));
}

std::optional<std::string> Emulator::problemWith(const Scenario& scenario) const {
  for (std::size_t i = 0; i < scenario.members.size(); ++i) {
    const auto& entry = scenario.members[i];
    const bool added = std::any_of(scenario.rooms.begin(), scenario.rooms.end(), [&](const RoomConfig& room) {
      return room.room.sdkappid == entry.sdkappid && room.room.room_id == entry.room_id;
    });
    if (!added && !rooms_->occupancy(entry.sdkappid, entry.room_id)) {
      return fmt::format("members[{}].room_id: no room \"{}\" in app {} (add it in the scenario's rooms)",
                         i, entry.room_id, entry.sdkappid);
    }
  }
  return std::nullopt;
}

void Emulator::apply(const ClockSetting& setting) {
  switch (setting.kind) {
    case ClockSetting::Kind::kFreezeAt:
      clock_.freezeAt(instantFromUnixSeconds(setting.seconds));
      break;
    case ClockSetting::Kind::kAdvance:
      clock_.advance(std::chrono::nanoseconds(static_cast<std::int64_t>(setting.seconds * 1e9)));
      break;
    case ClockSetting::Kind::kRealTime:
      clock_.useRealTime();
      break;
  }
  // A room whose time has come dissolves as the clock passes it.
  catchUp();
}

void Emulator::apply(const Scenario& scenario) {
  if (scenario.clock) apply(*scenario.clock);
  for (const auto& [sdkappid, status] : scenario.app_statuses) app_statuses_.set(sdkappid, status);
  for (const auto& [sdkappid, style] : scenario.app_response_styles) app_statuses_.set(sdkappid, style);
  for (const auto& [sdkappid, strict] : scenario.app_strict_members) app_statuses_.setStrictMembers(sdkappid, strict);
  for (const auto& [sdkappid, rules] : scenario.app_auto_dissolve) rooms_->setRules(sdkappid, rules);
  for (const auto& [sdkappid, callback] : scenario.app_callbacks) callbacks_.put(sdkappid, callback);
  for (const auto& configured : scenario.rooms) rooms_->put(roomAt(configured, appNow(configured.room.sdkappid)));
  for (const auto& entry : scenario.members) changeMembers(entry.sdkappid, entry.room_id, entry.events);
  for (const auto& rule : scenario.faults) faults_.add(rule);
  catchUp();
}

}  // namespace live::domain

namespace live::domain {
namespace {

// A secret key for an app added without one: 32 random bytes, hex (chosen).
std::string generatedSecretKey() {
  std::random_device device;
  std::string key;
  for (int i = 0; i < 8; ++i) key += fmt::format("{:08x}", device());
  return key;
}

// The parts of `scenario` that name app `sdkappid` (a scoped reset re-applies only those).
Scenario scopedTo(const Scenario& scenario, SdkAppId sdkappid) {
  Scenario scoped;
  const auto copyFor = [&](const auto& from, auto& to) {
    for (const auto& [app, value] : from) {
      if (app == sdkappid) to.emplace_back(app, value);
    }
  };
  copyFor(scenario.app_statuses, scoped.app_statuses);
  copyFor(scenario.app_response_styles, scoped.app_response_styles);
  copyFor(scenario.app_strict_members, scoped.app_strict_members);
  copyFor(scenario.app_auto_dissolve, scoped.app_auto_dissolve);
  copyFor(scenario.app_callbacks, scoped.app_callbacks);
  for (const auto& room : scenario.rooms) {
    if (room.room.sdkappid == sdkappid) scoped.rooms.push_back(room);
  }
  for (const auto& entry : scenario.members) {
    if (entry.sdkappid == sdkappid) scoped.members.push_back(entry);
  }
  for (const auto& rule : scenario.faults) {
    if (rule.sdkappid == sdkappid) scoped.faults.push_back(rule);
  }
  return scoped;
}

}  // namespace

Result<App> Emulator::addApp(const nlohmann::json& spec) {
  const bool named = spec.is_object() && spec.contains("sdkappid");
  auto parsed = parseRuntimeApp(spec, named ? 0 : apps_.nextFreeSdkAppId(), generatedSecretKey());
  if (!parsed) return Failure{parsed.error()};
  RuntimeAppSpec app = std::move(parsed).value();
  const SdkAppId sdkappid = app.app.sdkappid;
  const auto exists = [&] { return Failure{fmt::format("app.sdkappid: app {} exists already", sdkappid)}; };
  if (apps_.find(sdkappid) != nullptr) return exists();
  catchUp();
  std::vector<Room> rooms;
  for (const auto& configured : app.rooms) rooms.push_back(roomAt(configured, appNow(sdkappid)));
  // Its state first, the directory last: a call finds the app only once the app is whole. The room
  // store is the gate: of two requests for one id, one gets past it.
  if (!rooms_->addApp(app.app, std::move(rooms))) return exists();
  AccountStore::Accounts accounts;
  for (const auto& account : app.app.imported_accounts) accounts.emplace(account, ImAccount{});
  accounts_->addApp(sdkappid, std::move(accounts));
  callbacks_.addApp(sdkappid, std::move(app.callback));
  apps_.add(app.app);
  return app.app;
}

Emulator::RemoveAppResult Emulator::removeApp(SdkAppId sdkappid) {
  switch (apps_.remove(sdkappid)) {
    case AppDirectory::RemoveResult::kConfigured:
      return RemoveAppResult::kConfigured;
    case AppDirectory::RemoveResult::kAbsent:
      return RemoveAppResult::kAbsent;
    case AppDirectory::RemoveResult::kRemoved:
      break;
  }
  // What the parts hold of it goes; then its rooms, accounts and callback configuration.
  registry_.resetApp(sdkappid);
  rooms_->removeApp(sdkappid);
  accounts_->removeApp(sdkappid);
  callbacks_.removeApp(sdkappid);
  return RemoveAppResult::kRemoved;
}

void Emulator::resetApp(SdkAppId sdkappid) {
  registry_.resetApp(sdkappid);
  for (const auto& scenario : options_.scenarios) apply(scopedTo(scenario, sdkappid));
}

void Emulator::advanceApp(SdkAppId sdkappid, Duration by) {
  app_clocks_.advance(sdkappid, by);
  rooms_->appClockMoved(sdkappid);
  catchUp();
}

VerificationResult Emulator::verify(const Verification& verification) {
  const auto evaluateNow = [&] {
    catchUp();
    if (verification.on_callbacks) {
      CallbackFilter filter;
      filter.sdkappid = verification.sdkappid;
      return evaluate(verification, callback_log_.select(filter));
    }
    JournalFilter filter;
    filter.sdkappid = verification.sdkappid;
    return evaluate(verification, journal_.select(filter, std::nullopt, SIZE_MAX).entries);
  };
  VerificationResult result = evaluateNow();
  if (result.ok || result.settled || verification.wait.count() == 0) return result;
  changes_.waitUntil(std::chrono::steady_clock::now() + verification.wait, [&] {
    result = evaluateNow();
    return result.ok || result.settled;
  });
  if (!result.ok && !result.settled) {
    result.message = fmt::format("after waiting {} ms, {}", verification.wait.count(), result.message);
  }
  return result;
}

}  // namespace live::domain
