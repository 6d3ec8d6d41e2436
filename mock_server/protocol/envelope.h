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

  bool ok() const { return error_code == 0; }
  std::string_view actionStatus() const { return ok() ? "OK" : "FAIL"; }
};

// Serialises in the seed's field order: ActionStatus, ErrorInfo, ErrorCode, RequestId.
std::string serializeEnvelope(const Envelope& envelope);

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
