// Test support: an in-process emulator served over HTTP on a free port, stopped and joined by the
// destructor. bind() returns once the socket listens, so no test ever waits or sleeps for it.
#pragma once

#include <httplib.h>

#include <memory>
#include <string>
#include <thread>

#include "domain/config.h"
#include "domain/emulator.h"
#include "http/http_server.h"

namespace live::testing {

class TestServer {
 public:
  explicit TestServer(domain::EmulatorConfig config = domain::embeddedDefaultConfig(),
                      domain::EmulatorOptions options = {}, http::ServerSettings settings = {});
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  int port() const { return port_; }
  domain::Emulator& emulator() { return *emulator_; }
  // Stops the server as SIGTERM does (HttpServer::stop); the destructor then joins it.
  void stop() { server_->stop(); }
  std::size_t openConnections() const { return server_->openConnections(); }
  // A keep-alive client with TCP_NODELAY, pointed at this server.
  std::unique_ptr<httplib::Client> client() const;

 private:
  std::unique_ptr<domain::Emulator> emulator_;
  std::unique_ptr<http::HttpServer> server_;
  int port_ = 0;
  std::thread serving_;
};

}  // namespace live::testing
