// openapi.json against the code: every control route the server registers is described, every
// described control path is registered, and the vendor paths are exactly the emulated APIs'.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <set>

#include "domain/api/api_catalog.h"
#include "http/control_api.h"
#include "http/embedded_files.h"
#include "http/two_app_config.h"

using namespace live;
using json = nlohmann::json;

namespace {

// "/__emulator/rooms/([0-9]+)/(.+)/members" and "/__emulator/rooms/{sdkappid}/{room_id}/members"
// both become "/__emulator/rooms/{}/{}/members".
std::string normalised(const std::string& path) {
  std::string out;
  for (std::size_t i = 0; i < path.size(); ++i) {
    const char open = path[i];
    if (open != '(' && open != '{') {
      out += open;
      continue;
    }
    const char close = open == '(' ? ')' : '}';
    i = path.find(close, i);
    out += "{}";
  }
  return out;
}

std::set<std::string> described(const std::string& prefix) {
  const json document = json::parse(http::openapiFiles().front().bytes);
  std::set<std::string> out;
  for (const auto& [path, operations] : document["paths"].items()) {
    if (path.rfind(prefix, 0) != 0) continue;
    for (const auto& [method, operation] : operations.items()) {
      std::string upper = method;
      for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out.insert(upper + " " + normalised(path));
    }
  }
  return out;
}

}  // namespace

TEST_CASE("normalised paths: regex groups and OpenAPI parameters compare equal") {
  CHECK(normalised("/__emulator/rooms/([0-9]+)/(.+)/members") == "/__emulator/rooms/{}/{}/members");
  CHECK(normalised("/__emulator/rooms/{sdkappid}/{room_id}/members") == "/__emulator/rooms/{}/{}/members");
  CHECK(normalised("/__emulator/faults") == "/__emulator/faults");
}

TEST_CASE("every control route is in openapi.json, and every control path there is a route") {
  domain::Emulator emulator(http::testing::twoAppConfig(), http::testing::frozenAtTestNow());
  httplib::Server server;
  std::set<std::string> registered;
  for (const auto& route : http::installControlApi(server, emulator, {})) {
    registered.insert(route.method + " " + normalised(route.pattern));
  }
  const auto documented = described("/__emulator");
  for (const auto& route : registered) {
    CAPTURE(route);
    CHECK(documented.count(route) == 1);
  }
  for (const auto& path : documented) {
    CAPTURE(path);
    CHECK(registered.count(path) == 1);
  }
  CHECK(registered.size() >= 25);
}

TEST_CASE("openapi.json's vendor paths are exactly the emulated APIs', each a POST") {
  std::set<std::string> apis;
  for (const auto* api : domain::emulatedApis()) apis.insert("POST " + std::string(api->path()));
  CHECK(described("/v4/") == apis);
}
