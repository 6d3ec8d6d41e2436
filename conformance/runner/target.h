// The server under test, over HTTP: vendor-API requests sent exactly as built, and the control
// API (/__emulator/) that fixtures use for setup and for reading state back.
#pragma once

#include <httplib.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace live::conformance {

struct HttpAnswer {
  bool received = false;  // false: no HTTP answer (connection refused, dropped, timed out)
  int status = 0;
  std::string body;
  std::string content_type;
  std::string error;  // why nothing was received
};

// Whether every HTTP server can be trusted to read a body sent with `method`. A request with a
// body and any other method (a GET with a body, a fixture's "method not POST" case) is sent with
// "Connection: close", so the connection is never reused after it.
bool serversReadBodyOf(const std::string& method);

class Target {
 public:
  // `url` is "http://host:port" (an IPv6 host in brackets). A `control_token` is sent as
  // "Authorization: Bearer TOKEN" with every control call, for an emulator started with
  // --control-token; vendor-API requests are sent without it, exactly as built.
  // An https `url` is checked against the certificate authorities in `ca_file` (PEM), or the
  // system's when it is empty.
  explicit Target(const std::string& url, std::string control_token = {}, const std::string& ca_file = {});

  HttpAnswer send(const std::string& method, const std::string& target, const std::string& body,
                  const std::string& content_type = "application/json", const httplib::Headers& headers = {});
  // Bytes sent as they are on a new connection (http targets only), for requests no HTTP client
  // sends: chunked bodies, over-long lines. The request should say "Connection: close"; the answer
  // is read until the server closes the connection, for at most 10 s.
  HttpAnswer sendRaw(const std::string& bytes);
  // A control-API request (path under /__emulator/), with the token when there is one.
  HttpAnswer sendControl(const std::string& method, const std::string& path, const std::string& body,
                         const std::string& content_type);
  // A control call: the parsed JSON answer, or nullopt with `problem` saying why (for messages).
  std::optional<nlohmann::json> control(const std::string& method, const std::string& path,
                                        const std::optional<nlohmann::json>& body,
                                        int expected_status, std::string& problem);
  const std::string& url() const { return url_; }

 private:
  HttpAnswer sendWith(const std::string& method, const std::string& target, const std::string& body,
                      const std::string& content_type, bool with_token, const httplib::Headers& headers = {});

  // Idle longer than this, the connection is replaced before the next call (below the emulator's
  // 5 s keep-alive timeout, so the server never closes it under us).
  static constexpr std::chrono::milliseconds kIdleReconnect{2000};

  void connect();  // a new client, hence a new connection at the next call

  std::string url_;
  std::string control_token_;
  std::string ca_file_;
  std::unique_ptr<httplib::Client> client_;
  std::optional<std::chrono::steady_clock::time_point> last_used_;
};

}  // namespace live::conformance
