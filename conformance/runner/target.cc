#include "target.h"

#include <fmt/format.h>

#include <netdb.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

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
                        const std::string& content_type, const httplib::Headers& headers) {
  return sendWith(method, target, body, content_type, false, headers);
}

HttpAnswer Target::sendRaw(const std::string& bytes) {
  HttpAnswer answer;
  const auto scheme_end = url_.find("://");
  if (url_.rfind("http://", 0) != 0) {
    answer.error = "raw requests need an http:// target";
    return answer;
  }
  std::string host = url_.substr(scheme_end + 3);
  host = host.substr(0, host.find('/'));
  const auto colon = host.rfind(':');
  const bool bracketed = !host.empty() && host.front() == '[';
  std::string port = "80";
  if (colon != std::string::npos && (!bracketed || colon > host.find(']'))) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
  }
  if (bracketed) host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0 || found == nullptr) {
    answer.error = "cannot resolve " + host;
    return answer;
  }
  const int fd = socket(found->ai_family, found->ai_socktype, found->ai_protocol);
  const bool connected = fd >= 0 && ::connect(fd, found->ai_addr, found->ai_addrlen) == 0;
  freeaddrinfo(found);
  if (!connected) {
    if (fd >= 0) ::close(fd);
    answer.error = "cannot connect";
    return answer;
  }
  timeval timeout{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  // The server may answer and close before reading everything (a 413, a 400): sending stops then.
  for (std::size_t sent = 0; sent < bytes.size();) {
    const auto n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  std::string got;
  char buffer[16384];
  for (;;) {
    const auto n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) break;
    got.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  // "HTTP/1.1 413 Payload Too Large\r\n...headers...\r\n\r\nbody"
  const auto head_end = got.find("\r\n\r\n");
  if (got.rfind("HTTP/1.", 0) != 0 || got.size() < 12 || head_end == std::string::npos) {
    answer.error = got.empty() ? "no answer" : "not an HTTP answer: " + got.substr(0, 80);
    return answer;
  }
  answer.received = true;
  answer.status = std::atoi(got.c_str() + 9);
  answer.body = got.substr(head_end + 4);
  const std::string head = got.substr(0, head_end);
  for (std::size_t at = head.find("\r\n"); at != std::string::npos; at = head.find("\r\n", at + 2)) {
    const auto end = head.find("\r\n", at + 2);
    const std::string line = head.substr(at + 2, end == std::string::npos ? std::string::npos : end - at - 2);
    if (line.size() > 13 && strncasecmp(line.c_str(), "content-type:", 13) == 0) {
      answer.content_type = line.substr(line.find_first_not_of(' ', 13));
    }
  }
  return answer;
}

HttpAnswer Target::sendControl(const std::string& method, const std::string& path,
                               const std::string& body, const std::string& content_type) {
  return sendWith(method, path, body, content_type, true);
}

HttpAnswer Target::sendWith(const std::string& method, const std::string& target,
                            const std::string& body, const std::string& content_type,
                            bool with_token, const httplib::Headers& headers) {
  httplib::Request request;
  request.method = method;
  request.path = target;  // sent as built: the fixture controls every byte of the query
  request.body = body;
  if (!content_type.empty()) request.set_header("Content-Type", content_type);
  for (const auto& [name, value] : headers) request.set_header(name, value);
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
