// The control calls the dashboard needs (docs/dashboard.md, docs/control-api.md): the page itself,
// the limiter's window, the recipes built into the binary, deleting one fault, the journal's newest
// entries, and the journal fields the page shows (error_name, handled_ms).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "http/embedded_files.h"
#include "http/two_app_config.h"
#include "testing/test_server.h"
#include "testing/vendor_request.h"

using namespace live;
using json = nlohmann::json;

namespace {

constexpr std::int64_t kNow = 1700000000;

struct Fixture {
  explicit Fixture(http::ServerSettings settings = {})
      : server(http::testing::twoAppConfig(), http::testing::frozenAtTestNow(), settings),
        client(server.client()) {}

  httplib::Result send(const std::string& method, const std::string& path, const std::string& body = {},
                       const httplib::Headers& headers = {}) {
    httplib::Request request;
    request.method = method;
    request.path = path;
    request.headers = headers;
    request.body = body;
    if (method != "GET") request.set_header("Content-Type", "application/json");
    return client->send(request);
  }
  json get(const std::string& path) {
    auto result = send("GET", path);
    REQUIRE(result);
    REQUIRE(result->status == 200);
    return json::parse(result->body);
  }
  int destroy(const std::string& room, const std::string& key = "emulator-secret-key") {
    return static_cast<int>(
        testing::send(*client, testing::destroyRoomRequest(88888888, "admin", key, room, kNow)).code());
  }

  testing::TestServer server;
  std::unique_ptr<httplib::Client> client;
};

}  // namespace

TEST_CASE("GET /__emulator/ui serves the page, its script and style, with a strict CSP") {
  Fixture fixture;
  for (const std::string path : {"/__emulator/ui", "/__emulator/ui/", "/__emulator/ui/index.html"}) {
    auto page = fixture.send("GET", path);
    REQUIRE(page);
    CHECK(page->status == 200);
    CHECK(page->get_header_value("Content-Type") == "text/html; charset=utf-8");
    CHECK(page->body.find("/__emulator/ui/dashboard.js") != std::string::npos);
    CHECK(page->get_header_value("Content-Security-Policy").find("frame-ancestors 'none'") != std::string::npos);
    CHECK(page->get_header_value("X-Content-Type-Options") == "nosniff");
  }
  auto script = fixture.send("GET", "/__emulator/ui/dashboard.js");
  REQUIRE(script);
  CHECK(script->status == 200);
  CHECK(script->get_header_value("Content-Type") == "text/javascript; charset=utf-8");
  auto style = fixture.send("GET", "/__emulator/ui/dashboard.css");
  REQUIRE(style);
  CHECK(style->get_header_value("Content-Type") == "text/css; charset=utf-8");
  // Byte for byte the files of mock_server/http/dashboard/.
  for (const auto& file : http::dashboardFiles()) {
    auto served = fixture.send("GET", "/__emulator/ui/" + std::string(file.name));
    REQUIRE(served);
    CHECK(served->body == file.bytes);
  }
  auto missing = fixture.send("GET", "/__emulator/ui/nope.js");
  REQUIRE(missing);
  CHECK(missing->status == 404);
}

TEST_CASE("the page is refused to other origins and hosts, and needs no token (the page asks for it)") {
  http::ServerSettings settings;
  settings.control.token = "s3cret";
  Fixture fixture(settings);
  auto page = fixture.send("GET", "/__emulator/ui");
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK(fixture.send("GET", "/__emulator/health")->status == 401);
  auto foreign = fixture.send("GET", "/__emulator/ui", {}, {{"Origin", "http://evil.example"}});
  REQUIRE(foreign);
  CHECK(foreign->status == 403);
  auto rebound = fixture.send("GET", "/__emulator/ui", {}, {{"Host", "attacker.example"}});
  REQUIRE(rebound);
  CHECK(rebound->status == 403);
}

TEST_CASE("GET /__emulator/limiter shows each app and API's calls in the last second against the limit") {
  Fixture fixture;
  for (int i = 0; i < 3; ++i) fixture.destroy("no-such-room");
  const auto limiter = fixture.get("/__emulator/limiter");
  bool seen = false;
  for (const auto& window : limiter["windows"]) {
    if (window["sdkappid"] == 88888888 && window["api"] == "destroy_room") {
      CHECK(window["in_window"] == 3);
      CHECK(window["limit"] == 200);
      seen = true;
    } else if (window["api"] == "destroy_room") {
      CHECK(window["in_window"] == 0);  // the other app's window is its own
    }
  }
  CHECK(seen);
  CHECK(limiter["now"] == Approx(kNow));
  fixture.send("POST", "/__emulator/clock", R"({"advance_seconds":1})");
  const auto later = fixture.get("/__emulator/limiter");  // kept: a loop over a temporary's member dangles
  for (const auto& window : later["windows"]) CHECK(window["in_window"] == 0);
}

TEST_CASE("GET /__emulator/scenarios lists every built-in recipe, and each applies as listed") {
  Fixture fixture;
  const auto recipes = fixture.get("/__emulator/scenarios")["scenarios"];
  REQUIRE(recipes.size() == http::scenarioRecipes().size());
  REQUIRE(recipes.size() >= 10);
  bool burst = false;
  for (const auto& recipe : recipes) {
    CAPTURE(recipe["name"]);
    CHECK_FALSE(recipe["description"].get<std::string>().empty());
    burst = burst || recipe["name"] == "rate-limit-burst";
    fixture.send("POST", "/__emulator/reset");
    auto applied = fixture.send("POST", "/__emulator/scenarios", recipe["scenario"].dump());
    REQUIRE(applied);
    CHECK(applied->status == 200);
  }
  CHECK(burst);
}

TEST_CASE("DELETE /__emulator/faults/{id} removes that rule only, then 404") {
  Fixture fixture;
  const std::string rule = R"({"api":"destroy_room","count":5,"action":{"error_code":100001}})";
  const auto first = json::parse(fixture.send("POST", "/__emulator/faults", rule)->body)["id"];
  const auto second = json::parse(fixture.send("POST", "/__emulator/faults", rule)->body)["id"];
  auto deleted = fixture.send("DELETE", "/__emulator/faults/" + first.dump());
  REQUIRE(deleted);
  CHECK(deleted->status == 200);
  const auto left = fixture.get("/__emulator/faults")["faults"];
  REQUIRE(left.size() == 1);
  CHECK(left[0]["id"] == second);
  auto again = fixture.send("DELETE", "/__emulator/faults/" + first.dump());
  REQUIRE(again);
  CHECK(again->status == 404);
  CHECK(json::parse(again->body)["error"].get<std::string>().find("no fault rule") != std::string::npos);
}

TEST_CASE("the journal's newest entries with last=M, and the fields the dashboard shows") {
  Fixture fixture;
  for (int i = 0; i < 5; ++i) fixture.destroy("room-" + std::to_string(i));
  fixture.destroy("room-5", "a-wrong-key");
  auto newest = fixture.get("/__emulator/requests?after_seq=0&last=2");
  REQUIRE(newest["requests"].size() == 2);
  CHECK(newest["requests"][0]["room_id"] == "room-4");
  CHECK(newest["requests"][0]["error_code"] == 100004);
  CHECK(newest["requests"][0]["error_name"] == "room_not_found");
  CHECK(newest["requests"][0]["response"]["handled_ms"].get<double>() >= 0.0);
  CHECK(newest["requests"][1]["error_name"] == "usersig_verification_failed");
  // The cursor moves past everything recorded: nothing new on the next poll.
  const auto cursor = newest["last_seq"];
  CHECK(cursor == newest["requests"][1]["seq"]);
  CHECK(fixture.get("/__emulator/requests?after_seq=" + cursor.dump() + "&last=2")["requests"].empty());
  fixture.destroy("room-6");
  const auto next = fixture.get("/__emulator/requests?after_seq=" + cursor.dump() + "&last=2");
  REQUIRE(next["requests"].size() == 1);
  CHECK(next["requests"][0]["room_id"] == "room-6");
  for (const char* bad : {"last=0", "last=x", "last=2&limit=2"}) {
    auto refused = fixture.send("GET", std::string("/__emulator/requests?") + bad);
    REQUIRE(refused);
    CHECK(refused->status == 400);
  }
}

TEST_CASE("GET /__emulator/apps names each app's root admin (the owner the dashboard's rooms get)") {
  Fixture fixture;
  const auto apps = fixture.get("/__emulator/apps");
  for (const auto& app : apps["apps"]) CHECK_FALSE(app["root_admin"].get<std::string>().empty());
}
