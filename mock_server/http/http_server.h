// The HTTP face of the emulator: translates cpp-httplib requests to domain::ApiCall and answers
// back, and serves /__emulator/ control calls. Owns the listening socket and its worker threads.
#pragma once

#include <httplib.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <string>

#include "domain/emulator.h"
#include "http/connection_stream.h"
#include "http/control_api.h"
#include "http/callback_dispatcher.h"
#include "http/request_log.h"
#include "protocol/result.h"

namespace live::http {

// Threading model and timeouts, chosen for connection abuse (issue 7): cpp-httplib serves each
// connection on one blocking worker thread for the connection's whole life, so the only way to keep
// idle or slow clients from delaying others is to have a worker for every open connection. The
// ElasticThreadPool starts one whenever none is free, up to max_connections; a well-behaved client
// then waits for no one: measured by scripts/bench (200 idle + 50 slow-loris connections, every
// call answered within 100 ms) and tested in serving_test.cc. The timeouts bound what an abuser
// can hold: an idle keep-alive connection is closed after keep_alive_timeout_seconds, a request
// whose next bytes do not arrive within read_timeout_seconds is dropped, and an answer the client
// does not read within write_timeout_seconds is abandoned. A slow-loris that sends a byte every
// few seconds still holds its worker (the library has no whole-request deadline); past
// max_connections such connections would make new ones queue, which is why the cap is far above
// what a test suite opens.
struct ServerSettings {
  // Most connections served at once (one worker thread each; see ElasticThreadPool).
  std::size_t max_connections = 1024;
  // Longest wait for a client's next bytes, and for a client to take our answer's bytes.
  std::time_t read_timeout_seconds = 5;
  std::time_t write_timeout_seconds = 5;
  // Connections the kernel completes and queues before the accept loop takes them.
  int listen_backlog = 1024;
  // Requests served on one keep-alive connection before the server closes it. The library's
  // default of 5 would make a busy client reconnect every fifth call.
  std::size_t keep_alive_max_requests = 1'000'000;
  // An idle keep-alive connection is closed after this long. Matches the library default, long
  // enough for a client's next call in a batch, short enough that abandoned sockets go away.
  std::time_t keep_alive_timeout_seconds = 5;
  // Largest request body accepted (docs/destroy_room.md: over 1 MiB gets HTTP 413).
  std::size_t max_body_bytes = 1024 * 1024;
  // --tls-cert and --tls-key: serve HTTPS instead of HTTP (PEM files: the certificate chain, and its
  // private key).
  struct TlsFiles {
    std::string certificate;
    std::string private_key;
  };
  std::optional<TlsFiles> tls;
  ControlAccess control;                 // --control-token
  LogFormat log_format = LogFormat::kNone;  // --log-format (the program defaults to text)
};

class HttpServer {
 public:
  HttpServer(domain::Emulator& emulator, ServerSettings settings = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Loads the TLS certificate and key of settings.tls, when there are any; the failure names the
  // file and what is wrong with it. Call before bind().
  Result<bool> loadTls();
  // "http" or "https".
  std::string_view scheme() const { return settings_.tls ? "https" : "http"; }

  // Binds and listens on host:port (port 0 picks a free one). Connections are accepted into the
  // kernel's backlog from here on, so callers may announce readiness right after. Returns the port.
  Result<int> bind(const std::string& host, int port);
  // Serves until stop(). Call once, after a successful bind().
  void serve();
  // Stops promptly (docs/control-api.md, "Stopping"): no new connection is accepted; a request
  // already received, or being received, is answered; an idle keep-alive connection is closed at
  // once; a request that arrives on a kept-alive connection meanwhile is answered with
  // "Connection: close". serve() then returns, once the request log is written out. Thread-safe,
  // idempotent.
  void stop();

  // Lines the request log dropped because its reader fell behind.
  std::uint64_t droppedLogLines() const { return log_.droppedLines(); }
  // Connections being served now.
  std::size_t openConnections() const { return server_.openConnections(); }

 private:
  // Serving and stopping. cpp-httplib 0.11.4 serves a connection in a loop that only checks for
  // shutdown between requests and waits for the next request by polling every 10 ms for up to the
  // keep-alive timeout, so an idle keep-alive client held a stop for 5 s. This server runs its own
  // loop around the library's request parsing and routing (Server::process_request): it waits for
  // the next request in one poll() on the connection and a stop descriptor, so idle connections
  // cost nothing and close the moment stop() is called.
  class ConnectionServer : public httplib::Server {
   public:
    ConnectionServer();
    ~ConnectionServer() override;
    void stopServing();
    // cpp-httplib 0.11.4 listens with a backlog of 5: a client opening connections faster than
    // the accept loop takes them has its SYNs dropped and waits a 1 s retransmit, then 3 s, ...
    // Linux lets listen() be called again to set a deeper backlog. Returns false on failure.
    bool widenBacklog(int backlog);
    // Connections being served now (for tests and health).
    std::size_t openConnections() const { return open_connections_.load(); }
    // Readable once stopServing() has run (for waits that must end when the server stops).
    int stopFd() const { return stop_fd_; }
    bool stopping() const { return stopping_.load(std::memory_order_relaxed); }

   private:
    bool process_and_close_socket(int sock) override;
    // The keep-alive loop, over a plain or a TLS stream.
    bool serveConnection(int sock, ConnectionStream& stream);

   public:
    // Connections are served over TLS with this context when set (owned: freed with the server).
    SSL_CTX* tls_context = nullptr;

   private:
    std::once_flag stopped_;
    int stop_fd_ = -1;  // an eventfd, readable once stopServing() has run
    std::atomic<bool> stopping_{false};
    std::atomic<std::size_t> open_connections_{0};
  };

  void installRoutes();
  void handleVendorApi(const httplib::Request& request, std::string body,
                       httplib::Response& response);

  domain::Emulator& emulator_;
  ServerSettings settings_;
  RequestLog log_;
  CallbackDispatcher callbacks_;  // after log_, which it writes to
  ConnectionServer server_;
};

}  // namespace live::http
