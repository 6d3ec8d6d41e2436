// Formatting of the request log. Strings from the network are JSON-escaped in both formats, so a
// hostile identifier cannot forge a log line.
#include "http/request_log.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace live::http {
namespace {

std::string escaped(const std::string& text) {
  return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::optional<LogFormat> logFormatFromString(std::string_view text) {
  if (text == "text") return LogFormat::kText;
  if (text == "json") return LogFormat::kJson;
  if (text == "none") return LogFormat::kNone;
  return std::nullopt;
}

void RequestLog::write(const domain::ApiAnswer& answer, std::chrono::nanoseconds latency) {
  if (format_ == LogFormat::kNone) return;
  const auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now());
  const double latency_ms = static_cast<double>(latency.count()) / 1e6;
  const std::string sdkappid = answer.sdkappid ? std::to_string(*answer.sdkappid) : "null";
  const std::int64_t code = answer.sentErrorCode();
  const std::string request_id = answer.sentRequestId();
  std::string line;
  if (format_ == LogFormat::kText) {
    line = fmt::format(
        "{:%Y-%m-%dT%H:%M:%S}Z request_id={} api={} sdkappid={} identifier={} room_id={} "
        "error_code={} http_status={}{} latency_ms={:.3f}\n",
        now, request_id.empty() ? "-" : request_id, answer.api.empty() ? "-" : answer.api,
        sdkappid, escaped(answer.identifier), escaped(answer.room_id), code, answer.http_status,
        answer.drop_connection ? " dropped=true" : "", latency_ms);
  } else {
    line = fmt::format(
        R"({{"time":"{:%Y-%m-%dT%H:%M:%S}Z","request_id":{},"api":{},"sdkappid":{},)"
        R"("identifier":{},"room_id":{},"error_code":{},"http_status":{},"dropped":{},)"
        R"("latency_ms":{:.3f}}})"
        "\n",
        now, escaped(request_id), escaped(answer.api), sdkappid, escaped(answer.identifier),
        escaped(answer.room_id), code, answer.http_status, answer.drop_connection, latency_ms);
  }
  std::lock_guard lock(mutex_);
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

}  // namespace live::http
