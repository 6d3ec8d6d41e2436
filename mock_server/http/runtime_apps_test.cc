// Apps added at run time, the calls scoped to one app, and verification (docs/control-api.md, "Apps
// at run time" and "Verification"), over HTTP: what parallel tests rely on to keep apart.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <future>
#include <nlohmann/json.hpp>

#include "http/two_app_config.h"
#include "testing/test_server.h"
#include "testing/vendor_request.h"

using namespace live;
using json = nlohmann::json;

namespace {

constexpr std::int64_t kNow = 1700000000;

struct Control {
  int status = 0;
  json body;
};

struct Fixture {
  Fixture() : server(http::testing::twoAppConfig(), http::testing::frozenAtTestNow()), client(server.client()) {}

  Control control(const std::string& method, const std::string& path, const json& body = nullptr,
                  httplib::Client* through = nullptr) {
    httplib::Request request;
    request.method = method;
    request.path = path;
    if (!body.is_null()) request.body = body.dump();
    if (method != "GET") request.set_header("Content-Type", "application/json");
    auto result = (through != nullptr ? through : client.get())->send(request);
    Control answer;
    if (!result) return answer;
    answer.status = result->status;
    answer.body = json::parse(result->body, nullptr, false);
    return answer;
  }
  // An app of its own, with room "live-room" owned by its App admin "admin".
  json addApp(json app = json::object()) {
    if (!app.contains("admins")) app["admins"] = {"admin"};
    if (!app.contains("rooms")) app["rooms"] = json::array({{{"room_id", "live-room"}, {"owner", "admin"}}});
    const auto answer = control("POST", "/__emulator/apps", app);
    REQUIRE(answer.status == 201);
    return answer.body;
  }
  std::int64_t destroy(const json& app, const std::string& room = "live-room") {
    return testing::send(*client, testing::destroyRoomRequest(app["sdkappid"].get<std::uint32_t>(), "admin",
                                                              app["secret_key"].get<std::string>(), room, kNow))
        .code();
  }
  json verify(json body) { return control("POST", "/__emulator/verify", body).body; }

  testing::TestServer server;
  std::unique_ptr<httplib::Client> client;
};

std::string path(const char* base, const json& app) { return fmt::format("{}?sdkappid={}", base, app["sdkappid"].get<std::uint32_t>()); }

}  // namespace

TEST_CASE("POST /__emulator/apps adds an app that the vendor API serves, and DELETE removes it") {
  Fixture fixture;
  const json app = fixture.addApp();
  CHECK(app["sdkappid"] == 1'900'000'001);  // chosen: counted from 1900000001
  CHECK(app["secret_key"].get<std::string>().size() == 64);
  CHECK(app["added_at_run_time"] == true);
  const json second = fixture.addApp();
  CHECK(second["sdkappid"] == 1'900'000'002);
  CHECK(second["secret_key"] != app["secret_key"]);

  CHECK(fixture.destroy(app) == 0);
  CHECK(fixture.destroy(app) == 100004);  // its room is gone, the other app's is not
  CHECK(fixture.destroy(second) == 0);

  const auto listed = fixture.control("GET", "/__emulator/apps").body["apps"];
  CHECK(listed.size() == 4);  // the two configured apps, then the two added
  CHECK(listed[2]["sdkappid"] == 1'900'000'001);
  CHECK_FALSE(listed[2].contains("secret_key"));

  CHECK(fixture.control("DELETE", "/__emulator/apps/1900000001").status == 200);
  CHECK(fixture.destroy(app) == 70020);  // no such app any more
  CHECK(fixture.control("DELETE", "/__emulator/apps/1900000001").status == 404);
  const auto configured = fixture.control("DELETE", "/__emulator/apps/88888888");
  CHECK(configured.status == 409);
  CHECK_THAT(configured.body["error"].get<std::string>(), Catch::Contains("only apps added with POST /__emulator/apps"));
}

TEST_CASE("POST /__emulator/apps refuses a bad app naming the member, and an id in use") {
  Fixture fixture;
  const auto taken = fixture.control("POST", "/__emulator/apps", json{{"sdkappid", 88888888}});
  CHECK(taken.status == 409);
  CHECK(taken.body["error"] == "app.sdkappid: app 88888888 exists already");
  const auto bad_room = fixture.control("POST", "/__emulator/apps", json{{"rooms", json::array({{{"room_id", ""}}})}});
  CHECK(bad_room.status == 400);
  CHECK_THAT(bad_room.body["error"].get<std::string>(), Catch::StartsWith("app.rooms[0].room_id"));
  const auto unknown = fixture.control("POST", "/__emulator/apps", json{{"colour", "red"}});
  CHECK(unknown.status == 400);
  CHECK_THAT(unknown.body["error"].get<std::string>(), Catch::Contains("colour"));
  const auto given = fixture.control("POST", "/__emulator/apps", json{{"sdkappid", 1400000123}, {"secret_key", "k"}});
  CHECK(given.status == 201);
  CHECK(given.body["secret_key"] == "k");
}

TEST_CASE("A reset scoped to one app returns its rooms, faults, journal and rate windows, and no other app's") {
  Fixture fixture;
  const json mine = fixture.addApp();
  const json theirs = fixture.addApp();
  for (const json& app : {mine, theirs}) {
    REQUIRE(fixture.control("POST", "/__emulator/faults",
                            json{{"api", "destroy_room"}, {"sdkappid", app["sdkappid"]}, {"action", {{"error_code", 100001}}}, {"count", 5}})
                .status == 201);
    CHECK(fixture.destroy(app) == 100001);
  }
  REQUIRE(fixture.control("POST", path("/__emulator/reset", mine)).status == 200);

  CHECK(fixture.control("GET", path("/__emulator/faults", mine)).body["faults"].empty());
  CHECK(fixture.control("GET", path("/__emulator/faults", theirs)).body["faults"].size() == 1);
  CHECK(fixture.control("GET", path("/__emulator/requests", mine)).body["requests"].empty());
  CHECK(fixture.control("GET", path("/__emulator/requests", theirs)).body["requests"].size() == 1);
  const auto windows = [&](const json& app) {
    std::uint64_t used = 0;
    const json limiter = fixture.control("GET", path("/__emulator/limiter", app)).body;
    for (const auto& window : limiter["windows"]) used += window["in_window"].get<std::uint64_t>();
    return used;
  };
  CHECK(windows(mine) == 0);
  CHECK(windows(theirs) == 1);
  CHECK(fixture.destroy(mine) == 0);        // its room is back and its fault gone
  CHECK(fixture.destroy(theirs) == 100001);  // still the other test's fault
  // A global reset removes the apps added at run time.
  REQUIRE(fixture.control("POST", "/__emulator/reset").status == 200);
  CHECK(fixture.control("GET", "/__emulator/apps").body["apps"].size() == 2);
  CHECK(fixture.control("POST", path("/__emulator/reset", mine)).status == 404);
}

TEST_CASE("Scoped DELETEs of faults, the journal and callbacks leave other apps' alone") {
  Fixture fixture;
  const json mine = fixture.addApp();
  const json theirs = fixture.addApp();
  for (const json& app : {mine, theirs}) {
    fixture.control("POST", "/__emulator/faults", json{{"api", "destroy_room"}, {"sdkappid", app["sdkappid"]}, {"action", {{"error_code", 100001}}}});
    fixture.destroy(app);
  }
  fixture.control("POST", "/__emulator/faults", json{{"api", "destroy_room"}, {"action", {{"error_code", 100001}}}});  // every app's
  CHECK(fixture.control("DELETE", path("/__emulator/requests", mine)).status == 200);
  CHECK(fixture.control("DELETE", path("/__emulator/faults", mine)).status == 200);
  CHECK(fixture.control("DELETE", path("/__emulator/callbacks", mine)).status == 200);
  CHECK(fixture.control("GET", "/__emulator/requests").body["requests"].size() == 1);
  CHECK(fixture.control("GET", "/__emulator/faults").body["faults"].size() == 1);  // the rule for every app stays
  CHECK(fixture.control("DELETE", "/__emulator/requests?sdkappid=42").status == 404);
}

TEST_CASE("An app's own clock moves its UserSigs and its self-dissolving rooms, and no other app's") {
  Fixture fixture;
  const json mine = fixture.addApp();
  const json theirs = fixture.addApp();
  for (const json& app : {mine, theirs}) {
    const auto room = fmt::format("/__emulator/rooms/{}/live-room/members", app["sdkappid"].get<std::uint32_t>());
    REQUIRE(fixture.control("POST", room, json{{"enter", {"alice"}}}).status == 200);
    REQUIRE(fixture.control("POST", room, json{{"leave", {"alice"}}}).status == 200);
  }
  // 30 minutes empty dissolves a room (the default rule); only my app's time passes.
  const auto moved = fixture.control("POST", path("/__emulator/clock", mine), json{{"advance_seconds", 1800}});
  REQUIRE(moved.status == 200);
  CHECK(moved.body["ahead_seconds"] == 1800.0);
  CHECK(moved.body["now"] == kNow + 1800.0);
  CHECK(fixture.control("GET", path("/__emulator/rooms", mine)).body["rooms"].empty());
  CHECK(fixture.control("GET", path("/__emulator/rooms", theirs)).body["rooms"].size() == 1);
  // A day later for my app only: my UserSig (valid 86400 s from kNow) expired, theirs did not.
  fixture.control("POST", path("/__emulator/clock", mine), json{{"advance_seconds", 86400}});
  CHECK(fixture.destroy(mine) == 70001);
  CHECK(fixture.destroy(theirs) == 0);
  // The app's clock only moves forward.
  const auto frozen = fixture.control("POST", path("/__emulator/clock", mine), json{{"now", 1}});
  CHECK(frozen.status == 400);
  CHECK_THAT(frozen.body["error"].get<std::string>(), Catch::Contains("only moves forward"));
  // Its reset brings its time back to the emulator's.
  fixture.control("POST", path("/__emulator/reset", mine));
  CHECK(fixture.control("GET", path("/__emulator/clock", mine)).body["ahead_seconds"] == 0.0);
}

TEST_CASE("verify counts matching calls and shows every call seen when it fails") {
  Fixture fixture;
  const json app = fixture.addApp();
  const auto id = app["sdkappid"];
  fixture.control("POST", "/__emulator/faults", json{{"api", "destroy_room"}, {"sdkappid", id}, {"action", {{"error_code", 100001}}}, {"count", 2}});
  CHECK(fixture.destroy(app) == 100001);
  CHECK(fixture.destroy(app) == 100001);
  CHECK(fixture.destroy(app) == 0);

  const json where{{"api", "destroy_room"}, {"room_id", "live-room"}};
  CHECK(fixture.verify({{"sdkappid", id}, {"where", where}, {"count", 3}})["ok"] == true);
  CHECK(fixture.verify({{"sdkappid", id}, {"where", where}, {"at_least", 2}, {"at_most", 3}})["ok"] == true);
  CHECK(fixture.verify({{"sdkappid", id}, {"where", {{"error_code", 0}}}, {"count", 1}})["calls"].size() == 1);
  CHECK(fixture.verify({{"sdkappid", id}, {"where", {{"api", "create_room"}}}, {"count", 0}})["ok"] == true);
  // Calls of another app do not count.
  CHECK(fixture.verify({{"sdkappid", 88888888}, {"where", where}, {"count", 0}})["ok"] == true);

  const json failed = fixture.verify({{"sdkappid", id}, {"where", where}, {"count", 2}});
  CHECK(failed["ok"] == false);
  CHECK(failed["matched"] == 3);
  const std::string expected = fmt::format(
      "expected exactly 2 calls matching api=destroy_room RoomId=\"live-room\" in app {0}, found 3\n"
      "calls seen in app {0} (3), > marks a match:\n"
      "> #1 POST destroy_room  RoomId=\"live-room\"  ErrorCode=100001  fault 1 (error_code 100001)\n"
      "> #2 POST destroy_room  RoomId=\"live-room\"  ErrorCode=100001  fault 1 (error_code 100001)\n"
      "> #3 POST destroy_room  RoomId=\"live-room\"  ErrorCode=0\n",
      id.get<std::uint32_t>());
  CHECK(failed["message"] == expected);
  const json never = fixture.verify({{"sdkappid", id}, {"where", {{"error_code", 0}}}, {"count", 0}});
  CHECK_THAT(never["message"].get<std::string>(), Catch::StartsWith("expected no call matching ErrorCode=0"));
}

TEST_CASE("verify with a sequence finds the steps in order, strict or not") {
  Fixture fixture;
  const json app = fixture.addApp();
  const auto id = app["sdkappid"];
  fixture.control("POST", "/__emulator/faults", json{{"api", "destroy_room"}, {"sdkappid", id}, {"action", {{"error_code", 100001}}}});
  fixture.destroy(app, "other-room");  // 100001 (the fault takes any room)
  fixture.destroy(app, "other-room");  // 100004
  fixture.destroy(app);                // 0
  const json fault_then_ok = json::array({{{"error_code", 100001}}, {{"error_code", 0}}});
  CHECK(fixture.verify({{"sdkappid", id}, {"sequence", fault_then_ok}})["ok"] == true);
  const json strict = fixture.verify({{"sdkappid", id}, {"sequence", fault_then_ok}, {"strict", true}});
  CHECK(strict["ok"] == false);
  CHECK_THAT(strict["message"].get<std::string>(), Catch::Contains("with other calls between them"));
  CHECK(fixture.verify({{"sdkappid", id}, {"sequence", json::array({{{"error_code", 100004}}, {{"error_code", 0}}})}, {"strict", true}})["ok"] == true);
  const json backwards = fixture.verify({{"sdkappid", id}, {"sequence", json::array({{{"error_code", 0}}, {{"error_code", 100001}}})}});
  CHECK(backwards["ok"] == false);
  CHECK_THAT(backwards["message"].get<std::string>(),
             Catch::Contains("  1. ErrorCode=0  found #3\n- 2. ErrorCode=100001  missing after #3\n"));
}

TEST_CASE("verify refuses malformed verifications naming the member") {
  Fixture fixture;
  const auto refused = [&](const json& body) {
    const auto answer = fixture.control("POST", "/__emulator/verify", body);
    CHECK(answer.status == 400);
    return answer.body["error"].get<std::string>();
  };
  CHECK_THAT(refused(json::object()), Catch::Contains("give \"where\""));
  CHECK_THAT(refused({{"where", {{"colour", 1}}}}), Catch::StartsWith("where.colour: unknown member"));
  CHECK_THAT(refused({{"where", json::object()}, {"count", 1}, {"at_least", 1}}), Catch::StartsWith("count:"));
  CHECK_THAT(refused({{"where", json::object()}, {"wait_ms", 60001}}), Catch::StartsWith("wait_ms:"));
  CHECK_THAT(refused({{"sequence", json::array({{{"api", "Live.CallbackAfterDestroyRoom"}}, {{"api", "destroy_room"}}})}}),
             Catch::Contains("either calls or callbacks"));
  CHECK(fixture.control("POST", "/__emulator/verify", json{{"sdkappid", 42}, {"where", json::object()}}).status == 404);
}

TEST_CASE("verify with wait_ms answers once the call arrives, and after the wait when it does not") {
  Fixture fixture;
  const json app = fixture.addApp();
  const auto id = app["sdkappid"];
  auto waiting_client = fixture.server.client();
  auto waiting = std::async(std::launch::async, [&] {
    return fixture.control("POST", "/__emulator/verify",
                           json{{"sdkappid", id}, {"where", {{"api", "destroy_room"}}}, {"at_least", 1}, {"wait_ms", 60000}},
                           waiting_client.get());
  });
  CHECK(fixture.destroy(app) == 0);  // whether the wait began before or after, it holds now
  const auto answer = waiting.get();
  CHECK(answer.body["ok"] == true);
  CHECK(answer.body["matched"] == 1);

  const json late = fixture.verify({{"sdkappid", id}, {"where", {{"api", "create_room"}}}, {"wait_ms", 50}});
  CHECK(late["ok"] == false);
  CHECK_THAT(late["message"].get<std::string>(), Catch::StartsWith("after waiting 50 ms, expected at least 1 call"));
  // A count already exceeded cannot come right by waiting: answered at once.
  const json exceeded = fixture.verify({{"sdkappid", id}, {"where", {{"api", "destroy_room"}}}, {"count", 0}, {"wait_ms", 60000}});
  CHECK(exceeded["ok"] == false);
  CHECK_THAT(exceeded["message"].get<std::string>(), Catch::StartsWith("expected no call"));
}

TEST_CASE("Stopping the server ends a verification that waits") {
  Fixture fixture;
  auto waiting_client = fixture.server.client();
  auto waiting = std::async(std::launch::async, [&] {
    return fixture.control("POST", "/__emulator/verify", json{{"where", {{"api", "create_room"}}}, {"wait_ms", 60000}},
                           waiting_client.get());
  });
  // Once the verification is waiting, stop: it must answer long before its 60 s.
  fixture.server.emulator().stopWaiting();
  const auto answer = waiting.get();
  CHECK(answer.body["ok"] == false);
}
