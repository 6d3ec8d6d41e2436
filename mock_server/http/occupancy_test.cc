// Occupancy and self-dissolving rooms over the control API (docs/control-api.md, "Occupancy and
// self-dissolving rooms"): members enter and leave, the owner's heartbeat, the app's rules, and the
// clock that dissolves a room the moment its time comes.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "testing/test_server.h"
#include "testing/vendor_request.h"

using namespace live;
using json = nlohmann::json;

namespace {

constexpr std::int64_t kNow = 1700000000;
constexpr std::uint32_t kApp = 88888888;

domain::EmulatorOptions frozen() {
  domain::EmulatorOptions options;
  options.frozen_clock = domain::Instant(std::chrono::seconds(kNow));
  return options;
}

struct Fixture {
  testing::TestServer server{domain::embeddedDefaultConfig(), frozen()};
  std::unique_ptr<httplib::Client> client = server.client();

  std::pair<int, json> post(const std::string& path, const json& body) {
    const auto result = client->Post(path, body.dump(), "application/json");
    REQUIRE(result);
    return {result->status, json::parse(result->body, nullptr, false)};
  }
  std::pair<int, json> members(const json& events, const std::string& room = "live-room") {
    return post("/__emulator/rooms/88888888/" + room + "/members", events);
  }
  void advance(double seconds) { REQUIRE(post("/__emulator/clock", {{"advance_seconds", seconds}}).first == 200); }
  std::int64_t destroy(const std::string& room) {
    return testing::send(*client, testing::destroyRoomRequest(kApp, "admin", "emulator-secret-key", room, kNow))
        .code();
  }
  bool exists(const std::string& room) {
    const auto listed = json::parse(client->Get("/__emulator/rooms?sdkappid=88888888")->body);
    for (const auto& entry : listed["rooms"]) {
      if (entry["room_id"] == room) return true;
    }
    return false;
  }
};

}  // namespace

TEST_CASE("members enter and leave: TotalViewers counts entries, an emptied room dissolves after 30 min") {
  Fixture fixture;
  auto [status, view] = fixture.members({{"enter", {"alice", "bob"}}});
  CHECK(status == 200);
  CHECK(view["members"].size() == 2);
  CHECK(view["room"]["statistic"]["TotalViewers"] == 2);
  CHECK(view["dissolves_at"].is_null());
  // Entering while inside is not a new entry; leaving and coming back is.
  fixture.members({{"enter", {"alice"}}});
  fixture.members({{"leave", {"bob"}}});
  std::tie(status, view) = fixture.members({{"enter", {"bob"}}});
  CHECK(view["room"]["statistic"]["TotalViewers"] == 3);
  std::tie(status, view) = fixture.members({{"leave", {"alice", "bob"}}});
  CHECK(view["members"].empty());
  CHECK(view["empty_since"] == kNow);
  CHECK(view["dissolves_at"] == kNow + 1800);
  CHECK(view["dissolve_reason"] == "empty_room");

  fixture.advance(1799.5);
  CHECK(fixture.exists("live-room"));
  fixture.advance(0.5);
  CHECK_FALSE(fixture.exists("live-room"));
  CHECK(fixture.destroy("live-room") == 100004);
  // The journal has the system's own entry, at the instant it happened, then the call.
  const auto journal = json::parse(fixture.client->Get("/__emulator/requests")->body)["requests"];
  REQUIRE(journal.size() == 2);
  CHECK(journal[0]["event"] == "DestroyBySystem");
  CHECK(journal[0]["reason"] == "empty_room");
  CHECK(journal[0]["room_id"] == "live-room");
  CHECK(journal[0]["time"] == kNow + 1800);
  CHECK(journal[1]["error_code"] == 100004);
}

TEST_CASE("a room with a robot member never dissolves by itself") {
  Fixture fixture;
  fixture.members({{"enter", {"alice", {{"id", "bot-1"}, {"robot", true}}}}});
  const auto [status, view] = fixture.members({{"leave", {"alice"}}});
  CHECK(view["dissolves_at"].is_null());
  fixture.advance(48 * 3600);
  CHECK(fixture.exists("live-room"));
}

TEST_CASE("the owner's heartbeat: lost for 10 min dissolves, restored in time does not") {
  Fixture fixture;
  fixture.members({{"enter", {"admin", "viewer"}}, {"owner_heartbeat", "lost"}});
  fixture.advance(300);
  const auto [status, view] = fixture.members({{"owner_heartbeat", "restored"}});
  CHECK(view["dissolves_at"].is_null());
  fixture.advance(3600);
  CHECK(fixture.exists("live-room"));
  fixture.members({{"owner_heartbeat", "lost"}});
  fixture.advance(600);
  CHECK_FALSE(fixture.exists("live-room"));
  const auto journal = json::parse(fixture.client->Get("/__emulator/requests")->body)["requests"];
  REQUIRE(journal.size() == 1);
  CHECK(journal[0]["reason"] == "owner_heartbeat_lost");
}

TEST_CASE("owner left: off by default, on by scenario, and the owner's return cancels it") {
  Fixture fixture;
  fixture.members({{"enter", {"admin", "viewer"}}});
  fixture.members({{"leave", {"admin"}}});
  fixture.advance(3600);
  CHECK(fixture.exists("live-room"));  // the rule is off by default
  REQUIRE(fixture.post("/__emulator/scenarios",
                       {{"apps", {{{"sdkappid", kApp}, {"auto_dissolve", {{"owner_left", {{"enabled", true}, {"minutes", 2}}}}}}}}})
              .first == 200);
  // The owner left an hour ago: with the rule on, that is long past, so the room goes now.
  CHECK_FALSE(fixture.exists("live-room"));

  REQUIRE(fixture.post("/__emulator/rooms", {{"sdkappid", kApp}, {"room_id", "again"}, {"owner", "admin"}}).first == 201);
  fixture.members({{"enter", {"admin", "viewer"}}}, "again");
  fixture.members({{"leave", {"admin"}}}, "again");
  fixture.advance(60);
  fixture.members({{"enter", {"admin"}}}, "again");  // back within 2 min
  fixture.advance(600);
  CHECK(fixture.exists("again"));
  const auto apps = json::parse(fixture.client->Get("/__emulator/apps")->body)["apps"];
  CHECK(apps[0]["auto_dissolve"]["owner_left"] == json{{"enabled", true}, {"minutes", 2}});
  CHECK(apps[0]["auto_dissolve"]["empty_room"] == json{{"minutes", 30}});
}

TEST_CASE("bad member events and rules are 400 naming the field, unknown rooms 404") {
  Fixture fixture;
  for (const auto& [body, field] : std::vector<std::pair<json, std::string>>{
           {{{"enter", "alice"}}, "members.enter"},
           {{{"enter", {""}}}, "members.enter[0]"},
           {{{"enter", {{{"id", "x"}, {"robot", "yes"}}}}}, "members.enter[0].robot"},
           {{{"owner_heartbeat", "gone"}}, "members.owner_heartbeat"},
           {{{"join", {"a"}}}, "members.join"}}) {
    const auto [status, answer] = fixture.members(body);
    CHECK(status == 400);
    CHECK_THAT(answer["error"].get<std::string>(), Catch::Contains(field));
  }
  CHECK(fixture.members({{"enter", {"a"}}}, "no-such-room").first == 404);
  for (const auto& [rules, field] : std::vector<std::pair<json, std::string>>{
           {{{"empty_room", {{"minutes", 5}}}}, "apps[0].auto_dissolve.empty_room.minutes"},
           {{{"empty_room", {{"enabled", false}}}}, "apps[0].auto_dissolve.empty_room.enabled"},
           {{{"owner_left", {{"minutes", 721}}}}, "apps[0].auto_dissolve.owner_left.minutes"},
           {{{"owner_gone", {}}}, "apps[0].auto_dissolve.owner_gone"}}) {
    const auto [status, answer] = fixture.post(
        "/__emulator/scenarios", {{"apps", {{{"sdkappid", kApp}, {"auto_dissolve", rules}}}}});
    CHECK(status == 400);
    CHECK_THAT(answer["error"].get<std::string>(), Catch::Contains(field));
  }
  // Member events for a room that neither exists nor is added: refused, nothing applied.
  const auto [status, answer] = fixture.post(
      "/__emulator/scenarios", {{"rooms", {{{"sdkappid", kApp}, {"room_id", "extra"}, {"owner", "admin"}}}},
                                {"members", {{{"sdkappid", kApp}, {"room_id", "ghost"}, {"enter", {"a"}}}}}});
  CHECK(status == 400);
  CHECK_THAT(answer["error"].get<std::string>(), Catch::Contains("members[0].room_id"));
  CHECK_FALSE(fixture.exists("extra"));
}
