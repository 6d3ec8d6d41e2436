// Counters of what the emulator answered, for GET /__emulator/metrics (docs/control-api.md,
// "Metrics"). Recording is a few relaxed atomic increments per call into fixed arrays: no lock, no
// allocation, no map lookup. Counters live as long as the process; reset does not touch them
// (chosen: Prometheus counters only go up).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "domain/time/faults.h"
#include "domain/rooms/model.h"

namespace live::domain {

class Metrics {
 public:
  // The latency histogram's upper bounds, in seconds (Prometheus' `le`).
  static constexpr std::array<double, 16> kLatencyBounds = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                            0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                                            1.0,    2.5,     5.0,    10.0};
  // What answered a call that a fault rule took: its action.
  enum class FaultKind { kErrorCode, kHttpStatus, kDropConnection, kTruncateBody, kResetMidway, kDelay, kCount };
  static std::string_view toString(FaultKind kind);

  // `api_count` APIs (emulatedApis()), `app_count` configured apps.
  Metrics(std::size_t api_count, std::size_t app_count);

  struct Call {
    std::size_t api_index;             // api_count when the path named no API
    std::int64_t error_code;           // as sent (0 for an answer without an envelope)
    int http_status;                   // 0 when the connection was dropped
    std::optional<FaultKind> fault;
    std::optional<std::size_t> rate_limited_app;  // the app's index, for a 60007 of row 17
    std::chrono::microseconds latency;  // the emulator's own time plus any injected delay
  };
  void record(const Call& call);  // thread-safe, lock-free

  // A consistent-enough copy for the exposition (each counter read once).
  struct Snapshot {
    // calls[api][code slot]: the code slots are protocol::errorCatalog() in order, then "other".
    std::vector<std::vector<std::uint64_t>> calls;
    std::vector<std::pair<int, std::uint64_t>> http_statuses;  // the statuses seen, ascending
    std::array<std::uint64_t, static_cast<std::size_t>(FaultKind::kCount)> faults{};
    std::vector<std::uint64_t> rate_limited;  // per app index
    std::array<std::uint64_t, kLatencyBounds.size()> latency_buckets{};  // cumulative, as exposed
    std::uint64_t latency_count = 0;
    double latency_sum_seconds = 0;
  };
  Snapshot snapshot() const;

 private:
  static constexpr int kStatuses = 600;  // 0 (dropped) and 100..599
  std::size_t api_count_;
  std::size_t code_slots_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> calls_;  // (api_count_ + 1) x code_slots_
  std::unique_ptr<std::atomic<std::uint64_t>[]> statuses_;
  std::array<std::atomic<std::uint64_t>, static_cast<std::size_t>(FaultKind::kCount)> faults_{};
  std::unique_ptr<std::atomic<std::uint64_t>[]> rate_limited_;
  std::size_t app_count_;
  std::array<std::atomic<std::uint64_t>, kLatencyBounds.size() + 1> latency_{};  // per bucket, +Inf last
  std::atomic<std::uint64_t> latency_sum_us_{0};
};

}  // namespace live::domain
