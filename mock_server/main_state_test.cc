// --state-file and secrets, on the live-emulator process: SIGKILL at random moments under load
// never loses an acknowledged change; a corrupt file stops the start; keys never leak.
#include <signal.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "testing/child_process.h"
#include "testing/vendor_request.h"

namespace {

constexpr std::uint32_t kApp = 1400000000;
const std::string kKey = "state-test-secret-key-3f9a";

class Emulator : public live::testing::ChildProcess {
 public:
  explicit Emulator(const std::vector<std::string>& arguments,
                    const std::vector<std::string>& environment = {})
      : ChildProcess(LIVE_EMULATOR_PATH, arguments, environment) {}
  // The port from the first stdout line, or 0 when the process did not start.
  int port(int timeout_ms = 10000) {
    const std::string line = readLine(timeout_ms);
    const std::string prefix = "live-emulator listening on http://127.0.0.1:";
    if (line.rfind(prefix, 0) != 0) return 0;
    return std::stoi(line.substr(prefix.size()));
  }
};

std::filesystem::path freshDirectory(const std::string& name) {
  const auto directory = std::filesystem::temp_directory_path() / ("live_main_state_test_" + name);
  std::filesystem::remove_all(directory);
  std::filesystem::create_directories(directory);
  return directory;
}

std::string writeConfig(const std::filesystem::path& directory, int rooms,
                        const std::string& secret_key_json) {
  nlohmann::json config = {
      {"apps", {{{"sdkappid", kApp}, {"secret_key", nlohmann::json::parse(secret_key_json)},
                 {"root_admin", "administrator"}, {"admins", {"admin"}}}}},
      {"rooms", nlohmann::json::array()}};
  for (int i = 0; i < rooms; ++i) {
    config["rooms"].push_back({{"sdkappid", kApp}, {"room_id", "r" + std::to_string(i)}, {"owner", "admin"}});
  }
  const auto path = (directory / "config.json").string();
  std::ofstream(path) << config.dump();
  return path;
}

std::int64_t nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::set<std::string> roomsOf(int port) {
  httplib::Client control("127.0.0.1", port);
  const auto response = control.Get("/__emulator/rooms?sdkappid=" + std::to_string(kApp));
  REQUIRE(response);
  REQUIRE(response->status == 200);
  std::set<std::string> rooms;
  const auto body = nlohmann::json::parse(response->body);  // named: the loop below reads into it
  for (const auto& room : body["rooms"]) {
    rooms.insert(room["room_id"].get<std::string>());
  }
  return rooms;
}

}  // namespace

TEST_CASE("SIGKILL at random moments under load: the file always loads, and no room whose "
          "destroy was answered OK, nor one whose add was answered 201, is lost") {
  const auto directory = freshDirectory("sigkill");
  const auto config = writeConfig(directory, 2000, "\"" + kKey + "\"");
  const auto state = (directory / "rooms.state").string();
  std::mt19937 random(20261127);
  std::set<std::string> destroyed;  // answered OK: must never come back
  std::set<std::string> added;      // answered 201: must be there, unless a destroy was tried
  std::set<std::string> attempted;  // a destroy was sent: gone or not, if the answer was lost
  constexpr int kRounds = 20;
  int answered_ok = 0;
  for (int round = 0; round < kRounds; ++round) {
    Emulator emulator({"--config", config, "--state-file", state, "--port", "0", "--rate-limit",
                       "0", "--log-format", "none"});
    const int port = emulator.port();
    INFO("round " << round);
    REQUIRE(port != 0);  // the file written when the last process was killed loads
    const auto present = roomsOf(port);
    for (const auto& room : destroyed) CHECK(present.count(room) == 0);
    for (const auto& room : added) {
      if (attempted.count(room) == 0) CHECK(present.count(room) == 1);
    }

    // Load: destroyers working through the rooms present, one thread adding rooms.
    std::vector<std::string> targets(present.begin(), present.end());
    std::shuffle(targets.begin(), targets.end(), random);
    std::mutex results_mutex;
    std::atomic<std::size_t> next{0};
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        httplib::Client client("127.0.0.1", port);
        client.set_tcp_nodelay(true);
        client.set_read_timeout(std::chrono::seconds(2));
        while (!stop) {
          const std::size_t index = next++;
          if (index >= targets.size()) return;
          {
            std::lock_guard lock(results_mutex);
            attempted.insert(targets[index]);
          }
          const auto request = live::testing::destroyRoomRequest(kApp, "admin", kKey, targets[index],
                                                                 nowSeconds());
          const auto answer = live::testing::send(client, request);
          if (answer.code() == 0) {
            std::lock_guard lock(results_mutex);
            destroyed.insert(targets[index]);
            ++answered_ok;
          }
        }
      });
    }
    threads.emplace_back([&, round] {
      httplib::Client control("127.0.0.1", port);
      control.set_tcp_nodelay(true);
      for (int i = 0; !stop; ++i) {
        const std::string room_id = "added-" + std::to_string(round) + "-" + std::to_string(i);
        const nlohmann::json body = {{"sdkappid", kApp}, {"room_id", room_id}, {"owner", "admin"}};
        const auto response = control.Post("/__emulator/rooms", body.dump(), "application/json");
        if (response && response->status == 201) {
          std::lock_guard lock(results_mutex);
          added.insert(room_id);
        }
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(
        std::uniform_int_distribution<int>(5, 80)(random)));  // the random moment of the kill
    emulator.signal(SIGKILL);
    CHECK(emulator.wait(10000) == 128 + SIGKILL);
    stop = true;
    for (auto& thread : threads) thread.join();
  }
  Emulator last({"--config", config, "--state-file", state, "--port", "0", "--log-format", "none"});
  const int port = last.port();
  REQUIRE(port != 0);
  const auto present = roomsOf(port);
  for (const auto& room : destroyed) CHECK(present.count(room) == 0);
  CHECK(answered_ok > 0);  // the load did reach the emulator
  WARN(answered_ok << " destroys answered OK and " << added.size() << " adds answered 201 across "
                   << kRounds << " kills; none lost");
  last.signal(SIGTERM);
  CHECK(last.wait(10000) == 0);
}

TEST_CASE("a corrupt state file stops the start with exit 78 and a clear message, and is kept") {
  const auto directory = freshDirectory("corrupt");
  const auto config = writeConfig(directory, 1, "\"" + kKey + "\"");
  const auto state = (directory / "rooms.state").string();
  const std::string garbage = "{\"format\":\"live-emulator-state\",\"version\":1}\nnot json\n";
  std::ofstream(state) << garbage;
  Emulator emulator({"--config", config, "--state-file", state, "--port", "0"});
  CHECK(emulator.wait(10000) == 78);
  CHECK(emulator.readStderr() ==
        "live-emulator: " + state + ":2: the state file is corrupt: the record is not valid JSON (at byte 2)\n");
  std::ifstream stream(state);
  CHECK(std::string(std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()) == garbage);
}

TEST_CASE("a key given as {\"env\": NAME} is read from the environment and never printed") {
  const auto directory = freshDirectory("secret");
  const auto config = writeConfig(directory, 1, R"({"env": "LIVE_TEST_APP_KEY"})");
  {
    Emulator missing({"--config", config, "--port", "0"});
    CHECK(missing.wait(10000) == 78);
    CHECK(missing.readStderr() == "live-emulator: " + config +
                                      ": apps[0].secret_key: environment variable "
                                      "LIVE_TEST_APP_KEY is not set\n");
  }
  Emulator emulator({"--config", config, "--port", "0", "--log-format", "json"},
                    {"LIVE_TEST_APP_KEY=" + kKey});
  const int port = emulator.port();
  REQUIRE(port != 0);
  httplib::Client client("127.0.0.1", port);
  client.set_tcp_nodelay(true);
  // Right key, wrong key, and a UserSig that does not decode: none of the answers, the journal
  // entries or the log lines carry the key.
  CHECK(live::testing::send(client, live::testing::destroyRoomRequest(kApp, "admin", kKey, "r0",
                                                                      nowSeconds()))
            .code() == 0);
  CHECK(live::testing::send(client, live::testing::destroyRoomRequest(kApp, "admin", "other-key",
                                                                      "r0", nowSeconds()))
            .code() == 70009);
  const auto pasted = live::testing::send(
      client, live::testing::destroyRoomRequest(kApp, "admin", kKey, "r0", nowSeconds())
                  .set("usersig", "not-a-usersig"));
  CHECK(pasted.code() == 70003);
  const auto journal = client.Get("/__emulator/requests");
  REQUIRE(journal);
  CHECK(journal->body.find(kKey) == std::string::npos);
  for (const auto& answer : {pasted.body}) CHECK(answer.find(kKey) == std::string::npos);
  emulator.signal(SIGTERM);
  REQUIRE(emulator.wait(10000) == 0);
  const std::string output = emulator.readStdout() + emulator.readStderr();
  CHECK(output.find(kKey) == std::string::npos);
  Emulator help({"--help"}, {"LIVE_TEST_APP_KEY=" + kKey});
  CHECK(help.readStdout().find(kKey) == std::string::npos);
}
