// Test support: a vendor-API request that tests can break one part at a time (a parameter
// removed, repeated or changed; another method, path or body), then send.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "protocol/endpoints.h"
#include "protocol/envelope.h"
#include "protocol/usersig.h"

namespace live::testing {

struct VendorRequest {
  std::string method = "POST";
  std::string path = protocol::kDestroyRoomPath;
  std::vector<std::pair<std::string, std::string>> query;
  std::string body;

  // Replaces every occurrence of `name` with one `value` (appends if absent).
  VendorRequest& set(const std::string& name, const std::string& value);
  VendorRequest& remove(const std::string& name);
  // Adds another occurrence of `name`.
  VendorRequest& add(const std::string& name, const std::string& value);
  VendorRequest& withBody(std::string text);
  // "path?query", every name and value percent-encoded.
  std::string target() const;
};

// A valid destroy_room request: UserSig for `identifier` signed with `secret_key`, issued at
// `issued_at` with `expire` seconds of validity.
VendorRequest destroyRoomRequest(std::uint32_t sdkappid, const std::string& identifier,
                                 const std::string& secret_key, const std::string& room_id,
                                 std::int64_t issued_at, std::int64_t expire = 86400);

// The vendor's sample request against the embedded default config (app 88888888, admin "admin").
VendorRequest sampleRequest(std::int64_t issued_at);

struct VendorResponse {
  int http_status = 0;          // 0 when no HTTP answer came
  std::string body;
  std::string content_type;
  std::optional<protocol::Envelope> envelope;  // when the body parsed as one
  std::int64_t code() const { return envelope ? envelope->error_code : -1; }
  std::string info() const { return envelope ? envelope->error_info : std::string(); }
};

VendorResponse send(httplib::Client& client, const VendorRequest& request);

}  // namespace live::testing
