// The runner's connection to a server under test: a request whose body a server may leave unread
// (a GET with a body) is sent with "Connection: close", so its body can never be parsed as the
// start of the next request on a reused connection.
#include "target.h"

#include <catch2/catch.hpp>

#include <mutex>
#include <thread>
#include <vector>

using live::conformance::Target;

namespace {

struct Seen {
  std::string method;
  std::string connection;
};

class RecordingServer {
 public:
  RecordingServer() {
    const auto record = [this](const httplib::Request& request, httplib::Response& response) {
      std::lock_guard lock(mutex_);
      seen_.push_back({request.method, request.get_header_value("Connection")});
      response.set_content("{}", "application/json");
    };
    server_.set_tcp_nodelay(true);
    server_.Get(".*", record);
    server_.Post(".*", record);
    port_ = server_.bind_to_any_port("127.0.0.1");
    // bind_to_any_port already listens: connections queue until the loop accepts them.
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~RecordingServer() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<Seen> seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<Seen> seen_;
};

}  // namespace

TEST_CASE("a GET with a body is sent with Connection: close, a POST keeps the connection") {
  RecordingServer server;
  Target target(server.url());
  REQUIRE(target.send("GET", "/v4/x", R"({"RoomId":"r"})").status == 200);
  REQUIRE(target.send("POST", "/v4/x", R"({"RoomId":"r"})").status == 200);
  REQUIRE(target.send("GET", "/v4/x", "").status == 200);
  const auto seen = server.seen();
  REQUIRE(seen.size() == 3);
  CHECK(seen[0].connection == "close");
  CHECK(seen[1].connection != "close");
  CHECK(seen[2].connection != "close");
}

TEST_CASE("only POST, PUT, PATCH and DELETE are trusted to have their body read") {
  CHECK(live::conformance::serversReadBodyOf("POST"));
  CHECK(live::conformance::serversReadBodyOf("DELETE"));
  CHECK_FALSE(live::conformance::serversReadBodyOf("GET"));
  CHECK_FALSE(live::conformance::serversReadBodyOf("HEAD"));
  CHECK_FALSE(live::conformance::serversReadBodyOf("OPTIONS"));
}
