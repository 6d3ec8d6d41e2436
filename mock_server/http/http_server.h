// The HTTP face of the emulator: translates cpp-httplib requests to domain::ApiCall and answers
// back, and serves /__emulator/ control calls. Owns the listening socket and its worker threads.
#pragma once

#include <httplib.h>

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>

#include "domain/emulator.h"
#include "http/control_api.h"
#include "http/request_log.h"
#include "protocol/result.h"

namespace live::http {

struct ServerSettings {
  // Most connections served at once (one worker thread each; see ElasticThreadPool).
  std::size_t max_connections = 1024;
  // Requests served on one keep-alive connection before the server closes it. The library's
  // default of 5 would make a busy client reconnect every fifth call.
  std::size_t keep_alive_max_requests = 1'000'000;
  // An idle keep-alive connection is closed after this long. Matches the library default, long
  // enough for a client's next call in a batch, short enough that abandoned sockets go away.
  std::time_t keep_alive_timeout_seconds = 5;
  // Largest request body accepted (destroy_room.md: over 1 MiB gets HTTP 413).
  std::size_t max_body_bytes = 1024 * 1024;
  ControlAccess control;                 // --control-token
  LogFormat log_format = LogFormat::kNone;  // --log-format (the program defaults to text)
};

class HttpServer {
 public:
  HttpServer(domain::Emulator& emulator, ServerSettings settings = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens on host:port (port 0 picks a free one). Connections are accepted into the
  // kernel's backlog from here on, so callers may announce readiness right after. Returns the port.
  Result<int> bind(const std::string& host, int port);
  // Serves until stop(). Call once, after a successful bind().
  void serve();
  // Stops accepting connections. Requests already sent on open connections are answered; each
  // open connection closes when its client closes it or after the keep-alive idle timeout, and
  // then serve() returns. Thread-safe, idempotent.
  void stop();

 private:
  // cpp-httplib's own stop() also ends every keep-alive loop at once, dropping a request that
  // has arrived but is not yet being read. Shutting down only the listening socket drains instead.
  class DrainingServer : public httplib::Server {
   public:
    void stopAccepting();

   private:
    std::once_flag stopped_;
  };

  void installRoutes();
  void handleVendorApi(const httplib::Request& request, std::string body,
                       httplib::Response& response);

  domain::Emulator& emulator_;
  ServerSettings settings_;
  RequestLog log_;
  DrainingServer server_;
};

}  // namespace live::http
