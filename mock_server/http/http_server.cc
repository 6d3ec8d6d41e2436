// cpp-httplib configuration and request translation. Decisions that matter for latency and
// fairness are made here, explicitly: TCP_NODELAY (otherwise Nagle + delayed ACK add ~40 ms per
// keep-alive response), no cap on requests per keep-alive connection (the library closes after 5
// by default), and a worker per connection that grows on demand.
#include "http/http_server.h"

#include <fmt/format.h>
#include <sys/socket.h>

#include <chrono>
#include <limits>
#include <thread>
#include <nlohmann/json.hpp>

#include "http/connection_drop.h"
#include "http/elastic_thread_pool.h"
#include "http/query.h"
#include "http/routes.h"
#include "protocol/envelope.h"

namespace live::http {
namespace {

constexpr const char* kJson = "application/json";

domain::ApiCall toApiCall(const httplib::Request& request) {
  domain::ApiCall call;
  call.method = request.method;
  call.path = request.path;
  call.query = parseQuery(request.target);
  call.body = request.body;
  call.peer = request.remote_addr + ':' + std::to_string(request.remote_port);
  return call;
}

void sendJsonError(httplib::Response& response, int status, std::string_view message) {
  response.status = status;
  response.set_content(nlohmann::json{{"error", message}}.dump(), kJson);
}

}  // namespace

HttpServer::HttpServer(domain::Emulator& emulator, ServerSettings settings)
    : emulator_(emulator), settings_(settings), log_(settings.log_format) {
  server_.set_tcp_nodelay(true);
  server_.set_keep_alive_max_count(settings_.keep_alive_max_requests);
  server_.set_keep_alive_timeout(settings_.keep_alive_timeout_seconds);
  server_.set_payload_max_length(settings_.max_body_bytes);
  const std::size_t max_connections = settings_.max_connections;
  server_.new_task_queue = [max_connections] { return new ElasticThreadPool(max_connections); };
  installRoutes();
}

HttpServer::~HttpServer() { stop(); }

Result<int> HttpServer::bind(const std::string& host, int port) {
  const int bound = port == 0 ? server_.bind_to_any_port(host) : (server_.bind_to_port(host, port) ? port : -1);
  if (bound < 0) {
    return Failure{fmt::format("cannot listen on {}:{} (address in use, or not an address of "
                               "this machine)",
                               host, port)};
  }
  return bound;
}

void HttpServer::serve() { server_.listen_after_bind(); }

void HttpServer::stop() { server_.stopAccepting(); }

void HttpServer::DrainingServer::stopAccepting() {
  // Once only: after the accept loop fails it closes the descriptor, whose number may be reused.
  std::call_once(stopped_, [this] {
    const auto listening = svr_sock_.load();
    // Wakes the accept loop, which then closes the socket and waits for the workers.
    if (listening != INVALID_SOCKET) ::shutdown(listening, SHUT_RDWR);
  });
}

void HttpServer::installRoutes() {
  const auto vendor = [this](const httplib::Request& request, httplib::Response& response) {
    handleVendorApi(request, response);
  };
  // Every method reaches the check chain, which answers 60002 for anything but POST (row 1).
  routeEveryMethod(server_, R"(/v4/.*)", vendor);

  installControlApi(server_, emulator_, settings_.control);

  // Statuses the library produces itself (404 unknown path, 413 body too large, 414 request line
  // too long, 400 unparsable request) get a body that says what happened.
  server_.set_error_handler(httplib::Server::HandlerWithResponse(
      [this](const httplib::Request& request, httplib::Response& response) {
    if (!response.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    if (response.status != 404) {
      // The library gave up on this request before routing it (400, 413, 414), so unread bytes
      // of it may still be on the connection: close it rather than parse them as a next request.
      response.set_header("Connection", "close");
    }
    if (response.status == 413) {
      // A vendor-API caller gets the vendor's envelope.
      protocol::Envelope envelope;
      envelope.error_code = protocol::toInt(protocol::ErrorCode::kInvalidJsonBody);
      envelope.error_info = fmt::format("the request body is larger than the {}-byte limit",
                                        settings_.max_body_bytes);
      response.set_content(protocol::serializeEnvelope(envelope), kJson);
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
                  fmt::format("HTTP {}: the request could not be processed", response.status));
    return httplib::Server::HandlerResponse::Handled;
  }));

  // cpp-httplib reads a body only for POST, PUT, PATCH and DELETE-with-length. A body sent with any
  // other method stays unread on the connection and would be parsed as the next request, so such
  // a connection is closed after the answer.
  server_.set_post_routing_handler([](const httplib::Request& request, httplib::Response& response) {
    const bool announced_body =
        (request.has_header("Content-Length") && request.get_header_value("Content-Length") != "0") ||
        request.has_header("Transfer-Encoding");
    if (announced_body && request.body.empty()) response.set_header("Connection", "close");
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

void HttpServer::handleVendorApi(const httplib::Request& request, httplib::Response& response) {
  const auto started = std::chrono::steady_clock::now();
  const domain::ApiAnswer answer = emulator_.handle(toApiCall(request));
  // An injected delay holds only this connection's worker; others are served meanwhile.
  if (answer.delay.count() > 0) std::this_thread::sleep_for(answer.delay);
  if (answer.drop_connection) {
    dropConnection(request);
    response.set_header("Connection", "close");
  } else {
    response.status = answer.http_status;
    response.set_content(answer.body, answer.content_type.c_str());
  }
  log_.write(answer, std::chrono::steady_clock::now() - started);
}

}  // namespace live::http
