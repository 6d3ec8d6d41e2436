// The vendor's response envelope (ActionStatus, ErrorInfo, ErrorCode, RequestId) and RequestIds.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/error_catalog.h"
#include "protocol/result.h"

namespace live::protocol {

struct Envelope {
  std::int64_t error_code = 0;  // 0 on success; kept wide so unknown codes from a server survive
  std::string error_info;       // empty on success
  std::string request_id;
  // Extra JSON members after RequestId, already serialised without braces (e.g. the newer
  // "Response":{...} form). Empty for the seed's four-field form.
  std::string extra_members;
  // Sends extra_members in the 2024 style too: a command's data ("Response") is part of both
  // pages; only destroy_room's Statistic is new in the current one.
  bool extra_members_in_every_style = false;
  // The IM commands' envelope (v4/im_open_login_svc/): ActionStatus, ErrorInfo, ErrorCode, then the
  // data at the top level, in either style, and no RequestId (the IM pages show none).
  bool im = false;

  bool ok() const { return error_code == 0; }
  std::string_view actionStatus() const { return ok() ? "OK" : "FAIL"; }
};

// The two shapes of the vendor's answer (docs/destroy_room.md, "The two response shapes").
enum class ResponseStyle {
  k2024,     // the 2024 page: ActionStatus, ErrorInfo, ErrorCode, RequestId; nothing else
  kCurrent,  // the page from 2025-11 on: ErrorCode, ErrorInfo, ActionStatus, RequestId, then
             // "Response" on success (and, chosen, the same order on failure)
};
std::optional<ResponseStyle> responseStyleFromString(std::string_view text);  // "2024", "current"
std::string_view toString(ResponseStyle style);

// Serialises in the style's member order. Extra members (the "Response" payload) are written in the
// current style, and in the 2024 style only with extra_members_in_every_style: the 2024 destroy_room
// page shows the four members alone.
std::string serializeEnvelope(const Envelope& envelope, ResponseStyle style = ResponseStyle::k2024);

// Parses a response body as the vendor sends it, in any field order. The failure names what is
// missing or malformed; an ActionStatus that contradicts ErrorCode is a failure too.
Result<Envelope> parseEnvelope(std::string_view body);

// True when `request_id` matches ^Id-[0-9a-f]{32}-O-Seq-[0-9]+$.
bool isWellFormedRequestId(std::string_view request_id);

// Issues RequestIds in the vendor's shape: unique per instance, with an increasing Seq part.
// Thread-safe.
class RequestIdGenerator {
 public:
  RequestIdGenerator();  // seeds the hex part from a random source

  struct Issued {
    std::string request_id;
    std::uint64_t seq;
  };
  Issued next();

 private:
  std::uint64_t key_;
  std::atomic<std::uint64_t> seq_{0};
};

}  // namespace live::protocol
