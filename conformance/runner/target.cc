#include "target.h"

#include <fmt/format.h>

#include "protocol/json_limits.h"

namespace live::conformance {

Target::Target(const std::string& url, std::string control_token, const std::string& ca_file)
    : url_(url), control_token_(std::move(control_token)), ca_file_(ca_file) {
  connect();
}

void Target::connect() {
  // A new client rather than Client::stop(): stop() takes the client's socket lock in a way that
  // ThreadSanitizer reports as an unlock by the wrong thread.
  client_ = std::make_unique<httplib::Client>(url_);
  if (!ca_file_.empty()) client_->set_ca_cert_path(ca_file_.c_str());
  client_->set_tcp_nodelay(true);
  client_->set_keep_alive(true);
  client_->set_connection_timeout(5);
  client_->set_read_timeout(10);
}

bool serversReadBodyOf(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

HttpAnswer Target::send(const std::string& method, const std::string& target, const std::string& body,
                        const std::string& content_type) {
  return sendWith(method, target, body, content_type, false);
}

HttpAnswer Target::sendControl(const std::string& method, const std::string& path,
                               const std::string& body, const std::string& content_type) {
  return sendWith(method, path, body, content_type, true);
}

HttpAnswer Target::sendWith(const std::string& method, const std::string& target,
                            const std::string& body, const std::string& content_type,
                            bool with_token) {
  httplib::Request request;
  request.method = method;
  request.path = target;  // sent as built: the fixture controls every byte of the query
  request.body = body;
  if (!content_type.empty()) request.set_header("Content-Type", content_type);
  if (!body.empty() && !serversReadBodyOf(method)) {
    // A server may answer such a request without reading its body (cpp-httplib does), and the
    // unread body would then be parsed as the start of the next request on this connection.
    request.set_header("Connection", "close");
  }
  if (with_token && !control_token_.empty()) {
    request.set_header("Authorization", "Bearer " + control_token_);
  }
  HttpAnswer answer;
  // A keep-alive connection idle for a while may have been closed by the server (the emulator's
  // idle timeout is 5 s): open a fresh one rather than find out mid-call. A control call that still
  // meets a stale connection is sent once more on a new one (docs/conformance.md, chosen).
  const auto now = std::chrono::steady_clock::now();
  if (last_used_ && now - *last_used_ > kIdleReconnect) connect();
  auto result = client_->send(request);
  if (!result && with_token && (result.error() == httplib::Error::Read || result.error() == httplib::Error::Write)) {
    connect();
    result = client_->send(request);
  }
  last_used_ = std::chrono::steady_clock::now();
  if (!result) {
    answer.error = httplib::to_string(result.error());
    if (result.error() == httplib::Error::SSLConnection || result.error() == httplib::Error::SSLServerVerification ||
        result.error() == httplib::Error::SSLLoadingCerts) {
      answer.error = "TLS failure: " + answer.error;
    }
    return answer;
  }
  answer.received = true;
  answer.status = result->status;
  answer.body = result->body;
  answer.content_type = result->get_header_value("Content-Type");
  return answer;
}

std::optional<nlohmann::json> Target::control(const std::string& method, const std::string& path,
                                              const std::optional<nlohmann::json>& body,
                                              int expected_status, std::string& problem) {
  // Every control call that changes state says it is JSON, body or not (docs/control-api.md, "Access").
  const auto answer = sendControl(method, path, body ? body->dump() : std::string(),
                                  body || method != "GET" ? "application/json" : "");
  if (!answer.received) {
    problem = fmt::format("{} {}: no answer ({})", method, path, answer.error);
    return std::nullopt;
  }
  if (answer.status != expected_status) {
    problem = fmt::format("{} {}: HTTP {} (expected {}): {}", method, path, answer.status,
                          expected_status, answer.body.substr(0, 200));
    return std::nullopt;
  }
  auto parsed = protocol::parseUntrustedJson(answer.body);
  if (!parsed) {
    problem = fmt::format("{} {}: the answer is {}", method, path, parsed.error());
    return std::nullopt;
  }
  return std::move(parsed).value();
}

}  // namespace live::conformance
