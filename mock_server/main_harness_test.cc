// live-emulator inside a user's test harness: stderr on a pipe nobody reads, or on a terminal read
// slowly, never stalls a call; stopping with idle keep-alive clients is prompt and still answers
// a call in flight; the listening line is a URL that URL parsers take, for IPv4 and IPv6.
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <memory>
#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "testing/child_process.h"
#include "testing/vendor_request.h"

namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

std::int64_t nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The URL of the listening line, or empty.
std::string urlOf(const std::string& line) {
  const std::string prefix = "live-emulator listening on ";
  REQUIRE(line.rfind(prefix, 0) == 0);
  return line.substr(prefix.size());
}

std::unique_ptr<httplib::Client> clientFor(const std::string& url) {
  auto client = std::make_unique<httplib::Client>(url);
  client->set_tcp_nodelay(true);
  client->set_keep_alive(true);
  client->set_read_timeout(10);
  return client;
}

// Makes `calls` destroy_room calls over one keep-alive connection; returns how many got an
// envelope back.
int callMany(httplib::Client& client, int calls) {
  const auto request = live::testing::sampleRequest(nowSeconds());
  int answered = 0;
  for (int i = 0; i < calls; ++i) {
    const auto response = live::testing::send(client, request);
    if (response.code() == 0 || response.code() == 100004) ++answered;
  }
  return answered;
}

std::string noteKey(const std::string& format) {
  return format == "text" ? "request_log_dropped lines=" : R"("event":"request_log_dropped")";
}

// The total in the last drop note of `log`: each note counts the drops since the one before and
// the total so far.
std::uint64_t lastNotedTotal(const std::string& log, const std::string& format) {
  const std::string key = format == "text" ? " total=" : R"("total":)";
  const auto at = log.rfind(key);
  if (at == std::string::npos) return 0;
  return std::stoull(log.substr(at + key.size()));
}

std::uint64_t droppedLines(httplib::Client& client) {
  const auto health = client.Get("/__emulator/health");
  REQUIRE(health);
  return json::parse(health->body)["request_log"]["dropped_lines"].get<std::uint64_t>();
}

// Reads `fd` until `needle` appears (true) or `timeout` passes (false).
bool readUntil(const std::function<std::string()>& read_some, const std::string& needle,
               std::chrono::seconds timeout, std::string& seen) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    seen += read_some();
    if (seen.find(needle) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("stderr on a pipe that is never read: 5,000 calls are answered, then the drop count is logged") {
  for (const std::string format : {"text", "json"}) {
    live::testing::ChildProcess emulator(LIVE_EMULATOR_PATH,
                                         {"--port", "0", "--rate-limit", "0", "--log-format", format});
    const std::string url = urlOf(emulator.readLine(10000));
    auto client = clientFor(url);
    // Nobody reads stderr meanwhile: its pipe fills after a few hundred lines.
    CHECK(callMany(*client, 5000) == 5000);
    const auto dropped = droppedLines(*client);
    CHECK(dropped > 0);
    // The harness reads at last: the lines that were kept arrive, then the note with the count.
    std::string seen;
    CHECK(readUntil([&] { return emulator.readStderrFor(100); }, noteKey(format),
                    std::chrono::seconds(20), seen));
    seen += emulator.readStderrFor(300);  // whatever followed the first note
    CHECK(lastNotedTotal(seen, format) == dropped);
    emulator.signal(SIGTERM);
    CHECK(emulator.wait(10000) == 0);
  }
}

TEST_CASE("stderr on a terminal read slowly: calls are answered, then the drop count is logged") {
  for (const std::string format : {"text", "json"}) {
    const int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    REQUIRE(master >= 0);
    REQUIRE(::grantpt(master) == 0);
    REQUIRE(::unlockpt(master) == 0);
    const int terminal = ::open(::ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
    REQUIRE(terminal >= 0);
    live::testing::ChildProcess emulator(
        LIVE_EMULATOR_PATH, {"--port", "0", "--rate-limit", "0", "--log-format", format}, {}, terminal);
    ::close(terminal);
    const std::string url = urlOf(emulator.readLine(10000));

    // A slow reader: 64 bytes every 5 ms, about 90 lines a second.
    std::atomic<bool> calling{true};
    std::string seen;
    std::thread reader([&] {
      char buffer[64];
      while (calling.load()) {
        const auto got = ::read(master, buffer, sizeof(buffer));
        if (got > 0) seen.append(buffer, static_cast<std::size_t>(got));
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    });
    auto client = clientFor(url);
    CHECK(callMany(*client, 5000) == 5000);
    const auto dropped = droppedLines(*client);
    calling.store(false);
    reader.join();
    CHECK(dropped > 0);
    // Now read at full speed until the note arrives.
    ::fcntl(master, F_SETFL, O_NONBLOCK);
    const auto read_some = [&] {
      char buffer[65536];
      const auto got = ::read(master, buffer, sizeof(buffer));
      if (got <= 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      return got > 0 ? std::string(buffer, static_cast<std::size_t>(got)) : std::string();
    };
    CHECK(readUntil(read_some, noteKey(format), std::chrono::seconds(20), seen));
    // Whatever followed the first note: read until 300 ms pass without a byte.
    for (auto quiet_since = Clock::now(); Clock::now() - quiet_since < std::chrono::milliseconds(300);) {
      const std::string more = read_some();
      if (!more.empty()) quiet_since = Clock::now();
      seen += more;
    }
    CHECK(lastNotedTotal(seen, format) == dropped);
    emulator.signal(SIGTERM);
    CHECK(emulator.wait(10000) == 0);
    ::close(master);
  }
}

TEST_CASE("SIGTERM with idle keep-alive clients exits at once, and a delayed call in flight is answered") {
  live::testing::ChildProcess emulator(LIVE_EMULATOR_PATH, {"--port", "0"});
  const std::string url = urlOf(emulator.readLine(10000));
  // Three keep-alive clients, each idle after one call.
  std::vector<std::unique_ptr<httplib::Client>> idle;
  for (int i = 0; i < 3; ++i) {
    idle.push_back(clientFor(url));
    REQUIRE(idle.back()->Get("/__emulator/health"));
  }
  // A call held 700 ms by a delay fault, in flight when the signal comes.
  auto control = clientFor(url);
  REQUIRE(control->Post("/__emulator/faults",
                        R"({"api":"destroy_room","action":{"delay_ms":700}})", "application/json")
              ->status == 201);
  std::int64_t delayed_code = -1;
  std::thread delayed([&] {
    auto client = clientFor(url);
    delayed_code = live::testing::send(*client, live::testing::sampleRequest(nowSeconds())).code();
  });
  // The journal records the call before the delay runs: wait for it there, never by sleeping.
  for (int i = 0; i < 1000; ++i) {
    const auto journal = control->Get("/__emulator/requests");
    if (journal && json::parse(journal->body)["requests"].size() == 1) break;
  }
  const auto signalled = Clock::now();
  emulator.signal(SIGTERM);
  delayed.join();
  CHECK(delayed_code == 0);  // answered, though the stop came while it waited
  REQUIRE(emulator.wait(10000) == 0);
  // The delayed call held the stop for at most its 700 ms; idle clients held it not at all
  // (before, each idle keep-alive connection held it for the 5 s keep-alive timeout).
  CHECK(Clock::now() - signalled < std::chrono::milliseconds(700 + 200));

  // Without a call in flight: exit within 200 ms of the signal, idle clients notwithstanding.
  live::testing::ChildProcess quick(LIVE_EMULATOR_PATH, {"--port", "0"});
  const std::string quick_url = urlOf(quick.readLine(10000));
  std::vector<std::unique_ptr<httplib::Client>> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(clientFor(quick_url));
    REQUIRE(live::testing::send(*clients.back(), live::testing::sampleRequest(nowSeconds())).code() >= 0);
  }
  const auto stop = Clock::now();
  quick.signal(SIGTERM);
  REQUIRE(quick.wait(10000) == 0);
  CHECK(Clock::now() - stop < std::chrono::milliseconds(200));
}

TEST_CASE("the listening line is a URL that URL parsers take: IPv4, IPv6, port 0") {
  for (const std::string host : {"127.0.0.1", "::1"}) {
    live::testing::ChildProcess emulator(LIVE_EMULATOR_PATH, {"--host", host, "--port", "0"});
    const std::string url = urlOf(emulator.readLine(10000));
    // Python's standard parser: a bare IPv6 literal (http://::1:9000) fails it.
    live::testing::ChildProcess parser(
        "/usr/bin/python3",
        {"-c", "import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); "
               "print(p.scheme, p.hostname, p.port)",
         url});
    const std::string parsed = parser.readLine(10000);
    CHECK(parser.wait(10000) == 0);
    CHECK_THAT(parsed, Catch::StartsWith("http " + host + " "));
    const int port = std::stoi(parsed.substr(parsed.rfind(' ') + 1));
    CHECK(port > 0);
    CHECK(url == (host == "::1" ? "http://[::1]:" : "http://127.0.0.1:") + std::to_string(port));
    // And cpp-httplib's, which live-client and live-conformance use.
    auto client = clientFor(url);
    const auto response = live::testing::send(*client, live::testing::sampleRequest(nowSeconds()));
    CHECK(response.code() == 0);
    emulator.signal(SIGTERM);
    CHECK(emulator.wait(10000) == 0);
  }
}
