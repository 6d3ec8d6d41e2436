#include "http/metrics_text.h"

#include <fmt/format.h>

#include <iterator>
#include <map>

#include "domain/api/api_catalog.h"
#include "protocol/error_catalog.h"

namespace live::http {
namespace {

template <typename... Args>
void put(std::string& out, fmt::format_string<Args...> format, Args&&... args) {
  fmt::format_to(std::back_inserter(out), format, std::forward<Args>(args)...);
}

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

std::string prometheusText(domain::Emulator& emulator) {
  const auto metrics = emulator.metrics().snapshot();
  const auto apis = domain::emulatedApis();
  const auto catalog = protocol::errorCatalog();
  std::string out;

  header(out, "live_emulator_calls_total", "counter",
         "Vendor-API calls answered, by API and the ErrorCode sent (0 when no envelope was sent).");
  for (std::size_t api = 0; api < metrics.calls.size(); ++api) {
    const std::string_view api_name = api < apis.size() ? apis[api]->name() : std::string_view("none");
    for (std::size_t slot = 0; slot < metrics.calls[api].size(); ++slot) {
      const auto count = metrics.calls[api][slot];
      if (count == 0) continue;
      if (slot < catalog.size()) {
        put(out, "live_emulator_calls_total{{api=\"{}\",error_code=\"{}\",error_name=\"{}\"}} {}\n", api_name,
             protocol::toInt(catalog[slot].code), catalog[slot].name, count);
      } else {
        put(out, "live_emulator_calls_total{{api=\"{}\",error_code=\"other\",error_name=\"unknown\"}} {}\n", api_name, count);
      }
    }
  }

  header(out, "live_emulator_http_responses_total", "counter",
         "Vendor-API answers by HTTP status (0: the connection was dropped without an answer).");
  for (const auto& [status, count] : metrics.http_statuses) {
    put(out, "live_emulator_http_responses_total{{status=\"{}\"}} {}\n", status, count);
  }

  header(out, "live_emulator_faults_applied_total", "counter", "Calls answered by a fault rule, by its action.");
  for (std::size_t kind = 0; kind < metrics.faults.size(); ++kind) {
    put(out, "live_emulator_faults_applied_total{{action=\"{}\"}} {}\n",
         domain::Metrics::toString(static_cast<domain::Metrics::FaultKind>(kind)), metrics.faults[kind]);
  }

  const auto& apps = emulator.config().apps;
  header(out, "live_emulator_rate_limited_total", "counter", "Calls refused by the rate limiter (60007), by app.");
  for (std::size_t app = 0; app < apps.size(); ++app) {
    put(out, "live_emulator_rate_limited_total{{sdkappid=\"{}\"}} {}\n", apps[app].sdkappid, metrics.rate_limited[app]);
  }

  header(out, "live_emulator_rooms", "gauge", "Rooms that exist now, by app.");
  for (const auto& [sdkappid, count] : emulator.rooms().sizes()) {
    put(out, "live_emulator_rooms{{sdkappid=\"{}\"}} {}\n", sdkappid, count);
  }

  header(out, "live_emulator_callback_deliveries", "gauge",
         "Webhook deliveries kept in the callback log (the most recent ones), by state.");
  std::map<std::string, std::size_t> states = {{"delivered", 0}, {"failed", 0}, {"overflow", 0}, {"pending", 0}};
  for (const auto& delivery : emulator.callbackLog().select({})) ++states[delivery.state];
  for (const auto& [state, count] : states) put(out, "live_emulator_callback_deliveries{{state=\"{}\"}} {}\n", state, count);

  header(out, "live_emulator_call_duration_seconds", "histogram",
         "The emulator's own time on a vendor-API call plus any injected delay.");
  for (std::size_t bucket = 0; bucket < domain::Metrics::kLatencyBounds.size(); ++bucket) {
    put(out, "live_emulator_call_duration_seconds_bucket{{le=\"{}\"}} {}\n", domain::Metrics::kLatencyBounds[bucket],
         metrics.latency_buckets[bucket]);
  }
  put(out, "live_emulator_call_duration_seconds_bucket{{le=\"+Inf\"}} {}\n", metrics.latency_count);
  put(out, "live_emulator_call_duration_seconds_sum {}\n", metrics.latency_sum_seconds);
  put(out, "live_emulator_call_duration_seconds_count {}\n", metrics.latency_count);
  return out;
}

}  // namespace live::http
