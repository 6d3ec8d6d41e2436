// LiveClient: one attempt = pace, sign, send, classify; the loop around it decides retries.
#include "live_client.h"

#include <fmt/format.h>
#include <httplib.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <thread>
#include <vector>

#include "protocol/envelope.h"
#include "protocol/endpoints.h"
#include "protocol/text.h"
#include "protocol/usersig.h"

namespace live::client {
namespace {

using Outcome = DestroyResult::Outcome;
using Transport = DestroyResult::Transport;


// Uniform in 0..2^32-1 from OpenSSL's CSPRNG.
std::uint32_t randomUint32() {
  std::uint32_t value = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&value), sizeof(value)) != 1) {
    // RAND_bytes fails only without entropy; fall back to the OS generator rather than a constant.
    std::random_device device;
    value = device();
  }
  return value;
}

// Uniform in [0, 1).
double randomUnit() { return static_cast<double>(randomUint32()) / 4294967296.0; }

// What a single attempt saw.
struct Attempt {
  Transport transport = Transport::kNone;
  int http_status = 0;
  std::string detail;
  protocol::Envelope envelope;
};

// How one API's calls are retried, beyond the rules every call follows.
struct RetryRules {
  // After an attempt whose outcome is unknown, this code means that attempt did the work.
  std::optional<std::int64_t> done_after_unknown;
  // create_room: 100012 (created within the repeat window) is retried, and a retry after an
  // unknown outcome waits at least the window, so that it answers 100010 rather than 100012.
  bool create = false;
};

constexpr std::chrono::milliseconds kCreateRepeatWindow{1'000};  // docs/room-lifecycle.md, row 20

// The answer's "Response", or null.
nlohmann::ordered_json responseOf(const protocol::Envelope& envelope) {
  if (envelope.extra_members.empty()) return nullptr;
  auto members = nlohmann::ordered_json::parse("{" + envelope.extra_members + "}", nullptr, false);
  if (members.is_discarded() || !members.contains("Response")) return nullptr;
  return members["Response"];
}

}  // namespace

std::string_view toString(Outcome outcome) {
  switch (outcome) {
    case Outcome::kDestroyed:
      return "destroyed";
    case Outcome::kAlreadyDestroyed:
      return "already_destroyed";
    case Outcome::kApiError:
      return "error";
    case Outcome::kTransportError:
      return "transport_error";
  }
  return "transport_error";
}

std::string_view toString(Transport transport) {
  switch (transport) {
    case Transport::kNone:
      return "none";
    case Transport::kConnect:
      return "connect";
    case Transport::kTimeout:
      return "timeout";
    case Transport::kConnectionClosed:
      return "connection_closed";
    case Transport::kHttpStatus:
      return "http_status";
    case Transport::kUnparsableBody:
      return "unparsable_body";
    case Transport::kOther:
      return "other";
  }
  return "other";
}

nlohmann::ordered_json DestroyResult::toJson() const {
  nlohmann::ordered_json line;
  line["RoomId"] = room_id;
  line["outcome"] = toString(outcome);
  line["ErrorCode"] = error_code;
  line["ErrorInfo"] = error_info;
  line["RequestId"] = request_id;
  line["attempts"] = attempts;
  if (outcome == Outcome::kTransportError) {
    line["transport"] = toString(transport);
    if (transport == Transport::kHttpStatus) line["http_status"] = http_status;
    line["detail"] = detail;
  }
  return line;
}

struct LiveClient::Impl {
  ClientOptions options;

  // Keep-alive connections, one borrowed per call in flight.
  std::mutex pool_mutex;
  std::vector<std::unique_ptr<httplib::Client>> pool;  // guarded by pool_mutex

  std::mutex usersig_mutex;
  std::string usersig;              // guarded by usersig_mutex
  std::int64_t usersig_issued = 0;  // guarded by usersig_mutex

  std::mutex pacing_mutex;
  std::chrono::steady_clock::time_point next_start{};  // guarded by pacing_mutex

  std::unique_ptr<httplib::Client> borrow() {
    {
      std::lock_guard lock(pool_mutex);
      if (!pool.empty()) {
        auto client = std::move(pool.back());
        pool.pop_back();
        return client;
      }
    }
    auto client = std::make_unique<httplib::Client>(options.endpoint);
    if (!options.ca_file.empty()) client->set_ca_cert_path(options.ca_file.c_str());
    client->set_tcp_nodelay(true);
    client->set_keep_alive(true);
    client->set_connection_timeout(options.connect_timeout);
    client->set_read_timeout(options.read_timeout);
    client->set_write_timeout(options.read_timeout);
    return client;
  }
  void giveBack(std::unique_ptr<httplib::Client> client) {
    std::lock_guard lock(pool_mutex);
    pool.push_back(std::move(client));
  }

  std::int64_t now() const { return options.now_seconds(); }

  std::string userSig() {
    if (options.usersig_provider) return options.usersig_provider();
    std::lock_guard lock(usersig_mutex);
    const std::int64_t validity = options.usersig_validity_seconds;
    // Renew once a tenth of the validity (at most an hour, at least a second) is left, so a
    // request never carries a UserSig that expires in flight.
    const std::int64_t margin = std::clamp<std::int64_t>(validity / 10, 1, 3600);
    if (usersig.empty() || now() >= usersig_issued + validity - margin) {
      usersig_issued = now();
      usersig = protocol::generateUserSig(
          {options.sdkappid, *options.secret_key, options.identifier, usersig_issued, validity,
           std::nullopt});
    }
    return usersig;
  }

  // Waits for this request's slot so that starts are at least 1/N s apart.
  void pace() {
    if (options.max_requests_per_second == 0) return;
    const auto spacing = std::chrono::nanoseconds(1'000'000'000LL / options.max_requests_per_second);
    std::chrono::steady_clock::time_point slot;
    {
      std::lock_guard lock(pacing_mutex);
      slot = std::max(std::chrono::steady_clock::now(), next_start);
      next_start = slot + spacing;
    }
    std::this_thread::sleep_until(slot);
  }

  // One call with its retries: every API's calls go through here.
  RoomCallResult call(std::string_view api, std::string_view path, const nlohmann::json& body_json,
                      std::string room_id, const RetryRules& rules);

  Attempt send(std::string_view path, const std::string& body) {
    const std::string target = fmt::format(
        "{}?sdkappid={}&identifier={}&usersig={}&random={}&contenttype=json", path,
        options.sdkappid, httplib::detail::encode_query_param(options.identifier),
        httplib::detail::encode_query_param(userSig()), randomUint32());
    auto client = borrow();
    const auto started = std::chrono::steady_clock::now();
    auto response = client->Post(target, body, "application/json");
    const auto elapsed = std::chrono::steady_clock::now() - started;
    Attempt attempt;
    if (!response) {
      const auto error = response.error();
      if (error == httplib::Error::Connection || error == httplib::Error::ConnectionTimeout) {
        attempt.transport = error == httplib::Error::ConnectionTimeout ? Transport::kTimeout
                                                                       : Transport::kConnect;
        attempt.detail = fmt::format("could not connect to {} ({})", options.endpoint,
                                     httplib::to_string(error));
      } else if (error == httplib::Error::Read && elapsed >= options.read_timeout * 9 / 10) {
        attempt.transport = Transport::kTimeout;
        attempt.detail = fmt::format("no answer within the read timeout of {} ms",
                                     options.read_timeout.count());
      } else if (error == httplib::Error::Read || error == httplib::Error::Write) {
        attempt.transport = Transport::kConnectionClosed;
        attempt.detail = "the connection closed before an answer arrived";
      } else {
        attempt.transport = Transport::kOther;
        attempt.detail = fmt::format("request failed: {}", httplib::to_string(error));
      }
      return attempt;  // the connection is not reused after a failure
    }
    giveBack(std::move(client));
    if (response->status != 200) {
      attempt.transport = Transport::kHttpStatus;
      attempt.http_status = response->status;
      attempt.detail = fmt::format("HTTP {} instead of 200", response->status);
      return attempt;
    }
    auto envelope = protocol::parseEnvelope(response->body);
    if (!envelope) {
      attempt.transport = Transport::kUnparsableBody;
      attempt.detail = envelope.error();
      return attempt;
    }
    attempt.envelope = std::move(envelope).value();
    return attempt;
  }
};

Result<std::unique_ptr<LiveClient>> LiveClient::create(ClientOptions options) {
  if (options.endpoint.rfind("http://", 0) != 0 && options.endpoint.rfind("https://", 0) != 0) {
    return Failure{fmt::format("endpoint \"{}\" must start with http:// or https://", options.endpoint)};
  }
  while (!options.endpoint.empty() && options.endpoint.back() == '/') options.endpoint.pop_back();
  if (options.identifier.empty()) return Failure{"identifier is empty; give the App admin account"};
  if (!options.usersig_provider && (!options.secret_key || options.secret_key->empty())) {
    return Failure{"give either a secret key (to generate UserSigs) or a UserSig"};
  }
  if (!options.usersig_provider && !protocol::isValidUtf8(options.identifier)) {
    return Failure{"identifier is not valid UTF-8, which a UserSig (JSON) cannot carry"};
  }
  if (options.usersig_validity_seconds <= 0) return Failure{"UserSig validity must be positive"};
  if (options.retry.max_attempts < 1) return Failure{"max attempts must be at least 1"};
  if (!options.now_seconds) {
    options.now_seconds = [] {
      return std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
  if (!options.sleep) options.sleep = [](std::chrono::milliseconds wait) { std::this_thread::sleep_for(wait); };
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  return std::unique_ptr<LiveClient>(new LiveClient(std::move(impl)));
}

LiveClient::LiveClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LiveClient::~LiveClient() = default;

std::string LiveClient::currentUserSig() { return impl_->userSig(); }

std::string_view toString(RoomCallResult::Outcome outcome) {
  switch (outcome) {
    case RoomCallResult::Outcome::kOk:
      return "ok";
    case RoomCallResult::Outcome::kAlreadyCreated:
      return "already_created";
    case RoomCallResult::Outcome::kApiError:
      return "error";
    case RoomCallResult::Outcome::kTransportError:
      return "transport_error";
  }
  return "transport_error";
}

nlohmann::ordered_json RoomCallResult::toJson() const {
  nlohmann::ordered_json line;
  line["api"] = api;
  if (!room_id.empty()) line["RoomId"] = room_id;
  line["outcome"] = toString(outcome);
  line["ErrorCode"] = error_code;
  line["ErrorInfo"] = error_info;
  line["RequestId"] = request_id;
  line["attempts"] = attempts;
  if (!response.is_null()) line["Response"] = response;
  if (outcome == Outcome::kTransportError) {
    line["transport"] = toString(transport);
    if (transport == Transport::kHttpStatus) line["http_status"] = http_status;
    line["detail"] = detail;
  }
  return line;
}

DestroyResult LiveClient::destroyRoom(std::string_view room_id) {
  DestroyResult result;
  result.room_id = std::string(room_id);
  // Safe to retry: a retry of a destroy that did happen answers 100004, reported as already
  // destroyed.
  const auto call = impl_->call("destroy_room", protocol::kDestroyRoomPath,
                                    nlohmann::json{{"RoomId", result.room_id}}, result.room_id, {100004, false});
  result.outcome = call.outcome == RoomCallResult::Outcome::kOk               ? Outcome::kDestroyed
                   : call.outcome == RoomCallResult::Outcome::kAlreadyCreated ? Outcome::kAlreadyDestroyed
                   : call.outcome == RoomCallResult::Outcome::kApiError       ? Outcome::kApiError
                                                                              : Outcome::kTransportError;
  result.error_code = call.error_code;
  result.error_info = call.error_info;
  result.request_id = call.request_id;
  result.transport = call.transport;
  result.http_status = call.http_status;
  result.detail = call.detail;
  result.attempts = call.attempts;
  return result;
}

RoomCallResult LiveClient::createRoom(const nlohmann::json& room_info) {
  const std::string room_id = room_info.is_object() ? room_info.value("RoomId", std::string()) : std::string();
  return impl_->call("create_room", protocol::kCreateRoomPath, {{"RoomInfo", room_info}}, room_id,
                         {100010, true});
}

RoomCallResult LiveClient::getRoomInfo(std::string_view room_id) {
  return impl_->call("get_room_info", protocol::kGetRoomInfoPath, {{"RoomId", std::string(room_id)}},
                         std::string(room_id), {});
}

RoomCallResult LiveClient::updateRoomInfo(const nlohmann::json& room_info) {
  // Setting the same members twice has the effect of once: retried like a read.
  const std::string room_id = room_info.is_object() ? room_info.value("RoomId", std::string()) : std::string();
  return impl_->call("update_room_info", protocol::kUpdateRoomInfoPath, {{"RoomInfo", room_info}},
                         room_id, {});
}

RoomCallResult LiveClient::getRoomList(std::string_view next, int count) {
  return impl_->call("get_room_list", protocol::kGetRoomListPath,
                         {{"Next", std::string(next)}, {"Count", count}}, "", {});
}

RoomListResult LiveClient::listAllRooms(int count) {
  RoomListResult all;
  std::string next;
  // A fixed wait between one page's answer and the next page's start: starts are then at least
  // this far apart whatever the network does, so at most 9 per second (the documented limit is 10).
  const auto spacing = std::chrono::milliseconds(1'000 / 9 + 1);
  do {
    if (all.pages > 0) impl_->options.sleep(spacing);
    all.last = getRoomList(next, count);
    if (!all.last.ok()) return all;
    ++all.pages;
    const auto& response = all.last.response;
    if (!response.is_object() || !response.contains("RoomList") || !response["RoomList"].is_array() ||
        !response.contains("Next") || !response["Next"].is_string()) {
      all.last.outcome = RoomCallResult::Outcome::kTransportError;
      all.last.transport = RoomCallResult::Transport::kUnparsableBody;
      all.last.detail = "the answer's Response has no RoomList array or no Next string";
      return all;
    }
    for (const auto& room : response["RoomList"]) all.rooms.push_back(room);
    next = response["Next"].get<std::string>();
  } while (!next.empty());
  return all;
}

RoomCallResult LiveClient::getRoomStats(std::string_view room_id) {
  return impl_->call("get_room_stats", protocol::kGetRoomStatsPath, {{"RoomId", std::string(room_id)}},
                         std::string(room_id), {});
}

RoomCallResult LiveClient::Impl::call(std::string_view api, std::string_view path, const nlohmann::json& body_json,
                                      std::string room_id, const RetryRules& rules) {
  Impl& impl = *this;
  using CallOutcome = RoomCallResult::Outcome;
  RoomCallResult result;
  result.api = std::string(api);
  result.room_id = std::move(room_id);
  std::string body;
  try {
    body = body_json.dump();  // escapes quotes and backslashes
  } catch (const nlohmann::json::exception&) {
    result.transport = Transport::kOther;
    result.detail = "a string in the request is not valid UTF-8, so it cannot be sent as JSON";
    return result;
  }

  const RetryPolicy& policy = impl.options.retry;
  const auto deadline = std::chrono::steady_clock::now() + policy.deadline;
  bool outcome_unknown = false;  // an earlier attempt may have done the work
  for (int attempt_number = 1;; ++attempt_number) {
    impl.pace();
    const Attempt attempt = impl.send(path, body);
    result.attempts = attempt_number;
    bool retryable = false;
    bool unknown = false;
    bool too_soon = false;
    if (attempt.transport != Transport::kNone) {
      result.outcome = CallOutcome::kTransportError;
      result.transport = attempt.transport;
      result.http_status = attempt.http_status;
      result.detail = attempt.detail;
      result.error_code = 0;
      result.error_info.clear();
      result.request_id.clear();
      result.response = nullptr;
      const bool server_error = attempt.transport == Transport::kHttpStatus && attempt.http_status >= 500;
      // Safe to retry: not sent (connect), or the API's rules make a repeat harmless.
      retryable = attempt.transport == Transport::kConnect || attempt.transport == Transport::kTimeout ||
                  attempt.transport == Transport::kConnectionClosed || server_error;
      unknown = attempt.transport == Transport::kTimeout ||
                attempt.transport == Transport::kConnectionClosed || server_error;
    } else {
      const auto& envelope = attempt.envelope;
      result.error_code = envelope.error_code;
      result.error_info = envelope.error_info;
      result.request_id = envelope.request_id;
      result.transport = Transport::kNone;
      result.detail.clear();
      result.response = responseOf(envelope);
      if (envelope.ok()) {
        result.outcome = CallOutcome::kOk;
        return result;
      }
      if (outcome_unknown && rules.done_after_unknown == envelope.error_code) {
        result.outcome = CallOutcome::kAlreadyCreated;
        return result;
      }
      result.outcome = CallOutcome::kApiError;
      // 100001 (internal error, please retry) and 60007 (rate limited) are the codes that a retry
      // can change; an internal error may also have been applied. create_room adds 100012.
      too_soon = rules.create && envelope.error_code == 100012;
      retryable = envelope.error_code == 100001 || envelope.error_code == 60007 || too_soon;
      unknown = envelope.error_code == 100001;
    }
    outcome_unknown = outcome_unknown || unknown;
    if (!retryable || attempt_number >= policy.max_attempts) return result;

    const double base = static_cast<double>(policy.initial_backoff.count()) *
                        std::pow(policy.multiplier, attempt_number - 1);
    const double capped = std::min(base, static_cast<double>(policy.max_backoff.count()));
    auto wait = std::chrono::milliseconds(static_cast<std::int64_t>(policy.jitter ? capped * randomUnit() : capped));
    if (rules.create && (outcome_unknown || too_soon)) wait = std::max(wait, kCreateRepeatWindow);
    if (std::chrono::steady_clock::now() + wait > deadline) return result;
    impl.options.sleep(wait);
  }
}

}  // namespace live::client
