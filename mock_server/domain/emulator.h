// The emulator's domain, whole: apps, rooms, clock, rate limiter, faults, journal and the check
// chain, behind one call that turns an ApiCall into the vendor's answer, plus the operations the
// control API exposes. Knows nothing of HTTP. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "domain/accounts/account_store.h"
#include "domain/accounts/app_directory.h"
#include "domain/change_signal.h"
#include "domain/time/app_clocks.h"
#include "domain/verification.h"
#include "domain/app_status.h"
#include "domain/callbacks/callbacks.h"
#include "domain/api/call.h"
#include "domain/api/check_chain.h"
#include "domain/time/clock.h"
#include "domain/config.h"
#include "domain/time/faults.h"
#include "domain/journal.h"
#include "domain/metrics.h"
#include "domain/time/rate_limiter.h"
#include "domain/resettable.h"
#include "domain/rooms/room_store.h"
#include "domain/scenario.h"
#include "protocol/envelope.h"

namespace live::domain {

struct EmulatorOptions {
  bool lenient_random = false;              // --lenient
  std::optional<std::uint32_t> rate_limit;  // --rate-limit: overrides every API's limit
  std::optional<Instant> frozen_clock;      // start, and reset, with the clock frozen here
  std::size_t journal_size = 10'000;        // --journal-size
  std::vector<Scenario> scenarios;          // --scenario: applied at start and after each reset
};

// The answer to one call, and what the transport must do with it.
struct ApiAnswer {
  int http_status = 200;
  std::string body;  // the serialised envelope, or a gateway page for an injected HTTP status
  std::string content_type = "application/json";
  bool drop_connection = false;  // close the connection without answering
  std::chrono::milliseconds delay{0};  // wait before answering (or dropping)
  AnswerCut cut = AnswerCut::kNone;    // send only part of the answer, then end the connection
  protocol::Envelope envelope;   // what the body says (when it is an envelope)
  bool page_instead_of_envelope = false;  // an http_status fault's HTML page (200 included)

  // What the client actually received: no envelope, so no ErrorCode (0) or RequestId (empty), for
  // a dropped connection or an injected HTTP status.
  bool sentEnvelope() const {
    return !drop_connection && http_status == 200 && cut == AnswerCut::kNone && !page_instead_of_envelope;
  }
  std::int64_t sentErrorCode() const { return sentEnvelope() ? envelope.error_code : 0; }
  std::string sentRequestId() const { return sentEnvelope() && !envelope.im ? envelope.request_id : std::string(); }
  // For the request log.
  std::string api;
  std::optional<SdkAppId> sdkappid;
  std::string identifier;
  std::string room_id;
};

class Emulator {
 public:
  // A RequestId for an answer the HTTP layer gives without a call (HTTP 413): unique and in
  // sequence like every other; its seq is never journaled, so pollers move past it.
  std::string unjournaledRequestId();
  Emulator(EmulatorConfig config, EmulatorOptions options);
  Emulator(const Emulator&) = delete;
  Emulator& operator=(const Emulator&) = delete;

  // Runs the checks of docs/destroy_room.md, "The check table", consults the fault rules, runs the API's
  // operation, journals the call and returns the answer.
  // The call is kept in the journal, hence taken by value (move it in).
  ApiAnswer handle(ApiCall call);

  // Returns every stateful part to its configured initial state, then re-applies the start-up
  // scenarios.
  void reset();
  // The names of the parts reset() reaches, in order.
  std::vector<std::string> statefulParts() const { return registry_.names(); }

  // Apps at run time (docs/control-api.md, "Apps at run time"). addApp parses an app object (its
  // sdkappid and secret_key may be left out: they are then chosen) and adds the app with its rooms;
  // the failure names the member. removeApp removes an app added at run time and everything the
  // emulator holds of it.
  Result<App> addApp(const nlohmann::json& spec);
  enum class RemoveAppResult { kRemoved, kAbsent, kConfigured };
  RemoveAppResult removeApp(SdkAppId sdkappid);
  // Returns one app to its initial state: its rooms, accounts, settings, callback configuration,
  // rate windows, clock offset, its faults (rules that name it), its journal entries and callbacks,
  // then the parts of the start-up scenarios that name it. Other apps are untouched.
  void resetApp(SdkAppId sdkappid);
  // Moves only this app's time forward (its UserSigs, rate windows and rooms).
  void advanceApp(SdkAppId sdkappid, Duration by);
  Instant appNow(SdkAppId sdkappid) const { return app_clocks_.appTime(sdkappid, clock_.now()); }
  Duration appClockOffset(SdkAppId sdkappid) const { return app_clocks_.offsetOf(sdkappid); }
  const App* findApp(SdkAppId sdkappid) const { return apps_.find(sdkappid); }
  bool isConfiguredApp(SdkAppId sdkappid) const { return apps_.isConfigured(sdkappid); }
  // Every app: the configured ones, then those added at run time.
  std::vector<App> apps() const { return apps_.all(); }

  // Evaluates a verification on the journal (or the callback log), waiting up to its wait_ms for
  // it to hold (docs/control-api.md, "Verification").
  VerificationResult verify(const Verification& verification);
  // Ends every wait of verify() now, and those to come (the server is shutting down).
  void stopWaiting() { changes_.stop(); }

  // Applies a scenario on top of the current state.
  void apply(const Scenario& scenario);
  // Why `scenario` cannot be applied now (a member event for a room that neither exists nor is
  // added by the scenario), or nullopt.
  std::optional<std::string> problemWith(const Scenario& scenario) const;

  // Dissolves, at the instant each was due, every room whose auto-dissolve time has come by the
  // clock's now, journaling each (docs/control-api.md, "Occupancy and self-dissolving rooms").
  // Calls and control calls do this first; so does every move of the clock.
  void catchUp();
  // Plays member events in a room at the clock's now.
  std::optional<RoomStore::OccupancyView> changeMembers(SdkAppId sdkappid, std::string_view room_id,
                                                        const MemberEvents& events);
  void apply(const ClockSetting& setting);

  const EmulatorConfig& config() const { return config_; }
  EmulatorClock& clock() { return clock_; }
  RoomStore& rooms() { return *rooms_; }
  FaultPlan& faults() { return faults_; }
  Journal& journal() { return journal_; }
  AppStatusBoard& appStatuses() { return app_statuses_; }
  CallbackSettings& callbacks() { return callbacks_; }
  AccountStore& accounts() { return *accounts_; }
  CallbackLog& callbackLog() { return callback_log_; }
  const Metrics& metrics() const { return metrics_; }
  // Where callbacks go (the HTTP layer's sender); none: callbacks are built, recorded and not sent.
  // Set before serving.
  void setCallbackSender(CallbackSender* sender) { sender_.store(sender); }
  // Removes a room through the control API, which dissolves it like an operator would (its
  // callback included).
  RoomStore::RemoveResult removeRoom(SdkAppId sdkappid, std::string_view room_id);
  // The limit in force for `api` (per app, per second; 0 = off).
  std::uint32_t rateLimit(const Api& api) const { return checks_->limitFor(api); }
  // Each app's use of each API's rate limit: calls admitted in the last second of the clock.
  struct RateWindow {
    SdkAppId sdkappid;
    std::string_view api;
    std::uint32_t limit;
    std::uint32_t in_window;
  };
  std::vector<RateWindow> rateWindows() const;

 private:
  void injectFault(const FaultRule& fault, ApiAnswer& answer) const;
  void dissolveDue(Instant now);
  // Sends the webhook `command` about `room`, when its app has the command enabled.
  void roomEvent(std::string_view command, std::shared_ptr<const Room> room, Actor actor, Instant at,
                 std::vector<std::string> changed = {});
  protocol::ResponseStyle responseStyleFor(const CallContext& context) const;
  Metrics::Call metricsOf(const CallContext& context, const ApiAnswer& answer, const FaultRule* fault,
                          std::chrono::microseconds handled) const;

  const EmulatorConfig config_;
  const EmulatorOptions options_;
  // Every stateful part below joins this registry when it is constructed.
  ResetRegistry registry_;
  ChangeSignal changes_;  // the journal and the callback log wake verify()'s waits
  EmulatorClock clock_;
  AppClocks app_clocks_;
  AppDirectory apps_;
  RateLimiter limiter_;
  AppStatusBoard app_statuses_;
  std::unique_ptr<RoomStore> rooms_;
  std::unique_ptr<AccountStore> accounts_;
  FaultPlan faults_;
  Journal journal_;
  CallbackSettings callbacks_;
  CallbackLog callback_log_;
  Metrics metrics_;
  std::atomic<CallbackSender*> sender_{nullptr};
  std::unique_ptr<CheckChain> checks_;
  protocol::RequestIdGenerator request_ids_;
};

}  // namespace live::domain
