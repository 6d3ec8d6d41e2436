// One line per vendor-API call on stderr (--log-format text|json|none): RequestId, API, sdkappid,
// identifier, RoomId, ErrorCode, HTTP status, latency. Never the secret key or the UserSig.
#pragma once

#include <chrono>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "domain/emulator.h"

namespace live::http {

enum class LogFormat { kText, kJson, kNone };
std::optional<LogFormat> logFormatFromString(std::string_view text);

class RequestLog {
 public:
  explicit RequestLog(LogFormat format, std::FILE* out = stderr) : format_(format), out_(out) {}

  // Writes the line for one answered call. Thread-safe; lines never interleave.
  void write(const domain::ApiAnswer& answer, std::chrono::nanoseconds latency);

 private:
  const LogFormat format_;
  std::FILE* const out_;
  std::mutex mutex_;  // serialises writes to out_
};

}  // namespace live::http
