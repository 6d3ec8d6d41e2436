// Webhooks ("callbacks", docs/webhooks.md): each app's callback configuration, the callbacks the
// emulator sends after a room is dissolved, and the record of every delivery. The domain builds
// each callback (URL, query, body) and hands it to a CallbackSender; the HTTP layer sends it and
// reports back. Nothing here knows HTTP.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/time/clock.h"
#include "domain/time/faults.h"
#include "domain/rooms/model.h"
#include "domain/change_signal.h"
#include "domain/resettable.h"
#include "protocol/result.h"

namespace live::domain {

// One app's configuration: where callbacks go, which commands are enabled, the token.
struct CallbackConfig {
  std::string url;                    // empty: none configured
  std::vector<std::string> commands;  // e.g. "Live.CallbackAfterDestroyRoom"
  std::string token;
  bool token_enabled = false;

  bool enables(std::string_view command) const;
  bool operator==(const CallbackConfig&) const = default;
};

// {"url":"http://…","commands":[…],"token":"…","token_enabled":true} as the config and scenarios
// give it; `url` and `commands` required, the token optional. Failures name the field.
Result<CallbackConfig> parseCallbackConfig(const nlohmann::json& value, const std::string& path);
nlohmann::json callbackConfigToJson(const CallbackConfig& config);
// The vendor's rules for a callback URL (set_callback) and a token (set_callback_token): nullopt
// when valid, otherwise what is wrong.
std::optional<std::string> callbackUrlProblem(std::string_view url);
std::optional<std::string> callbackTokenProblem(std::string_view token);

// The configurations in force, per app. Reset returns to the configured ones.
class CallbackSettings final : public Resettable {
 public:
  CallbackSettings(ResetRegistry& registry, std::map<SdkAppId, CallbackConfig> initial);

  // The app's configuration, when it has a URL. Lock-free while no app has one.
  std::shared_ptr<const CallbackConfig> of(SdkAppId sdkappid) const;
  // set_callback: false (and nothing changes) when the app has a URL already.
  bool set(SdkAppId sdkappid, std::string url, std::vector<std::string> commands);
  // update_callback: sets the URL and commands whether or not the app had them.
  void update(SdkAppId sdkappid, std::string url, std::vector<std::string> commands);
  // set_callback_token.
  void setToken(SdkAppId sdkappid, std::string token, bool enabled);
  // A scenario's configuration, replacing the app's.
  void put(SdkAppId sdkappid, CallbackConfig config);
  std::map<SdkAppId, CallbackConfig> all() const;
  void reset() override;
  void resetApp(SdkAppId sdkappid) override;  // back to the app's configured one, or none
  // An app added at run time with a configuration (none: it has none until set_callback).
  void addApp(SdkAppId sdkappid, std::optional<CallbackConfig> config);
  void removeApp(SdkAppId sdkappid);

 private:
  void publish();  // mutex_ held

  const std::map<SdkAppId, CallbackConfig> initial_;
  mutable std::mutex mutex_;
  std::map<SdkAppId, CallbackConfig> configs_;  // guarded by mutex_
  std::map<SdkAppId, CallbackConfig> runtime_initial_;  // apps added at run time; guarded by mutex_
  // The same, shared with callbacks in flight, for apps with a URL; rebuilt on every change.
  std::map<SdkAppId, std::shared_ptr<const CallbackConfig>> published_;  // guarded by mutex_
  std::atomic<bool> any_url_{false};
};

// Who changed a room, and how, for its webhook.
struct Actor {
  std::string operator_account;  // the REST caller; see docs/webhooks.md for the others
  std::string event_type;        // "DestroyByUser" or "DestroyBySystem"; empty for other commands
  std::string client_ip;
  std::string platform;          // OptPlatform
};

// What one callback is made of. Its URL (the configured one plus the documented query) and JSON
// body are built from it when needed, by the sender or when the delivery is listed, never on the
// thread that answers the destroy call.
struct CallbackWork {
  std::shared_ptr<const Room> room;  // afterwards (as it was, for a dissolution)
  std::vector<std::string> changed;  // Live.CallbackAfterUpdateRoomInfo: the members given
  Actor actor;
  std::shared_ptr<const CallbackConfig> config;
  std::string command;
  Instant at{};                    // the event, on the emulator's clock (EventTime)
  std::int64_t request_time = 0;   // when the callback was made (RequestTime)
  CallbackFault fault = CallbackFault::kNone;

  std::string url() const;
  std::string body() const;
};

// One callback to send, as the sender needs it.
struct OutgoingCallback {
  std::uint64_t id = 0;  // the delivery's id in the CallbackLog
  SdkAppId sdkappid = 0;
  std::string command;  // for the request log
  std::string room_id;
  std::shared_ptr<const CallbackWork> work;
  std::chrono::milliseconds delay{0};
};

// Sends callbacks asynchronously and reports each result to the CallbackLog. Implemented by the
// HTTP layer.
class CallbackSender {
 public:
  virtual ~CallbackSender() = default;
  // Queues the callback; false when the app's queue is full (the delivery is then recorded as
  // overflowed by the caller).
  virtual bool enqueue(OutgoingCallback callback) = 0;
};

// The record of one delivery (GET /__emulator/callbacks).
struct CallbackDelivery {
  std::uint64_t id = 0;
  Instant time{};  // when the callback was made (the dissolution), on the emulator's clock
  SdkAppId sdkappid = 0;
  std::string room_id;
  std::string command;
  std::string event_type;
  std::shared_ptr<const CallbackWork> work;  // the request sent (its URL and body)
  std::optional<std::uint64_t> fault_id;
  CallbackFault fault = CallbackFault::kNone;
  std::int64_t delay_ms = 0;
  // What happened: "pending", "delivered" (any HTTP answer), "failed" (no answer), "skipped" (a
  // fault), "overflow" (the app's queue was full).
  std::string state = "pending";
  int http_status = 0;
  std::string answer;  // the receiver's body, cut at 4 KiB
  double latency_ms = 0;
  std::string error;
};

struct CallbackFilter {
  std::optional<std::string> command;
  std::optional<SdkAppId> sdkappid;
  std::optional<std::string> room_id;
};

nlohmann::json callbackDeliveryToJson(const CallbackDelivery& delivery);

// The most recent deliveries, oldest first, bounded like the journal.
class CallbackLog final : public Resettable {
 public:
  // Notifies `signal`, when given, of each delivery recorded or completed.
  CallbackLog(ResetRegistry& registry, std::size_t capacity, ChangeSignal* signal = nullptr);

  std::uint64_t record(CallbackDelivery delivery);  // assigns and returns its id
  // Sets the outcome of a delivery still held.
  void complete(std::uint64_t id, std::string state, int http_status, std::string answer, double latency_ms,
                std::string error);
  std::vector<CallbackDelivery> select(const CallbackFilter& filter) const;
  void clear();
  void clear(SdkAppId sdkappid);  // one app's deliveries only
  void reset() override { clear(); }
  void resetApp(SdkAppId sdkappid) override { clear(sdkappid); }

 private:
  const std::size_t capacity_;
  ChangeSignal* const signal_;
  mutable std::mutex mutex_;
  std::deque<CallbackDelivery> deliveries_;  // guarded by mutex_
  std::uint64_t next_id_ = 1;                // guarded by mutex_
};



}  // namespace live::domain
