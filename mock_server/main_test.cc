// live-emulator as a process: the listening line on --port 0, the vendor's sample request against
// the embedded default, SIGTERM finishing an in-flight request and exiting 0, and exit codes.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "testing/child_process.h"
#include "testing/raw_socket.h"
#include "testing/vendor_request.h"

namespace {

// live-emulator as a child process.
class Emulator : public live::testing::ChildProcess {
 public:
  explicit Emulator(const std::vector<std::string>& arguments)
      : ChildProcess(LIVE_EMULATOR_PATH, arguments) {}
  std::string firstLine(int timeout_ms) { return readLine(timeout_ms); }
};

int portOf(const std::string& line) {
  const std::string prefix = "live-emulator listening on http://127.0.0.1:";
  REQUIRE(line.rfind(prefix, 0) == 0);
  const std::string port = line.substr(prefix.size());
  REQUIRE(!port.empty());
  REQUIRE(port.find_first_not_of("0123456789") == std::string::npos);
  return std::stoi(port);
}

std::int64_t nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

TEST_CASE("live-emulator --port 0 announces its port and serves the vendor's sample request") {
  Emulator emulator({"--port", "0"});
  const int port = portOf(emulator.firstLine(5000));
  httplib::Client client("127.0.0.1", port);
  client.set_tcp_nodelay(true);
  const auto response = live::testing::send(client, live::testing::sampleRequest(nowSeconds()));
  CHECK(response.code() == 0);
  CHECK(live::testing::send(client, live::testing::sampleRequest(nowSeconds())).code() == 100004);
  emulator.signal(SIGINT);
  CHECK(emulator.wait(10000) == 0);
}

TEST_CASE("SIGTERM lets an in-flight request finish, then exits 0") {
  Emulator emulator({"--port", "0"});
  const int port = portOf(emulator.firstLine(5000));
  const auto request = live::testing::sampleRequest(nowSeconds());
  live::testing::RawSocket socket(port);
  const auto head = [&request](const char* connection, std::size_t body_size) {
    return "POST " + request.target() + " HTTP/1.1\r\nHost: x\r\nConnection: " + connection +
           "\r\nContent-Length: " + std::to_string(body_size) + "\r\n\r\n";
  };
  // A first round trip proves the connection is accepted and has its worker; then headers and
  // half the body of a second request are sent, and the signal arrives mid-request.
  const std::string other_room = R"({"RoomId":"not-there"})";
  socket.send(head("keep-alive", other_room.size()) + other_room);
  REQUIRE(socket.readResponse(5000).find("\"ErrorCode\":100004") != std::string::npos);
  socket.send(head("close", request.body.size()) + request.body.substr(0, 5));
  emulator.signal(SIGTERM);
  socket.send(request.body.substr(5));
  const std::string answer = socket.readResponse(5000);
  CHECK(answer.find("\"ErrorCode\":0") != std::string::npos);
  CHECK(emulator.wait(10000) == 0);
}

TEST_CASE("usage errors exit 64 with one line on stderr") {
  for (const auto& arguments : std::vector<std::vector<std::string>>{
           {"--port", "70000"}, {"--no-such-flag"}, {"--rate-limit", "-1"}, {"--port"}}) {
    Emulator emulator(arguments);
    CHECK(emulator.wait(5000) == 64);
    const std::string error = emulator.readStderr();
    CHECK_THAT(error, Catch::StartsWith("live-emulator: "));
    CHECK(std::count(error.begin(), error.end(), '\n') == 1);
  }
}

TEST_CASE("a bad config exits 78 naming the file, the field and the expectation") {
  const std::string path = "main_test_config.json";
  std::ofstream(path) << R"({"apps": [{"sdkappid": 1, "secret_key": "k", "root_admin": 7}]})";
  Emulator emulator({"--config", path, "--port", "0"});
  CHECK(emulator.wait(5000) == 78);
  CHECK(emulator.readStderr() ==
        "live-emulator: main_test_config.json: apps[0].root_admin: expected a non-empty string, "
        "found number\n");
  std::remove(path.c_str());
}

TEST_CASE("live-emulator --help and --version exit 0") {
  Emulator help({"--help"});
  CHECK(help.firstLine(5000).find("live-emulator") != std::string::npos);
  CHECK(help.wait(5000) == 0);
  // --help ends with the docs page to read.
  CHECK_THAT(help.readStdout(), Catch::EndsWith("\nDocumentation: docs/live-emulator.md (flags, config, "
                                                "request log) and docs/control-api.md (the control API)\n"));
  Emulator version({"--version"});
  CHECK(version.firstLine(5000) == "live-emulator " LIVE_VERSION);
  CHECK(version.wait(5000) == 0);
}

TEST_CASE("a bad scenario file exits 78 naming the file and the field") {
  const std::string path = "main_test_scenario.json";
  std::ofstream(path) << R"({"faults": [{"api": "destroy_room", "action": {"http_status": 204}}]})";
  Emulator emulator({"--scenario", path, "--port", "0"});
  CHECK(emulator.wait(5000) == 78);
  CHECK_THAT(emulator.readStderr(),
             Catch::StartsWith("live-emulator: main_test_scenario.json: faults[0].action.http_status"));
  std::remove(path.c_str());
}

TEST_CASE("the request log: one line per vendor call on stderr, never the UserSig") {
  Emulator emulator({"--port", "0", "--log-format", "json"});
  const int port = portOf(emulator.firstLine(5000));
  httplib::Client client("127.0.0.1", port);
  const auto request = live::testing::sampleRequest(nowSeconds());
  CHECK(live::testing::send(client, request).code() == 0);
  emulator.signal(SIGTERM);
  REQUIRE(emulator.wait(10000) == 0);
  const std::string log = emulator.readStderr();
  CHECK(std::count(log.begin(), log.end(), '\n') == 1);
  CHECK_THAT(log, Catch::Contains(R"("api":"destroy_room","sdkappid":88888888,"identifier":"admin","room_id":"live-room","error_code":0)"));
  const auto usersig = std::find_if(request.query.begin(), request.query.end(),
                                    [](const auto& entry) { return entry.first == "usersig"; });
  CHECK(log.find(usersig->second) == std::string::npos);
  CHECK(log.find("emulator-secret-key") == std::string::npos);
}

TEST_CASE("the environment's LIVE_EMULATOR_PORT and LIVE_EMULATOR_HOST stand in for --port and --host and a flag given wins") {
  {
    live::testing::ChildProcess from_environment(LIVE_EMULATOR_PATH, {},
                                                 {"LIVE_EMULATOR_PORT=0", "LIVE_EMULATOR_HOST=127.0.0.1"});
    // Port 0 picked a free port: not the default 9000 that would mean the variable was ignored.
    CHECK(portOf(from_environment.readLine(5000)) != 9000);
  }
  {
    live::testing::ChildProcess flag_wins(LIVE_EMULATOR_PATH, {"--port", "0"}, {"LIVE_EMULATOR_PORT=99999"});
    CHECK(portOf(flag_wins.readLine(5000)) > 0);
  }
  live::testing::ChildProcess bad_environment(LIVE_EMULATOR_PATH, {}, {"LIVE_EMULATOR_PORT=99999"});
  CHECK(bad_environment.wait(5000) == 64);  // EX_USAGE, as for a bad flag
}

TEST_CASE("live-emulator --probe exits 0 against a listening emulator and 1 where none listens") {
  Emulator emulator({"--port", "0"});
  const int port = portOf(emulator.firstLine(5000));
  live::testing::ChildProcess ready(LIVE_EMULATOR_PATH, {"--probe", "--port", std::to_string(port)});
  CHECK(ready.readLine(5000).find("\"status\":\"ok\"") != std::string::npos);
  CHECK(ready.wait(5000) == 0);
  emulator.signal(SIGTERM);
  REQUIRE(emulator.wait(5000) == 0);
  // The port is free again: nothing answers there.
  live::testing::ChildProcess gone(LIVE_EMULATOR_PATH, {"--probe", "--port", std::to_string(port)});
  CHECK(gone.wait(5000) == 1);
}
