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
#include <vector>

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

// The result of one room lifecycle call (docs/live-client.md, "The room lifecycle"), after any
// retries. The same retry rules as destroyRoom; createRoom adds its own (see there).
struct RoomCallResult {
  enum class Outcome {
    kOk,              // the API answered OK
    kAlreadyCreated,  // createRoom: an attempt's outcome was unknown and a retry answered 100010
    kApiError,        // the API answered an ErrorCode (not retried, or retries exhausted)
    kTransportError,  // no valid answer: connect, timeout, HTTP status, unparsable body
  };
  using Transport = DestroyResult::Transport;

  std::string api;      // "create_room", ...
  std::string room_id;  // empty for get_room_list
  Outcome outcome = Outcome::kTransportError;
  std::int64_t error_code = 0;
  std::string error_info;
  std::string request_id;
  Transport transport = Transport::kNone;
  int http_status = 0;
  std::string detail;
  int attempts = 0;
  nlohmann::ordered_json response;  // the answer's "Response" as sent, or null when it has none

  bool ok() const { return outcome == Outcome::kOk || outcome == Outcome::kAlreadyCreated; }
  // The CLI's JSON line: {"api", "RoomId" (when there is one), "outcome", "ErrorCode", "ErrorInfo",
  // "RequestId", "attempts", "Response" (when there is one)} plus "transport" and "detail" for
  // transport errors.
  nlohmann::ordered_json toJson() const;
};

std::string_view toString(RoomCallResult::Outcome outcome);  // "ok", "already_created", ...

// Every page of get_room_list (LiveClient::listAllRooms).
struct RoomListResult {
  std::vector<nlohmann::ordered_json> rooms;  // the RoomList entries, in the order served
  int pages = 0;
  RoomCallResult last;  // the last page's call; not ok() when the listing stopped early
};

class LiveClient {
 public:
  // Validates the options (endpoint shape, identifier, key or provider); the failure says which.
  static Result<std::unique_ptr<LiveClient>> create(ClientOptions options);
  ~LiveClient();

  // Dissolves one room, retrying where safe. Never throws.
  DestroyResult destroyRoom(std::string_view room_id);

  // The room lifecycle (docs/room-lifecycle.md). Each retries like destroyRoom and never throws.
  // createRoom: `room_info` is create_room's RoomInfo ({"RoomId":..., "RoomType":"Live", ...}).
  // It is not blindly retried: after an attempt whose outcome is unknown, the retry waits out the
  // 1 s repeat window, and its 100010 (the room exists and is the caller's) counts as created.
  // A 100012 (created within 1 s) is retried after 1 s.
  RoomCallResult createRoom(const nlohmann::json& room_info);
  RoomCallResult getRoomInfo(std::string_view room_id);
  // `room_info`: {"RoomId":..., and the members to change}.
  RoomCallResult updateRoomInfo(const nlohmann::json& room_info);
  // One page: `next` is "" for the first, then the previous page's Response.Next.
  RoomCallResult getRoomList(std::string_view next = "", int count = 20);
  // Every page, started at most 9 per second (get_room_list's documented limit is 10), until an
  // empty Next or a failure.
  RoomListResult listAllRooms(int count = 20);
  RoomCallResult getRoomStats(std::string_view room_id);

  // The UserSig the next request will carry (generated or renewed if needed).
  std::string currentUserSig();

 private:
  struct Impl;
  explicit LiveClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace live::client
