// The request log: its lines, and that no reader can make a call wait (a pipe never read, a pipe
// read late, a close() while the reader is stuck).
#include "http/request_log.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

using namespace live;
using json = nlohmann::json;

namespace {

domain::ApiAnswer answerFor(const std::string& room_id) {
  domain::ApiAnswer answer;
  answer.api = "destroy_room";
  answer.sdkappid = 88888888;
  answer.identifier = "admin";
  answer.room_id = room_id;
  answer.envelope.error_code = 100004;
  answer.envelope.request_id = "Id-00000000000000000000000000000000-O-Seq-7";
  return answer;
}

// What a log in `format` writes when `use` has written to it and it is closed.
template <class Use>
std::string logged(http::LogFormat format, Use&& use) {
  std::FILE* file = std::tmpfile();
  REQUIRE(file != nullptr);
  {
    http::RequestLog log(format, fileno(file));
    use(log);
    log.close();
  }
  std::rewind(file);
  char buffer[4096] = {};
  const auto length = std::fread(buffer, 1, sizeof(buffer) - 1, file);
  std::fclose(file);
  return std::string(buffer, length);
}

// Everything readable from `fd` until nothing more arrives for `quiet_ms`.
std::string drain(int fd, int quiet_ms) {
  std::string text;
  char buffer[65536];
  for (;;) {
    pollfd ready{fd, POLLIN, 0};
    if (::poll(&ready, 1, quiet_ms) <= 0) return text;
    const auto got = ::read(fd, buffer, sizeof(buffer));
    if (got <= 0) return text;
    text.append(buffer, static_cast<std::size_t>(got));
  }
}

struct Pipe {
  int read_end = -1;
  int write_end = -1;
  Pipe() {
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    read_end = fds[0];
    write_end = fds[1];
  }
  ~Pipe() {
    ::close(read_end);
    ::close(write_end);
  }
};

}  // namespace

TEST_CASE("the request log has one line per call with the essentials, never the key or UserSig") {
  for (const auto format : {http::LogFormat::kText, http::LogFormat::kJson}) {
    const std::string line = logged(format, [](http::RequestLog& log) {
      auto answer = answerFor("live-room");
      answer.identifier = "admin\n\"forged";
      log.write(answer, std::chrono::microseconds(1500));
    });
    CHECK(std::count(line.begin(), line.end(), '\n') == 1);  // the identifier cannot split it
    for (const char* field : {"Id-00000000000000000000000000000000-O-Seq-7", "destroy_room",
                              "88888888", "live-room", "100004", "1.500"}) {
      CHECK_THAT(line, Catch::Contains(field));
    }
    if (format == http::LogFormat::kJson) CHECK_FALSE(json::parse(line, nullptr, false).is_discarded());
  }
}

TEST_CASE("a callback delivery has its own line: callback id, command, app, room, the receiver's status") {
  for (const auto format : {http::LogFormat::kText, http::LogFormat::kJson}) {
    const std::string line = logged(format, [](http::RequestLog& log) {
      log.writeCallback(42, "Live.CallbackAfterDestroyRoom", 88888888, "live-room", 503, std::chrono::milliseconds(2));
    });
    if (format == http::LogFormat::kText) {
      CHECK_THAT(line, Catch::Contains(" callback=42 ") && Catch::Contains("api=Live.CallbackAfterDestroyRoom") &&
                           Catch::Contains("http_status=503"));
    } else {
      const auto parsed = json::parse(line);
      CHECK(parsed["callback"] == 42);
      CHECK(parsed["api"] == "Live.CallbackAfterDestroyRoom");
      CHECK(parsed["room_id"] == "live-room");
      CHECK(parsed["http_status"] == 503);
    }
  }
}

TEST_CASE("a reader that never reads: calls never wait, drops are counted, then noted in order") {
  for (const auto format : {http::LogFormat::kText, http::LogFormat::kJson}) {
    Pipe pipe;
    // A small pipe fills after a few lines, so the queue is what holds the rest.
    ::fcntl(pipe.write_end, F_SETPIPE_SZ, 4096);
    http::RequestLogLimits limits;
    limits.queue_lines = 100;
    http::RequestLog log(format, pipe.write_end, limits);
    const auto started = std::chrono::steady_clock::now();
    constexpr int kCalls = 5000;
    for (int i = 0; i < kCalls; ++i) log.write(answerFor("room-" + std::to_string(i)), {});
    // 5,000 calls with a stuck reader: no call waited for it (a blocked write would take forever).
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
    const auto dropped = log.droppedLines();
    CHECK(dropped > 0);
    CHECK(dropped < kCalls);

    // The reader wakes up: every line kept arrives, in order, and each run of drops is noted
    // where it happened (after the lines queued before it), the last note with the total.
    const std::string text = drain(pipe.read_end, 300);
    const std::string note_key = format == http::LogFormat::kText ? "request_log_dropped lines="
                                                                  : R"("event":"request_log_dropped","lines":)";
    const std::string total_key = format == http::LogFormat::kText ? " total=" : R"("total":)";
    int previous = -1;
    int lines = 0;
    std::uint64_t noted = 0;
    std::uint64_t last_total = 0;
    std::size_t line_start = 0;
    while (line_start < text.size()) {
      const auto line_end = text.find('\n', line_start);
      REQUIRE(line_end != std::string::npos);
      const std::string line = text.substr(line_start, line_end - line_start);
      line_start = line_end + 1;
      if (const auto at = line.find(note_key); at != std::string::npos) {
        REQUIRE(previous >= 0);  // a note follows the lines queued before the drop
        noted += std::stoull(line.substr(at + note_key.size()));
        last_total = std::stoull(line.substr(line.find(total_key) + total_key.size()));
        continue;
      }
      const int room = std::stoi(line.substr(line.find("room-") + 5));
      CHECK(room > previous);  // order is kept
      previous = room;
      ++lines;
    }
    CHECK(noted == dropped);
    CHECK(last_total == dropped);
    CHECK(static_cast<std::uint64_t>(lines) + dropped == kCalls);

    // A call after the drain is logged after the note.
    log.write(answerFor("after"), {});
    log.close();
    CHECK_THAT(drain(pipe.read_end, 300), Catch::Contains("after"));
  }
}

TEST_CASE("close() gives up on a reader that never reads, within its bound") {
  Pipe pipe;
  ::fcntl(pipe.write_end, F_SETPIPE_SZ, 4096);
  http::RequestLogLimits limits;
  limits.drain_timeout = std::chrono::milliseconds(200);
  http::RequestLog log(http::LogFormat::kText, pipe.write_end, limits);
  for (int i = 0; i < 1000; ++i) log.write(answerFor("room"), {});
  const auto started = std::chrono::steady_clock::now();
  log.close();
  // The bound is 200 ms; the margin is for a loaded machine, not a measurement.
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(3));
  log.write(answerFor("late"), {});  // after close: dropped, never written, never blocking
  CHECK(log.droppedLines() >= 1);
}

TEST_CASE("a reader that has gone away: lines are discarded and counted, nothing blocks") {
  Pipe pipe;
  ::close(pipe.read_end);
  pipe.read_end = ::open("/dev/null", O_RDONLY | O_CLOEXEC);  // keeps ~Pipe's close harmless
  http::RequestLog log(http::LogFormat::kJson, pipe.write_end);
  for (int i = 0; i < 100; ++i) log.write(answerFor("room"), {});
  log.close();
  CHECK(log.droppedLines() == 100);
}

TEST_CASE("format none starts no writer and writes nothing") {
  Pipe pipe;
  http::RequestLog log(http::LogFormat::kNone, pipe.write_end);
  log.write(answerFor("room"), {});
  log.close();
  CHECK(drain(pipe.read_end, 50).empty());
  CHECK(log.droppedLines() == 0);
}
