// The request log's queue and writer thread, and the formatting of its lines. Strings from the
// network are JSON-escaped in both formats, so a hostile identifier cannot forge a log line.
#include "http/request_log.h"

#include <fcntl.h>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <iterator>
#include <climits>
#include <nlohmann/json.hpp>
#include <utility>

#include "protocol/text.h"

namespace live::http {
namespace {

using Clock = std::chrono::steady_clock;

// Strings from the network are written as JSON strings (protocol::appendJsonString), so a
// hostile identifier cannot forge a line.
void appendEscaped(const std::string& text, std::string& out) { protocol::appendJsonString(out, text); }

void appendInteger(std::int64_t value, std::string& out) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof(digits), value).ptr;
  out.append(digits, end);
}

// `digits` decimal digits of `value`, zero-padded ("007").
void appendPadded(std::int64_t value, int digits, std::string& out) {
  char text[8];
  for (int i = digits - 1; i >= 0; --i, value /= 10) text[i] = static_cast<char>('0' + value % 10);
  out.append(text, static_cast<std::size_t>(digits));
}

// "2026-11-29T07:40:01.512Z". The date and time to the second is formatted once per second.
void appendTime(std::chrono::system_clock::time_point time, std::string& out) {
  thread_local std::int64_t cached_second = -1;
  thread_local std::string cached_text;
  const auto since_epoch = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch());
  const std::int64_t second = since_epoch.count() / 1000;
  if (second != cached_second) {
    cached_second = second;
    cached_text = fmt::format("{:%Y-%m-%dT%H:%M:%S}",
                              std::chrono::sys_seconds(std::chrono::seconds(second)));
  }
  out += cached_text;
  out += '.';
  appendPadded(since_epoch.count() % 1000, 3, out);
  out += 'Z';
}

// Milliseconds with three decimals, rounded to the microsecond: "0.212".
void appendLatency(std::chrono::nanoseconds latency, std::string& out) {
  const std::int64_t microseconds = (latency.count() + 500) / 1000;
  appendInteger(microseconds / 1000, out);
  out += '.';
  appendPadded(microseconds % 1000, 3, out);
}

void appendSdkAppId(const std::optional<std::uint32_t>& sdkappid, std::string& out) {
  if (sdkappid) {
    appendInteger(*sdkappid, out);
  } else {
    out += "null";
  }
}

auto milliseconds(std::chrono::system_clock::time_point time) {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(time);
}

// How the writer reaches its descriptor without ever blocking for long.
enum class Sink {
  kRegular,      // a file: writes do not wait for a reader
  kNonBlocking,  // our own O_NONBLOCK opening of the caller's pipe or terminal
  kSocket,       // send(MSG_DONTWAIT)
  kPolled,       // a pipe we could not reopen: poll for room, then write at most PIPE_BUF
};

}  // namespace

std::optional<LogFormat> logFormatFromString(std::string_view text) {
  if (text == "text") return LogFormat::kText;
  if (text == "json") return LogFormat::kJson;
  if (text == "none") return LogFormat::kNone;
  return std::nullopt;
}

std::string_view toString(LogFormat format) {
  switch (format) {
    case LogFormat::kText: return "text";
    case LogFormat::kJson: return "json";
    case LogFormat::kNone: break;
  }
  return "none";
}

// Formatted by hand, not with fmt: the writer formats every line the emulator serves, and a
// runtime format string costs several times more than the appends (docs/performance.md).
void RequestLog::formatEntry(LogFormat format, const Entry& entry, std::string& out) {
  if (format == LogFormat::kText) {
    appendTime(entry.time, out);
    if (entry.callback_id != 0) {
      out += " callback=";
      appendInteger(static_cast<std::int64_t>(entry.callback_id), out);
    }
    out += " request_id=";
    out += entry.request_id.empty() ? "-" : entry.request_id;
    out += " api=";
    out += entry.api.empty() ? "-" : entry.api;
    out += " sdkappid=";
    appendSdkAppId(entry.sdkappid, out);
    out += " identifier=";
    appendEscaped(entry.identifier, out);
    out += " room_id=";
    appendEscaped(entry.room_id, out);
    out += " error_code=";
    appendInteger(entry.error_code, out);
    out += " http_status=";
    appendInteger(entry.http_status, out);
    if (entry.dropped_connection) out += " dropped=true";
    out += " latency_ms=";
    appendLatency(entry.latency, out);
    out += '\n';
    return;
  }
  out += R"({"time":")";
  appendTime(entry.time, out);
  out += '"';
  if (entry.callback_id != 0) {
    out += R"(,"callback":)";
    appendInteger(static_cast<std::int64_t>(entry.callback_id), out);
  }
  out += R"(,"request_id":)";
  appendEscaped(entry.request_id, out);
  out += R"(,"api":)";
  appendEscaped(entry.api, out);
  out += R"(,"sdkappid":)";
  appendSdkAppId(entry.sdkappid, out);
  out += R"(,"identifier":)";
  appendEscaped(entry.identifier, out);
  out += R"(,"room_id":)";
  appendEscaped(entry.room_id, out);
  out += R"(,"error_code":)";
  appendInteger(entry.error_code, out);
  out += R"(,"http_status":)";
  appendInteger(entry.http_status, out);
  out += entry.dropped_connection ? R"(,"dropped":true)" : R"(,"dropped":false)";
  out += R"(,"latency_ms":)";
  appendLatency(entry.latency, out);
  out += "}\n";
}

std::string RequestLog::formatDropNote(LogFormat format, std::chrono::system_clock::time_point time,
                                       std::uint64_t dropped, std::uint64_t dropped_total) {
  if (format == LogFormat::kText) {
    return fmt::format(
        "{:%Y-%m-%dT%H:%M:%S}Z request_log_dropped lines={} total={} (the log's reader fell "
        "behind; no call was slowed)\n",
        milliseconds(time), dropped, dropped_total);
  }
  return fmt::format(
      R"({{"time":"{:%Y-%m-%dT%H:%M:%S}Z","event":"request_log_dropped","lines":{},"total":{}}})"
      "\n",
      milliseconds(time), dropped, dropped_total);
}

RequestLog::RequestLog(LogFormat format, int fd, RequestLogLimits limits)
    : format_(format), limits_(limits), fd_(fd) {
  if (format_ == LogFormat::kNone) return;
  Sink sink = Sink::kRegular;
  struct stat info {};
  if (fstat(fd, &info) == 0 && (S_ISFIFO(info.st_mode) || S_ISCHR(info.st_mode))) {
    // A non-blocking descriptor of our own: setting O_NONBLOCK on the caller's would change the
    // open file description it shares with its parent (a harness's terminal, say).
    const std::string path = "/proc/self/fd/" + std::to_string(fd);
    const int own = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (own >= 0) {
      fd_ = own;
      own_fd_ = true;
      sink = Sink::kNonBlocking;
    } else {
      sink = S_ISFIFO(info.st_mode) ? Sink::kPolled : Sink::kRegular;
    }
  } else if (S_ISSOCK(info.st_mode)) {
    sink = Sink::kSocket;
  }
  sink_ = static_cast<int>(sink);
  writer_ = std::thread([this] { run(); });
}

RequestLog::~RequestLog() {
  close();
  if (own_fd_) ::close(fd_);
}

void RequestLog::write(const domain::ApiAnswer& answer, std::chrono::nanoseconds latency) {
  if (format_ == LogFormat::kNone) return;
  Entry entry{std::chrono::system_clock::now(),
              answer.sentRequestId(),
              answer.api,
              answer.sdkappid,
              answer.identifier,
              answer.room_id,
              answer.sentErrorCode(),
              answer.http_status,
              answer.drop_connection,
              latency};
  enqueue(std::move(entry));
}

void RequestLog::writeCallback(std::uint64_t id, std::string command, std::uint32_t sdkappid, std::string room_id,
                               int http_status, std::chrono::nanoseconds latency) {
  if (format_ == LogFormat::kNone) return;
  Entry entry{std::chrono::system_clock::now(), {}, std::move(command), sdkappid, {}, std::move(room_id), 0,
              http_status, http_status == 0, latency, id};
  enqueue(std::move(entry));
}

void RequestLog::enqueue(Entry entry) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (closing_ || queue_.size() >= limits_.queue_lines) {
      ++pending_drops_;
      dropped_total_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    queue_.push_back(std::move(entry));
    wake = std::exchange(writer_waiting_, false);
  }
  if (wake) wake_.notify_one();
}

void RequestLog::close() {
  if (format_ == LogFormat::kNone) return;
  std::call_once(closed_, [this] {
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
    }
    give_up_at_ns_.store((Clock::now() + limits_.drain_timeout).time_since_epoch().count());
    wake_.notify_one();
    writer_.join();
  });
}

void RequestLog::run() {
  // A reader that has gone away must not kill the process: writes fail with EPIPE instead, and
  // the signal stays pending on this thread alone.
  sigset_t pipe_signal;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);
  pthread_setname_np(pthread_self(), "request-log");  // scripts/profile finds its writes by name
  std::deque<Entry> batch;
  std::string text;
  bool broken = false;  // the reader is gone (EPIPE and the like): discard, counting
  for (;;) {
    std::uint64_t drops = 0;
    bool closing = false;
    {
      std::unique_lock lock(mutex_);
      while (queue_.empty() && pending_drops_ == 0 && !closing_) {
        writer_waiting_ = true;
        wake_.wait(lock);
      }
      writer_waiting_ = false;
      batch.swap(queue_);
      drops = std::exchange(pending_drops_, 0);
      closing = closing_;
    }
    if (batch.empty() && drops == 0 && closing) return;
    if (broken) {
      // Lines taken here are lost, and counted as such; drops were counted when they happened.
      dropped_total_.fetch_add(batch.size(), std::memory_order_relaxed);
      batch.clear();
      continue;
    }
    // The lines queued before any drop come first, then the note: every dropped line came after
    // them, since nothing is queued while the queue is full.
    text.clear();
    for (const auto& entry : batch) formatEntry(format_, entry, text);
    const std::size_t lines = batch.size();
    batch.clear();
    if (drops > 0) {
      text += formatDropNote(format_, std::chrono::system_clock::now(), drops, droppedLines());
    }
    if (!writeAll(text)) {
      // The reader is gone, or the drain deadline passed: this batch is lost (counted whole,
      // though part of it may have been written).
      dropped_total_.fetch_add(lines, std::memory_order_relaxed);
      broken = true;
      if (closing) return;
      continue;
    }
    if (!closing && limits_.batch_linger.count() > 0) std::this_thread::sleep_for(limits_.batch_linger);
  }
}

bool RequestLog::writeAll(std::string_view data) {
  const auto sink = static_cast<Sink>(sink_);
  while (!data.empty()) {
    const bool past_deadline =
        Clock::now().time_since_epoch().count() >= give_up_at_ns_.load(std::memory_order_relaxed);
    ssize_t written = -1;
    errno = 0;
    switch (sink) {
      case Sink::kRegular:
      case Sink::kNonBlocking:
        written = ::write(fd_, data.data(), data.size());
        break;
      case Sink::kSocket:
        written = ::send(fd_, data.data(), data.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        break;
      case Sink::kPolled: {
        // POLLOUT on a pipe means room for PIPE_BUF bytes, so this write does not block.
        pollfd ready{fd_, POLLOUT, 0};
        if (::poll(&ready, 1, 100) == 1 && (ready.revents & POLLOUT) != 0) {
          written = ::write(fd_, data.data(), std::min<std::size_t>(data.size(), PIPE_BUF));
        } else if ((ready.revents & (POLLERR | POLLHUP | POLLNVAL)) != 0) {
          return false;
        } else {
          errno = EAGAIN;
        }
        break;
      }
    }
    if (written > 0) {
      data.remove_prefix(static_cast<std::size_t>(written));
      continue;
    }
    if (written < 0 && errno == EINTR) continue;
    if (written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (past_deadline) return false;
      if (sink != Sink::kPolled) {
        // Wait for room, waking now and then to notice a close() deadline.
        pollfd ready{fd_, POLLOUT, 0};
        ::poll(&ready, 1, 100);
      }
      continue;
    }
    return false;  // EPIPE, EBADF, EIO, ENOSPC: nothing more can be written
  }
  return true;
}

}  // namespace live::http
