// TestServer: bind on 127.0.0.1:0 synchronously, serve on a thread, stop and join on destruction.
#include "testing/test_server.h"

#include <csignal>
#include <stdexcept>

namespace live::testing {

TestServer::TestServer(domain::EmulatorConfig config, domain::EmulatorOptions options,
                       http::ServerSettings settings)
    : emulator_(std::make_unique<domain::Emulator>(std::move(config), options)),
      server_(std::make_unique<http::HttpServer>(*emulator_, settings)) {
  std::signal(SIGPIPE, SIG_IGN);  // a peer closing early must not kill the test process
  auto bound = server_->bind("127.0.0.1", 0);
  if (!bound) throw std::runtime_error(bound.error());
  port_ = bound.value();
  serving_ = std::thread([this] { server_->serve(); });
}

TestServer::~TestServer() {
  server_->stop();
  serving_.join();
}

std::unique_ptr<httplib::Client> TestServer::client() const {
  auto client = std::make_unique<httplib::Client>("127.0.0.1", port_);
  client->set_tcp_nodelay(true);
  client->set_keep_alive(true);
  client->set_connection_timeout(5);
  client->set_read_timeout(5);
  return client;
}

}  // namespace live::testing
