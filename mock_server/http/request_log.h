// One line per vendor-API call on stderr (--log-format text|json|none): RequestId, API, sdkappid,
// identifier, RoomId, ErrorCode, HTTP status, latency. Never the secret key or the UserSig.
//
// No request thread ever waits for the log's reader (docs/control-api.md, "Request log"). A call
// copies its fields into a bounded in-memory queue and returns; one writer thread formats and
// writes them in order. When the queue is full the line is dropped, counted, and a note with the
// count is written right after the lines that were queued before the drop, as soon as the reader
// takes bytes again. Pipes and terminals are written through a non-blocking descriptor of their
// own, so close() can give up on a reader that never reads.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "domain/emulator.h"

namespace live::http {

enum class LogFormat { kText, kJson, kNone };
std::optional<LogFormat> logFormatFromString(std::string_view text);
std::string_view toString(LogFormat format);

struct RequestLogLimits {
  // Lines held while the reader is slow (chosen: a burst of a second at full speed is far more
  // than a live reader ever lags, and at most about 300 KB).
  std::size_t queue_lines = 1024;
  // How long close() keeps trying to write what is queued (chosen: a harness that never reads
  // stderr must not hold up the emulator's exit).
  std::chrono::milliseconds drain_timeout{1000};
  // After writing a batch, the writer lets the next one gather this long, so that under load it
  // writes many lines per system call and callers rarely need to wake it (chosen; a line reaches
  // the reader at most this much later).
  std::chrono::milliseconds batch_linger{2};
};

class RequestLog {
 public:
  // Writes to descriptor `fd` (not owned), from a thread of its own unless `format` is kNone.
  explicit RequestLog(LogFormat format, int fd = 2, RequestLogLimits limits = {});
  ~RequestLog();
  RequestLog(const RequestLog&) = delete;
  RequestLog& operator=(const RequestLog&) = delete;

  // Queues the line for one answered call. Thread-safe, never blocks on the reader.
  void write(const domain::ApiAnswer& answer, std::chrono::nanoseconds latency);
  // Queues the line for one callback delivery (docs/webhooks.md): its id, command, app, room, and
  // the receiver's HTTP status (0 when no answer came).
  void writeCallback(std::uint64_t id, std::string command, std::uint32_t sdkappid, std::string room_id,
                     int http_status, std::chrono::nanoseconds latency);
  // Writes what is queued (giving up after limits.drain_timeout), then stops the writer. Lines
  // that arrive afterwards are dropped. Idempotent.
  void close();

  LogFormat format() const { return format_; }
  // Lines dropped because the queue was full, since start.
  std::uint64_t droppedLines() const { return dropped_total_.load(std::memory_order_relaxed); }

  // One queued line's fields, formatted by the writer thread.
  struct Entry {
    std::chrono::system_clock::time_point time;
    std::string request_id;
    std::string api;
    std::optional<std::uint32_t> sdkappid;
    std::string identifier;
    std::string room_id;
    std::int64_t error_code = 0;
    int http_status = 0;
    bool dropped_connection = false;
    std::chrono::nanoseconds latency{0};
    std::uint64_t callback_id = 0;  // a callback delivery's line, not a call's
  };
  // Appends the text of one line, '\n' included, to `out` (exposed for tests).
  static void formatEntry(LogFormat format, const Entry& entry, std::string& out);

  static std::string formatDropNote(LogFormat format, std::chrono::system_clock::time_point time,
                                    std::uint64_t dropped, std::uint64_t dropped_total);

 private:
  void enqueue(Entry entry);
  void run();
  // Writes all of `data`. Returns false when the descriptor is gone, or once closing when the
  // drain deadline has passed.
  bool writeAll(std::string_view data);

  const LogFormat format_;
  const RequestLogLimits limits_;
  int fd_ = -1;            // where lines go
  bool own_fd_ = false;    // fd_ is our non-blocking reopening of the caller's descriptor
  int sink_ = 0;           // how fd_ is written (request_log.cc, Sink)

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Entry> queue_;             // guarded by mutex_
  std::uint64_t pending_drops_ = 0;     // guarded by mutex_: drops not yet noted in the log
  bool writer_waiting_ = false;         // guarded by mutex_
  bool closing_ = false;                // guarded by mutex_
  std::atomic<std::uint64_t> dropped_total_{0};
  // When close() stops waiting for the reader (steady_clock ticks); max until close().
  std::atomic<std::chrono::steady_clock::rep> give_up_at_ns_{
      std::chrono::steady_clock::rep(std::numeric_limits<std::chrono::steady_clock::rep>::max())};
  std::once_flag closed_;
  std::thread writer_;
};

}  // namespace live::http
