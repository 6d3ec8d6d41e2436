// cpp-httplib configuration and request translation. Decisions that matter for latency and
// fairness are made here, explicitly: TCP_NODELAY (otherwise Nagle + delayed ACK add ~40 ms per
// keep-alive response), no cap on requests per keep-alive connection (the library closes after 5
// by default), and a worker per connection that grows on demand.
#include "http/http_server.h"

#include <fmt/format.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include <chrono>
#include <limits>
#include <thread>
#include <nlohmann/json.hpp>

#include "http/connection_stream.h"
#include "http/elastic_thread_pool.h"
#include "http/query.h"
#include "http/routes.h"
#include "protocol/envelope.h"

namespace live::http {
namespace {

constexpr const char* kJson = "application/json";

domain::ApiCall toApiCall(const httplib::Request& request, std::string body) {
  domain::ApiCall call;
  call.method = request.method;
  call.path = request.path;
  call.query = parseQuery(request.target);
  call.body = std::move(body);
  call.content_type = request.get_header_value("Content-Type");
  call.peer = request.remote_addr + ':' + std::to_string(request.remote_port);
  return call;
}

void sendJsonError(httplib::Response& response, int status, std::string_view message) {
  response.status = status;
  response.set_content(nlohmann::json{{"error", message}}.dump(), kJson);
}

// The vendor API's POST: the one route that reads its own body, through a content reader (see
// installRoutes), so the pre- and post-routing handlers leave it alone.
bool readsOwnBody(const httplib::Request& request) {
  return request.method == "POST" && request.path.rfind("/v4/", 0) == 0;
}

bool hasNonIdentity(const httplib::Request& request, const char* header) {
  return request.has_header(header) && request.get_header_value(header) != "identity";
}

std::string tooLargeEnvelope(std::size_t limit, std::string request_id) {
  protocol::Envelope envelope;
  envelope.request_id = std::move(request_id);
  envelope.error_code = protocol::toInt(protocol::ErrorCode::kInvalidJsonBody);
  envelope.error_info = fmt::format("the request body is larger than the {}-byte limit", limit);
  return protocol::serializeEnvelope(envelope);
}

// The bytes of a cut answer: the status line and headers announce the whole body, and half of it
// follows (chosen: half, so that a client sees a syntactically broken JSON document).
std::string cutAnswer(const domain::ApiAnswer& answer) {
  return fmt::format("HTTP/1.1 {} OK\r\nContent-Type: {}\r\nContent-Length: {}\r\n\r\n{}",
                     answer.http_status, answer.content_type, answer.body.size(),
                     std::string_view(answer.body).substr(0, answer.body.size() / 2));
}

}  // namespace

HttpServer::HttpServer(domain::Emulator& emulator, ServerSettings settings)
    : emulator_(emulator),
      settings_(settings),
      log_(settings.log_format),
      callbacks_(emulator.callbackLog(), log_) {
  emulator_.setCallbackSender(&callbacks_);
  if (settings_.tls) settings_.control.scheme = "https";
  server_.set_tcp_nodelay(true);
  server_.set_keep_alive_max_count(settings_.keep_alive_max_requests);
  server_.set_keep_alive_timeout(settings_.keep_alive_timeout_seconds);
  server_.set_payload_max_length(settings_.max_body_bytes);
  server_.set_read_timeout(settings_.read_timeout_seconds, 0);
  server_.set_write_timeout(settings_.write_timeout_seconds, 0);
  const std::size_t max_connections = settings_.max_connections;
  server_.new_task_queue = [max_connections] { return new ElasticThreadPool(max_connections); };
  installRoutes();
}

HttpServer::~HttpServer() {
  stop();
  emulator_.setCallbackSender(nullptr);
  callbacks_.stop();
}

Result<int> HttpServer::bind(const std::string& host, int port) {
  const int bound = port == 0 ? server_.bind_to_any_port(host) : (server_.bind_to_port(host, port) ? port : -1);
  if (bound >= 0 && !server_.widenBacklog(settings_.listen_backlog)) {
    return Failure{fmt::format("cannot set the listen backlog on {}:{}", host, port)};
  }
  if (bound < 0) {
    return Failure{fmt::format("cannot listen on {}:{} (address in use, or not an address of "
                               "this machine)",
                               host, port)};
  }
  return bound;
}

void HttpServer::serve() {
  server_.listen_after_bind();
  // Every connection is closed: no more callbacks are made; then write out what the request log
  // still holds, within its bound.
  callbacks_.stop();
  log_.close();
}

void HttpServer::stop() {
  // A control call waiting for a verification to hold answers now, so no connection outlives stop.
  emulator_.stopWaiting();
  server_.stopServing();
}

HttpServer::ConnectionServer::ConnectionServer() : stop_fd_(::eventfd(0, EFD_CLOEXEC)) {}

HttpServer::ConnectionServer::~ConnectionServer() {
  if (stop_fd_ >= 0) ::close(stop_fd_);
  if (tls_context != nullptr) SSL_CTX_free(tls_context);
}

namespace {

std::string openSslError() {
  const unsigned long code = ERR_get_error();
  if (code == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  ERR_clear_error();
  return text;
}

}  // namespace

Result<bool> HttpServer::loadTls() {
  if (!settings_.tls) return true;
  SSL_CTX* context = SSL_CTX_new(TLS_server_method());
  if (context == nullptr) return Failure{"cannot create a TLS context: " + openSslError()};
  SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
  const auto& files = *settings_.tls;
  if (SSL_CTX_use_certificate_chain_file(context, files.certificate.c_str()) != 1) {
    SSL_CTX_free(context);
    return Failure{fmt::format("--tls-cert {}: not a readable PEM certificate ({})", files.certificate,
                               openSslError())};
  }
  if (SSL_CTX_use_PrivateKey_file(context, files.private_key.c_str(), SSL_FILETYPE_PEM) != 1) {
    SSL_CTX_free(context);
    return Failure{fmt::format("--tls-key {}: not a readable PEM private key ({})", files.private_key,
                               openSslError())};
  }
  if (SSL_CTX_check_private_key(context) != 1) {
    SSL_CTX_free(context);
    return Failure{fmt::format("--tls-key {} is not the key of the certificate in {}", files.private_key,
                               files.certificate)};
  }
  server_.tls_context = context;
  return true;
}

bool HttpServer::ConnectionServer::widenBacklog(int backlog) {
  const auto listening = svr_sock_.load();
  return listening != INVALID_SOCKET && ::listen(listening, backlog) == 0;
}

void HttpServer::ConnectionServer::stopServing() {
  // Once only: after the accept loop fails it closes the descriptor, whose number may be reused.
  std::call_once(stopped_, [this] {
    stopping_.store(true);
    // Wakes every connection waiting for its next request (the eventfd stays readable).
    const std::uint64_t one = 1;
    if (stop_fd_ >= 0) [[maybe_unused]] auto written = ::write(stop_fd_, &one, sizeof(one));
    // Wakes the accept loop, which then closes the socket and waits for the workers.
    const auto listening = svr_sock_.load();
    if (listening != INVALID_SOCKET) ::shutdown(listening, SHUT_RDWR);
  });
}

namespace {

// A connection closed after an answer to a request that was not read whole (a 413, a 400): the
// client may still be sending. Closing at once would reset the connection, and the client might
// lose the answer; so the sending side is shut and what still arrives is read and dropped, for at
// most 2 s and 16 MiB (chosen), before the socket is closed. Never parsed as a request.
void lingerAfterAnswer(int sock) {
  ::shutdown(sock, SHUT_WR);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  std::size_t dropped = 0;
  char buffer[16384];
  while (dropped < 16 * 1024 * 1024) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd ready{sock, POLLIN, 0};
    if (::poll(&ready, 1, static_cast<int>(left.count())) <= 0) break;
    const auto got = ::recv(sock, buffer, sizeof(buffer), 0);
    if (got <= 0) break;
    dropped += static_cast<std::size_t>(got);
  }
}

}  // namespace

bool HttpServer::ConnectionServer::process_and_close_socket(int sock) {
  open_connections_.fetch_add(1);
  const auto read_timeout = std::chrono::seconds(read_timeout_sec_);
  const auto write_timeout = std::chrono::seconds(write_timeout_sec_);
  bool ok = false;
  bool reset = false;
  if (tls_context == nullptr) {
    ConnectionStream stream(sock, read_timeout, write_timeout);
    ok = serveConnection(sock, stream);
    reset = stream.resetOnClose();
    if (!reset && stream.closesAfterAnswer()) lingerAfterAnswer(sock);
  } else if (SSL* ssl = SSL_new(tls_context)) {
    // The stream sets the socket's timeouts first, so a client that never finishes its handshake
    // is dropped after the read timeout.
    TlsConnectionStream stream(ssl, sock, read_timeout, write_timeout);
    if (SSL_set_fd(ssl, sock) == 1 && SSL_accept(ssl) == 1) {
      ok = serveConnection(sock, stream);
      reset = stream.resetOnClose();
      if (!reset) SSL_shutdown(ssl);  // close_notify, without waiting for the client's
    }
    SSL_free(ssl);
  }
  if (reset) {
    // The reset_midway fault: closing with a zero linger time sends RST instead of FIN.
    const linger abort{1, 0};
    ::setsockopt(sock, SOL_SOCKET, SO_LINGER, &abort, sizeof(abort));
  } else {
    ::shutdown(sock, SHUT_RDWR);
  }
  ::close(sock);
  open_connections_.fetch_sub(1);
  return ok;
}

bool HttpServer::ConnectionServer::serveConnection(int sock, ConnectionStream& stream) {
  const ConnectionStream::Serving serving(stream);  // handlers reach it for faults (handleVendorApi)
  const int idle_ms = static_cast<int>(keep_alive_timeout_sec_ * 1000);
  bool ok = true;
  for (std::size_t remaining = keep_alive_max_count_; remaining > 0; --remaining) {
    if (!stream.hasBuffered()) {
      // Wait for the next request, the idle timeout, or stop().
      pollfd ready[2] = {{sock, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
      int result = 0;
      do {
        result = ::poll(ready, stop_fd_ >= 0 ? 2 : 1, idle_ms);
      } while (result < 0 && errno == EINTR);
      // Bytes of a request (or the client's close) come first: a request that has arrived is
      // answered even when stop() was called meanwhile.
      if (result <= 0 || (ready[0].revents == 0)) break;
    }
    // While stopping, answer with "Connection: close".
    const bool close_after = remaining == 1 || stopping_.load(std::memory_order_relaxed);
    bool closed = false;
    ok = process_request(stream, close_after, closed, nullptr);
    // ended: a fault broke the answer off; closesAfterAnswer: the request was not read whole.
    if (!ok || closed || stream.ended() || stream.closesAfterAnswer()) break;
  }
  return ok;
}

void HttpServer::installRoutes() {
  // Body limits. cpp-httplib 0.11.4 enforces set_payload_max_length only against a
  // Content-Length: a chunked body, or a compressed one (Content-Encoding: gzip/deflate, which it
  // inflates), would be read into memory whole, however large. So the vendor API's POST reads its
  // body through a content reader that stops at the limit, counting inflated bytes; every other
  // route, where no client needs them, refuses chunked (411) and compressed (415) bodies before a
  // byte of them is read.
  server_.set_pre_routing_handler([](const httplib::Request& request, httplib::Response& response) {
    // Answers are never compressed (docs/live-emulator.md, "Serving"): cpp-httplib would otherwise
    // answer a client that accepts br with Brotli at its slowest quality, which cut a destroy
    // client's throughput ninefold and made one full-journal read take 29 s. The request object is
    // the library's own, not const: it is parsed into a local Request before this handler runs.
    const_cast<httplib::Request&>(request).headers.erase("Accept-Encoding");
    if (readsOwnBody(request)) return httplib::Server::HandlerResponse::Unhandled;
    const bool chunked = hasNonIdentity(request, "Transfer-Encoding");
    if (!chunked && !hasNonIdentity(request, "Content-Encoding")) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    response.set_header("Connection", "close");  // the body stays unread
    if (ConnectionStream* connection = ConnectionStream::current()) connection->closeAfterAnswer();

    sendJsonError(response, chunked ? 411 : 415,
                  chunked ? "send the body with a Content-Length (chunked bodies are accepted only "
                            "by the vendor API's POST)"
                          : "send the body uncompressed (compressed bodies are accepted only by the "
                            "vendor API's POST)");
    return httplib::Server::HandlerResponse::Handled;
  });

  const auto vendor = [this](const httplib::Request& request, httplib::Response& response) {
    handleVendorApi(request, request.body, response);
  };
  // Every method reaches the check chain, which answers 60002 for anything but POST (row 1).
  routeEveryMethod(server_, R"(/v4/.*)", vendor);
  // POST, the one method that matters, reads its body itself (see above); cpp-httplib dispatches
  // content-reader handlers before plain ones.
  server_.Post(R"(/v4/.*)", [this](const httplib::Request& request, httplib::Response& response,
                                   const httplib::ContentReader& read_content) {
    const std::size_t limit = settings_.max_body_bytes;
    std::string body;
    bool too_large = false;
    const bool complete = read_content([&](const char* data, std::size_t size) {
      if (size > limit - body.size()) {
        too_large = true;
        return false;
      }
      body.append(data, size);
      return true;
    });
    if (too_large || response.status == 413) {  // 413: the library saw the Content-Length
      response.status = 413;
      response.set_header("Connection", "close");
      if (ConnectionStream* connection = ConnectionStream::current()) connection->closeAfterAnswer();
      response.set_content(tooLargeEnvelope(limit, emulator_.unjournaledRequestId()), kJson);
      return;
    }
    if (!complete) {
      response.set_header("Connection", "close");
      sendJsonError(response, 400, "the request body could not be read (broken chunked or "
                                   "compressed encoding, or the connection ended early)");
      return;
    }
    handleVendorApi(request, std::move(body), response);
  });

  ServerHealth health;
  health.request_log = [this] {
    return nlohmann::json{{"format", toString(log_.format())}, {"dropped_lines", log_.droppedLines()}};
  };
  installControlApi(server_, emulator_, settings_.control, health);

  // Statuses the library produces itself (404 unknown path, 413 body too large, 414 request line
  // too long, 400 unparsable request) get a body that says what happened.
  server_.set_error_handler(httplib::Server::HandlerWithResponse(
      [this](const httplib::Request& request, httplib::Response& response) {
    if (!response.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    if (response.status != 404) {
      // The library gave up on this request before routing it (400, 413, 414), so unread bytes
      // of it may still be on the connection: close it rather than parse them as a next request.
      response.set_header("Connection", "close");
      if (ConnectionStream* connection = ConnectionStream::current()) connection->closeAfterAnswer();
    }
    if (response.status == 413) {
      // A vendor-API caller gets the vendor's envelope.
      response.set_content(tooLargeEnvelope(settings_.max_body_bytes, emulator_.unjournaledRequestId()), kJson);
      return httplib::Server::HandlerResponse::Handled;
    }
    if (response.status == 404) {
      sendJsonError(response, 404,
                    fmt::format("nothing is served at {}; the vendor API is under /v4/ and the "
                                "control API under /__emulator/",
                                request.path));
      return httplib::Server::HandlerResponse::Handled;
    }
    if (response.status == 414) {
      sendJsonError(response, 414, "the request line is longer than 8192 bytes");
      return httplib::Server::HandlerResponse::Handled;
    }
    sendJsonError(response, response.status,
                  response.status == 400
                      ? "HTTP 400: the request could not be parsed (malformed request line or "
                        "header, or a header line over 8192 bytes)"
                      : fmt::format("HTTP {}: the request could not be processed", response.status));
    return httplib::Server::HandlerResponse::Handled;
  }));

  // cpp-httplib reads a body only for POST, PUT, PATCH and DELETE-with-length. A body sent with any
  // other method stays unread on the connection and would be parsed as the next request, so such
  // a connection is closed after the answer.
  server_.set_post_routing_handler([](const httplib::Request& request, httplib::Response& response) {
    // The vendor API's POST reads its whole body through a content reader (so request.body is
    // empty there): nothing to do, and no header lookups on the hot path.
    if (readsOwnBody(request)) return;
    if (!request.body.empty()) return;
    const bool announced_body =
        (request.has_header("Content-Length") && request.get_header_value("Content-Length") != "0") ||
        request.has_header("Transfer-Encoding");
    if (announced_body) response.set_header("Connection", "close");
  });

  server_.set_exception_handler(
      [](const httplib::Request&, httplib::Response& response, std::exception_ptr error) {
        std::string what = "unknown error";
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& exception) {
          what = exception.what();
        } catch (...) {
        }
        sendJsonError(response, 500, fmt::format("internal emulator error: {}", what));
      });
}

void HttpServer::handleVendorApi(const httplib::Request& request, std::string body,
                                 httplib::Response& response) {
  const auto started = std::chrono::steady_clock::now();
  const domain::ApiAnswer answer = emulator_.handle(toApiCall(request, std::move(body)));
  ConnectionStream* connection = ConnectionStream::current();
  if (answer.delay.count() > 0) {
    // An injected delay holds only this connection's worker; others are served meanwhile. It ends
    // early when the client gives up and closes (nobody is left to answer: chosen), or when the
    // server stops (then the answer goes out at once).
    const bool client_waited =
        connection != nullptr ? connection->holdOpen(answer.delay, server_.stopFd()) : true;
    if (!client_waited && !server_.stopping()) {
      connection->endWith({}, false);
      log_.write(answer, std::chrono::steady_clock::now() - started);
      return;
    }
  }
  if (connection != nullptr && (answer.drop_connection || answer.cut != domain::AnswerCut::kNone)) {
    connection->endWith(answer.drop_connection ? std::string() : cutAnswer(answer),
                        answer.cut == domain::AnswerCut::kResetMidway);
  } else {
    response.status = answer.http_status;
    response.set_content(answer.body, answer.content_type.c_str());
  }
  log_.write(answer, std::chrono::steady_clock::now() - started);
}

}  // namespace live::http
