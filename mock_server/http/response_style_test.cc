// The two response shapes (docs/destroy_room.md, "The two response shapes") over HTTP: per app in
// the config and by scenario; the room's five counters, set by config, control API and scenario,
// reported by the current shape on success; failures in the current member order.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "testing/test_server.h"
#include "testing/vendor_request.h"

using namespace live;
using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

namespace {

constexpr std::int64_t kNow = 1700000000;
constexpr std::uint32_t kOld = 1400000000;      // response_style "2024" (the default)
constexpr std::uint32_t kCurrent = 1400000001;  // response_style "current"

domain::EmulatorConfig config() {
  return domain::parseConfig(R"({
    "apps": [{"sdkappid": 1400000000, "secret_key": "key-old", "admins": ["admin"]},
             {"sdkappid": 1400000001, "secret_key": "key-current", "admins": ["admin"],
              "response_style": "current"}],
    "rooms": [{"sdkappid": 1400000000, "room_id": "room", "owner": "admin",
               "statistic": {"TotalViewers": 7, "TotalLikesReceived": 3}},
              {"sdkappid": 1400000001, "room_id": "room", "owner": "admin",
               "statistic": {"TotalViewers": 12, "TotalGiftsSent": 4, "TotalGiftCoins": 400,
                             "TotalUniqueGiftSenders": 2, "TotalLikesReceived": 99}},
              {"sdkappid": 1400000001, "room_id": "quiet", "owner": "admin"}]
  })").value();
}

domain::EmulatorOptions frozen() {
  domain::EmulatorOptions options;
  options.frozen_clock = domain::Instant(std::chrono::seconds(kNow));
  return options;
}

std::string keyOf(std::uint32_t sdkappid) { return sdkappid == kCurrent ? "key-current" : "key-old"; }

std::vector<std::string> memberNames(const std::string& body) {
  std::vector<std::string> names;
  const auto parsed = ordered_json::parse(body);
  for (const auto& [name, value] : parsed.items()) names.push_back(name);
  return names;
}

struct Fixture {
  testing::TestServer server{config(), frozen()};
  std::unique_ptr<httplib::Client> client = server.client();

  testing::VendorResponse destroy(std::uint32_t sdkappid, const std::string& room) {
    return testing::send(*client, testing::destroyRoomRequest(sdkappid, "admin", keyOf(sdkappid), room, kNow));
  }
  int post(const std::string& path, const std::string& body) {
    const auto result = client->Post(path, body, "application/json");
    return result ? result->status : 0;
  }
};

const std::vector<std::string> k2024Members{"ActionStatus", "ErrorInfo", "ErrorCode", "RequestId"};
const std::vector<std::string> kCurrentFailure{"ErrorCode", "ErrorInfo", "ActionStatus", "RequestId"};
const std::vector<std::string> kCurrentSuccess{"ErrorCode", "ErrorInfo", "ActionStatus", "RequestId",
                                               "Response"};

}  // namespace

TEST_CASE("response_style 2024 (the default): the seed's four members, in its order, nothing else") {
  Fixture fixture;
  const auto success = fixture.destroy(kOld, "room");
  CHECK(success.code() == 0);
  CHECK(memberNames(success.body) == k2024Members);
  const auto failure = fixture.destroy(kOld, "room");
  CHECK(failure.code() == 100004);
  CHECK(memberNames(failure.body) == k2024Members);
}

TEST_CASE("response_style current: success carries the room's Statistic after RequestId") {
  Fixture fixture;
  const auto success = fixture.destroy(kCurrent, "room");
  CHECK(success.code() == 0);
  CHECK(memberNames(success.body) == kCurrentSuccess);
  const auto body = json::parse(success.body);
  CHECK(body["ActionStatus"] == "OK");
  CHECK(body["Response"] == json{{"Statistic",
                                  {{"TotalViewers", 12}, {"TotalGiftsSent", 4}, {"TotalGiftCoins", 400},
                                   {"TotalUniqueGiftSenders", 2}, {"TotalLikesReceived", 99}}}});
  // A room whose counters were never set reports zeros.
  const auto quiet = json::parse(fixture.destroy(kCurrent, "quiet").body);
  CHECK(quiet["Response"]["Statistic"] ==
        json{{"TotalViewers", 0}, {"TotalGiftsSent", 0}, {"TotalGiftCoins", 0},
             {"TotalUniqueGiftSenders", 0}, {"TotalLikesReceived", 0}});
}

TEST_CASE("response_style current: failures use the new member order, with no Response (chosen)") {
  Fixture fixture;
  const auto not_found = fixture.destroy(kCurrent, "never-created");
  CHECK(not_found.code() == 100004);
  CHECK(memberNames(not_found.body) == kCurrentFailure);
  // A failure before the app is looked up (row 5) still answers in the app's style when the query
  // names it; a query naming no configured app (row 9) answers in the 2024 shape.
  auto bad_contenttype = testing::destroyRoomRequest(kCurrent, "admin", "key-current", "room", kNow);
  bad_contenttype.set("contenttype", "xml");
  const auto early = testing::send(*fixture.client, bad_contenttype);
  CHECK(early.code() == 60002);
  CHECK(memberNames(early.body) == kCurrentFailure);
  const auto unknown_app = testing::send(
      *fixture.client, testing::destroyRoomRequest(1400000009, "admin", "key-x", "room", kNow));
  CHECK(unknown_app.code() == 70020);
  CHECK(memberNames(unknown_app.body) == k2024Members);
  // An injected error code answers in the app's style too.
  REQUIRE(fixture.post("/__emulator/faults",
                       R"({"api":"destroy_room","action":{"error_code":100001}})") == 201);
  const auto injected = fixture.destroy(kCurrent, "room");
  CHECK(injected.code() == 100001);
  CHECK(memberNames(injected.body) == kCurrentFailure);
}

TEST_CASE("a scenario switches an app's response style, and reset switches it back") {
  Fixture fixture;
  REQUIRE(fixture.post("/__emulator/scenarios",
                       R"({"apps":[{"sdkappid":1400000000,"response_style":"current"}]})") == 200);
  const auto switched = fixture.destroy(kOld, "room");
  CHECK(memberNames(switched.body) == kCurrentSuccess);
  CHECK(json::parse(switched.body)["Response"]["Statistic"]["TotalViewers"] == 7);
  REQUIRE(fixture.post("/__emulator/reset", "") == 200);
  CHECK(memberNames(fixture.destroy(kOld, "room").body) == k2024Members);
  // A bad style names the field.
  const auto bad = fixture.client->Post("/__emulator/scenarios",
                                        R"({"apps":[{"sdkappid":1400000000,"response_style":"2025"}]})",
                                        "application/json");
  REQUIRE(bad);
  CHECK(bad->status == 400);
  CHECK_THAT(bad->body, Catch::Contains("apps[0].response_style"));
}

TEST_CASE("the control API sets some of a room's counters, keeps the others, and refuses bad ones") {
  Fixture fixture;
  const auto set = fixture.client->Post("/__emulator/rooms/1400000001/room/statistic",
                                        R"({"TotalLikesReceived":5,"TotalViewers":13})", "application/json");
  REQUIRE(set);
  CHECK(set->status == 200);
  CHECK(json::parse(set->body)["statistic"] ==
        json{{"TotalViewers", 13}, {"TotalGiftsSent", 4}, {"TotalGiftCoins", 400},
             {"TotalUniqueGiftSenders", 2}, {"TotalLikesReceived", 5}, {"TotalMsgCount", 0}});
  for (const auto& [body, field] : std::vector<std::pair<std::string, std::string>>{
           {R"({"TotalLikes":1})", "statistic.TotalLikes"},
           {R"({"TotalViewers":-1})", "statistic.TotalViewers"},
           {R"({"TotalViewers":"3"})", "statistic.TotalViewers"},
           {R"([1])", "statistic"}}) {
    const auto refused = fixture.client->Post("/__emulator/rooms/1400000001/room/statistic", body,
                                              "application/json");
    REQUIRE(refused);
    CHECK(refused->status == 400);
    CHECK_THAT(refused->body, Catch::Contains(field));
  }
  const auto missing = fixture.client->Post("/__emulator/rooms/1400000001/nope/statistic",
                                            R"({"TotalViewers":1})", "application/json");
  REQUIRE(missing);
  CHECK(missing->status == 404);
  // The destroy reports what was set, and the refused changes left nothing behind.
  const auto body = json::parse(fixture.destroy(kCurrent, "room").body);
  CHECK(body["Response"]["Statistic"]["TotalViewers"] == 13);
  CHECK(body["Response"]["Statistic"]["TotalLikesReceived"] == 5);
}

TEST_CASE("room objects carry their statistic, and scenarios set it") {
  Fixture fixture;
  REQUIRE(fixture.post("/__emulator/scenarios",
                       R"({"rooms":[{"sdkappid":1400000001,"room_id":"seeded","owner":"admin",
                                     "statistic":{"TotalGiftCoins":50}}]})") == 200);
  const auto rooms = fixture.client->Get("/__emulator/rooms?sdkappid=1400000001");
  REQUIRE(rooms);
  bool found = false;
  const auto listed = json::parse(rooms->body);
  for (const auto& room : listed["rooms"]) {
    if (room["room_id"] != "seeded") continue;
    found = true;
    CHECK(room["statistic"]["TotalGiftCoins"] == 50);
    CHECK(room["statistic"]["TotalViewers"] == 0);
  }
  CHECK(found);
  CHECK(json::parse(fixture.destroy(kCurrent, "seeded").body)["Response"]["Statistic"]["TotalGiftCoins"] == 50);
}
