// libFuzzer target: the transport's query-string parser and the body's JSON reading, as the
// emulator applies them to every request (parseUntrustedJson: the depth guard, then nlohmann).
// The input's first line is the request target; the rest is the body.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "http/query.h"
#include "protocol/envelope.h"
#include "protocol/json_limits.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto newline = input.find('\n');
  const std::string_view target = input.substr(0, newline);
  const std::string_view body =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);

  (void)live::http::parseQuery(target);
  (void)live::protocol::parseUntrustedJson(body);
  // The client side reads the same bytes as an answer.
  (void)live::protocol::parseEnvelope(body);
  return 0;
}
