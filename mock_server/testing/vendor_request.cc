// VendorRequest: builds raw targets so tests control exactly what goes on the wire.
#include "testing/vendor_request.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

namespace live::testing {
namespace {

std::string percentEncode(const std::string& text) {
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '*') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

}  // namespace

VendorRequest& VendorRequest::set(const std::string& name, const std::string& value) {
  const auto first = std::find_if(query.begin(), query.end(),
                                  [&](const auto& entry) { return entry.first == name; });
  if (first == query.end()) {
    query.emplace_back(name, value);
    return *this;
  }
  first->second = value;
  query.erase(std::remove_if(std::next(first), query.end(),
                             [&](const auto& entry) { return entry.first == name; }),
              query.end());
  return *this;
}

VendorRequest& VendorRequest::remove(const std::string& name) {
  query.erase(std::remove_if(query.begin(), query.end(),
                             [&](const auto& entry) { return entry.first == name; }),
              query.end());
  return *this;
}

VendorRequest& VendorRequest::add(const std::string& name, const std::string& value) {
  query.emplace_back(name, value);
  return *this;
}

VendorRequest& VendorRequest::withBody(std::string text) {
  body = std::move(text);
  return *this;
}

std::string VendorRequest::target() const {
  std::string target = path;
  for (std::size_t i = 0; i < query.size(); ++i) {
    target += i == 0 ? '?' : '&';
    target += percentEncode(query[i].first) + "=" + percentEncode(query[i].second);
  }
  return target;
}

VendorRequest destroyRoomRequest(std::uint32_t sdkappid, const std::string& identifier,
                                 const std::string& secret_key, const std::string& room_id,
                                 std::int64_t issued_at, std::int64_t expire) {
  VendorRequest request;
  const std::string usersig =
      protocol::generateUserSig({sdkappid, secret_key, identifier, issued_at, expire, std::nullopt});
  request.query = {{"sdkappid", std::to_string(sdkappid)},
                   {"identifier", identifier},
                   {"usersig", usersig},
                   {"random", "99999999"},
                   {"contenttype", "json"}};
  request.body = nlohmann::json{{"RoomId", room_id}}.dump();
  return request;
}

VendorRequest sampleRequest(std::int64_t issued_at) {
  return destroyRoomRequest(88888888, "admin", "emulator-secret-key", "live-room", issued_at);
}

VendorResponse send(httplib::Client& client, const VendorRequest& request) {
  httplib::Request raw;
  raw.method = request.method;
  raw.path = request.target();
  raw.body = request.body;
  if (!request.body.empty() || request.method == "POST") {
    raw.set_header("Content-Type", "application/json");
  }
  VendorResponse response;
  auto result = client.send(raw);
  if (!result) return response;
  response.http_status = result->status;
  response.body = result->body;
  response.content_type = result->get_header_value("Content-Type");
  auto envelope = protocol::parseEnvelope(result->body);
  if (envelope) response.envelope = std::move(envelope).value();
  return response;
}

}  // namespace live::testing
