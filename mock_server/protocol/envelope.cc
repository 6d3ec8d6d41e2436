// Envelope serialisation is on the hot path: it is written by hand in the fixed field order and
// uses nlohmann::json only to escape ErrorInfo.
#include "protocol/envelope.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <algorithm>
#include <random>

#include "protocol/json_limits.h"
#include "protocol/text.h"

namespace live::protocol {
namespace {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

bool isLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

}  // namespace

std::optional<ResponseStyle> responseStyleFromString(std::string_view text) {
  if (text == "2024") return ResponseStyle::k2024;
  if (text == "current") return ResponseStyle::kCurrent;
  return std::nullopt;
}

std::string_view toString(ResponseStyle style) {
  return style == ResponseStyle::kCurrent ? "current" : "2024";
}

std::string serializeEnvelope(const Envelope& envelope, ResponseStyle style) {
  std::string body;
  body.reserve(96 + envelope.error_info.size() + envelope.extra_members.size());
  if (style == ResponseStyle::k2024 || envelope.im) {
    body += R"({"ActionStatus":")";
    body += envelope.actionStatus();
    body += R"(","ErrorInfo":)";
    appendJsonString(body, envelope.error_info);
    body += R"(,"ErrorCode":)";
    body += std::to_string(envelope.error_code);
    if (!envelope.im) {
      body += R"(,"RequestId":)";
      appendJsonString(body, envelope.request_id);
    }
    if ((envelope.im || envelope.extra_members_in_every_style) && !envelope.extra_members.empty()) {
      body += ',';
      body += envelope.extra_members;
    }
    body += '}';
    return body;
  }
  body += R"({"ErrorCode":)";
  body += std::to_string(envelope.error_code);
  body += R"(,"ErrorInfo":)";
  appendJsonString(body, envelope.error_info);
  body += R"(,"ActionStatus":")";
  body += envelope.actionStatus();
  body += R"(","RequestId":)";
  appendJsonString(body, envelope.request_id);
  if (!envelope.extra_members.empty()) {
    body += ',';
    body += envelope.extra_members;
  }
  body += '}';
  return body;
}

Result<Envelope> parseEnvelope(std::string_view body) {
  using json = nlohmann::json;
  const auto parsed = parseUntrustedJson(body);
  if (!parsed) return Failure{"the response body is " + parsed.error()};
  const json& object = parsed.value();
  if (!object.is_object()) return Failure{"the response body is not a JSON object"};

  Envelope envelope;
  const auto status = object.find("ActionStatus");
  if (status == object.end() || !status->is_string()) {
    return Failure{"the response has no string \"ActionStatus\""};
  }
  const auto code = object.find("ErrorCode");
  if (code == object.end() || !code->is_number_integer()) {
    return Failure{"the response has no integer \"ErrorCode\""};
  }
  envelope.error_code = code->get<std::int64_t>();
  if (const auto info = object.find("ErrorInfo"); info != object.end()) {
    if (!info->is_string()) return Failure{"the response's \"ErrorInfo\" is not a string"};
    envelope.error_info = info->get<std::string>();
  }
  if (const auto id = object.find("RequestId"); id != object.end()) {
    if (!id->is_string()) return Failure{"the response's \"RequestId\" is not a string"};
    envelope.request_id = id->get<std::string>();
  }
  const std::string expected_status(envelope.actionStatus());
  if (status->get<std::string>() != expected_status) {
    return Failure{fmt::format("the response's ActionStatus \"{}\" contradicts ErrorCode {}",
                               status->get<std::string>(), envelope.error_code)};
  }
  if (const auto response = object.find("Response"); response != object.end()) {
    envelope.extra_members = "\"Response\":" + response->dump();
  }
  return envelope;
}

bool isWellFormedRequestId(std::string_view request_id) {
  constexpr std::string_view kPrefix = "Id-";
  constexpr std::string_view kMiddle = "-O-Seq-";
  if (request_id.size() <= kPrefix.size() + 32 + kMiddle.size()) return false;
  if (request_id.substr(0, kPrefix.size()) != kPrefix) return false;
  const auto hex = request_id.substr(kPrefix.size(), 32);
  for (const char c : hex) {
    if (!isLowerHex(c)) return false;
  }
  if (request_id.substr(kPrefix.size() + 32, kMiddle.size()) != kMiddle) return false;
  for (const char c : request_id.substr(kPrefix.size() + 32 + kMiddle.size())) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

RequestIdGenerator::RequestIdGenerator() {
  std::random_device device;
  key_ = (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

RequestIdGenerator::Issued RequestIdGenerator::next() {
  const std::uint64_t seq = seq_.fetch_add(1, std::memory_order_relaxed) + 1;
  // The hex part is a keyed mix of the sequence number: distinct for distinct seq, unguessable
  // across runs, and free of any lock or random-device call.
  const std::uint64_t high = splitmix64(key_ ^ seq);
  const std::uint64_t low = splitmix64(high ^ (seq * 0x2545f4914f6cdd1dULL));
  return {fmt::format("Id-{:016x}{:016x}-O-Seq-{}", high, low, seq), seq};
}

}  // namespace live::protocol
