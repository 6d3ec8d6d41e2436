// live::client::LiveClient: the reference client for the live_engine_http_srv REST API. It is
// what "doing it right" looks like: a fresh random per request, every query value encoded, the
// exact body, keep-alive with TCP_NODELAY, bounded timeouts, a cached UserSig renewed ahead of
// expiry, retries only where they are safe, and optional pacing under the documented limit.
//
// Thread-safety: one LiveClient may be used from many threads at once; each call borrows its own
// keep-alive connection. No exception crosses this interface.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "protocol/result.h"

namespace live::client {

// When and how often a failed attempt is tried again (docs/live-client.md, "Retries").
struct RetryPolicy {
  int max_attempts = 5;                               // attempts in all, including the first
  std::chrono::milliseconds initial_backoff{100};     // before the first retry
  std::chrono::milliseconds max_backoff{2'000};       // cap on any one wait
  double multiplier = 2.0;                            // growth per retry
  std::chrono::milliseconds deadline{20'000};         // overall budget of one destroyRoom call
  bool jitter = true;  // "full jitter": each wait is uniform in [0, capped backoff]
};

struct ClientOptions {
  std::string endpoint;  // "http://host:port" or "https://…" (the region domain, or a local emulator)
  // For https: the PEM file of the certificate authorities to trust (a local emulator's, made by
  // scripts/dev-cert); empty means the system's.
  std::string ca_file;
  std::uint32_t sdkappid = 0;
  std::string identifier;  // an App admin account
  // Either a secret key (the client generates and caches UserSigs) or a provider of UserSigs.
  std::optional<std::string> secret_key;
  std::function<std::string()> usersig_provider;
  std::int64_t usersig_validity_seconds = 86'400;  // of generated UserSigs
  std::chrono::milliseconds connect_timeout{3'000};  // the vendor's server-side timeout is 3 s
  std::chrono::milliseconds read_timeout{3'000};
  RetryPolicy retry;
  // Paces request starts so that at most this many begin in any one second (0 = no pacing). The
  // documented limit is 200; pacing slightly below it absorbs network jitter.
  std::uint32_t max_requests_per_second = 0;
  // Injectable time, for tests: Unix seconds now (UserSig issue and renewal), and how to wait.
  std::function<std::int64_t()> now_seconds;
  std::function<void(std::chrono::milliseconds)> sleep;
};

// The result of one destroyRoom call, after any retries.
struct DestroyResult {
  enum class Outcome {
    kDestroyed,         // the API answered OK
    kAlreadyDestroyed,  // an attempt's outcome was unknown and a retry found the room gone
    kApiError,          // the API answered an ErrorCode (not retried, or retries exhausted)
    kTransportError,    // no valid answer: connect, timeout, HTTP status, unparsable body
  };
  enum class Transport { kNone, kConnect, kTimeout, kConnectionClosed, kHttpStatus, kUnparsableBody, kOther };

  std::string room_id;
  Outcome outcome = Outcome::kTransportError;
  std::int64_t error_code = 0;   // the last answer's ErrorCode (0 for success / none)
  std::string error_info;
  std::string request_id;        // the last answer's RequestId
  Transport transport = Transport::kNone;  // for kTransportError: what failed last
  int http_status = 0;           // for Transport::kHttpStatus
  std::string detail;            // for kTransportError: a sentence on what failed
  int attempts = 0;

  bool roomIsGone() const {
    return outcome == Outcome::kDestroyed || outcome == Outcome::kAlreadyDestroyed;
  }
  // The CLI's JSON line: {"RoomId", "outcome", "ErrorCode", "ErrorInfo", "RequestId", "attempts"}
  // plus "transport" and "detail" for transport errors.
  nlohmann::ordered_json toJson() const;
};

std::string_view toString(DestroyResult::Outcome outcome);
std::string_view toString(DestroyResult::Transport transport);

class LiveClient {
 public:
  // Validates the options (endpoint shape, identifier, key or provider); the failure says which.
  static Result<std::unique_ptr<LiveClient>> create(ClientOptions options);
  ~LiveClient();

  // Dissolves one room, retrying where safe. Never throws.
  DestroyResult destroyRoom(std::string_view room_id);

  // The UserSig the next request will carry (generated or renewed if needed).
  std::string currentUserSig();

 private:
  struct Impl;
  explicit LiveClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace live::client
