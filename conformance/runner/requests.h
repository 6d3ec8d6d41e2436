// A vendor-API request built from a server fixture's description, for a given caller.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "suites.h"

namespace live::conformance {

// Who calls: the app and identifier the query names unless the fixture sets others, and the key
// for each app's UserSig. With room_id, every RoomId of 1..48 bytes in a body is replaced by it.
struct Caller {
  std::uint32_t sdkappid = 0;
  std::string identifier;
  std::function<std::string(std::uint32_t)> key_of;
  std::optional<std::string> room_id;
};
Caller fixtureCaller(const FixtureApps& apps);

struct BuiltRequest {
  std::string method;
  std::string target;
  std::string body;
  std::string content_type;
};
BuiltRequest build(const nlohmann::json& request, const Caller& caller, std::int64_t now);

}  // namespace live::conformance
