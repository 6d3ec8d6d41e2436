#include "domain/metrics.h"

#include <algorithm>

#include "protocol/error_catalog.h"

namespace live::domain {
namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;

std::size_t codeSlot(std::int64_t code) {
  const auto catalog = protocol::errorCatalog();
  const auto* known = protocol::describe(code);
  return known != nullptr ? static_cast<std::size_t>(known - catalog.data()) : catalog.size();
}

}  // namespace

std::string_view Metrics::toString(FaultKind kind) {
  switch (kind) {
    case FaultKind::kErrorCode: return "error_code";
    case FaultKind::kHttpStatus: return "http_status";
    case FaultKind::kDropConnection: return "drop_connection";
    case FaultKind::kTruncateBody: return "truncate_body";
    case FaultKind::kResetMidway: return "reset_midway";
    case FaultKind::kDelay: return "delay_ms";
    case FaultKind::kCount: break;
  }
  return "unknown";
}

Metrics::Metrics(std::size_t api_count, std::size_t app_count)
    : api_count_(api_count),
      code_slots_(protocol::errorCatalog().size() + 1),
      calls_(new std::atomic<std::uint64_t>[(api_count + 1) * (protocol::errorCatalog().size() + 1)]()),
      statuses_(new std::atomic<std::uint64_t>[kStatuses]()),
      rate_limited_(new std::atomic<std::uint64_t>[std::max<std::size_t>(app_count, 1)]()),
      app_count_(app_count) {}

void Metrics::record(const Call& call) {
  const std::size_t api = std::min(call.api_index, api_count_);
  calls_[api * code_slots_ + codeSlot(call.error_code)].fetch_add(1, kRelaxed);
  if (call.http_status >= 0 && call.http_status < kStatuses) statuses_[call.http_status].fetch_add(1, kRelaxed);
  if (call.fault) faults_[static_cast<std::size_t>(*call.fault)].fetch_add(1, kRelaxed);
  if (call.rate_limited_app && *call.rate_limited_app < app_count_) {
    rate_limited_[*call.rate_limited_app].fetch_add(1, kRelaxed);
  }
  const double seconds = static_cast<double>(call.latency.count()) / 1e6;
  const auto bound = std::lower_bound(kLatencyBounds.begin(), kLatencyBounds.end(), seconds);
  latency_[static_cast<std::size_t>(bound - kLatencyBounds.begin())].fetch_add(1, kRelaxed);
  latency_sum_us_.fetch_add(static_cast<std::uint64_t>(std::max<std::int64_t>(call.latency.count(), 0)), kRelaxed);
}

Metrics::Snapshot Metrics::snapshot() const {
  Snapshot out;
  out.calls.assign(api_count_ + 1, std::vector<std::uint64_t>(code_slots_));
  for (std::size_t api = 0; api <= api_count_; ++api) {
    for (std::size_t slot = 0; slot < code_slots_; ++slot) {
      out.calls[api][slot] = calls_[api * code_slots_ + slot].load(kRelaxed);
    }
  }
  for (int status = 0; status < kStatuses; ++status) {
    if (const auto count = statuses_[status].load(kRelaxed)) out.http_statuses.emplace_back(status, count);
  }
  for (std::size_t kind = 0; kind < out.faults.size(); ++kind) out.faults[kind] = faults_[kind].load(kRelaxed);
  for (std::size_t app = 0; app < app_count_; ++app) out.rate_limited.push_back(rate_limited_[app].load(kRelaxed));
  std::uint64_t cumulative = 0;
  for (std::size_t bucket = 0; bucket < kLatencyBounds.size(); ++bucket) {
    cumulative += latency_[bucket].load(kRelaxed);
    out.latency_buckets[bucket] = cumulative;
  }
  out.latency_count = cumulative + latency_[kLatencyBounds.size()].load(kRelaxed);
  out.latency_sum_seconds = static_cast<double>(latency_sum_us_.load(kRelaxed)) / 1e6;
  return out;
}

}  // namespace live::domain
