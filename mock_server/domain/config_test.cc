// Configuration: the embedded default, and each refusal naming the field and the expectation.
#include "domain/config.h"
#include "domain/scenario.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstdio>
#include <fstream>

using namespace live::domain;

TEST_CASE("the embedded default is the one docs/live-emulator.md describes") {
  const auto config = embeddedDefaultConfig();
  REQUIRE(config.apps.size() == 1);
  const App& app = config.apps[0];
  CHECK(app.sdkappid == 88888888);
  CHECK(app.secret_key == "emulator-secret-key");
  CHECK(app.root_admin == "administrator");
  CHECK(app.isAdmin("admin"));
  CHECK(app.isAdmin("administrator"));
  CHECK_FALSE(app.isAdmin("someone"));
  REQUIRE(config.rooms.size() == 1);
  CHECK(config.rooms[0].room.room_id == "live-room");
  CHECK(config.rooms[0].room.owner == "admin");
  CHECK(config.rooms[0].room.type == "Live");
  CHECK(config.rooms[0].room.name == "live-room");
  CHECK(config.rate_limits.at("destroy_room") == 200);
}

TEST_CASE("a full config parses with defaults filled in") {
  const auto config = parseConfig(R"({
    "apps": [{"sdkappid": 1400000000, "secret_key": "k", "admins": ["admin", "ops"],
              "status": "disabled"}],
    "rooms": [{"sdkappid": 1400000000, "room_id": "r", "owner": "ops", "type": "Conference",
               "name": "Lobby", "create_time": 1700000000}],
    "rate_limits": {"destroy_room": 0}
  })");
  REQUIRE(config.ok());
  CHECK(config.value().apps[0].root_admin == "administrator");
  CHECK(config.value().apps[0].status == AppStatus::kDisabled);
  CHECK(config.value().rooms[0].room.name == "Lobby");
  CHECK(config.value().rooms[0].has_create_time);
  CHECK(config.value().rate_limits.at("destroy_room") == 0);
}

TEST_CASE("bad configs are refused with the field and what was expected") {
  const std::string app = R"({"sdkappid": 1, "secret_key": "k"})";
  struct Case {
    std::string text;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"{", "not valid JSON"},
      {"[]", "(top level): expected an object"},
      {R"({"apps": []})", "apps: expected a non-empty array of apps"},
      {R"({"rooms": []})", "apps: required"},
      {"{\"apps\": [" + app + "], \"extra\": 1}", "(top level): unknown key \"extra\""},
      {R"({"apps": [{"sdkappid": 1, "secret_key": "k", "secretkey": "x"}]})",
       "apps[0]: unknown key \"secretkey\""},
      {R"({"apps": [{"sdkappid": "1", "secret_key": "k"}]})",
       "apps[0].sdkappid: expected an integer in 0..4294967295, found the string \"1\""},
      {R"({"apps": [{"sdkappid": 4294967296, "secret_key": "k"}]})",
       "apps[0].sdkappid: expected an integer in 0..4294967295"},
      {R"({"apps": [{"sdkappid": -1, "secret_key": "k"}]})", "apps[0].sdkappid: expected an integer"},
      {R"({"apps": [{"sdkappid": 1}]})", "apps[0].secret_key: required"},
      {R"({"apps": [{"sdkappid": 1, "secret_key": ""}]})",
       "apps[0].secret_key: is empty"},
      {R"({"apps": [{"sdkappid": 1, "secret_key": 5}]})",
       "apps[0].secret_key: expected the key as a non-empty string, or {\"env\": \"NAME\"}"},
      {R"({"apps": [{"sdkappid": 1, "secret_key": {"env": ""}}]})",
       "apps[0].secret_key: expected the key as a non-empty string, or {\"env\": \"NAME\"}"},
      {R"({"apps": [{"sdkappid": 1, "secret_key": {"env": "X", "y": 1}}]})",
       "apps[0].secret_key: expected the key as a non-empty string, or {\"env\": \"NAME\"}"},
      {R"({"apps": [{"sdkappid": 1, "secret_key": {"env": "LIVE_TEST_UNSET_VARIABLE"}}]})",
       "apps[0].secret_key: environment variable LIVE_TEST_UNSET_VARIABLE is not set"},
      {R"({"apps": [{"sdkappid": 1, "secret_key": "k", "callback": {"commands": []}}]})", "apps[0].callback.url: required"},
      {R"({"apps": [{"sdkappid": 1, "secret_key": "k", "callback": {"url": "ftp://x", "commands": []}}]})",
       "apps[0].callback.url: must start with http:// or https://"},
      {R"({"apps": [{"sdkappid": 1, "secret_key": "k", "callback": {"url": "http://x", "commands": ["Live.X"]}}]})",
       "apps[0].callback.commands[0]: expected one of"},
      {R"({"apps": [{"sdkappid": 1, "secret_key": "k", "callback": {"url": "http://x", "commands": [], "token": ""}}]})",
       "apps[0].callback.token: must be 1..128 characters"},
      {R"({"apps": [{"sdkappid": 1, "secret_key": "k", "callback": {"url": "http://x", "commands": [], "tok": "a"}}]})",
       "apps[0].callback: unknown key \"tok\""},
      {R"({"apps": [{"sdkappid": 1, "secret_key": "k", "admins": "admin"}]})",
       "apps[0].admins: expected an array of strings"},
      {R"({"apps": [{"sdkappid": 1, "secret_key": "k", "admins": ["a", "a"]}]})",
       "apps[0].admins[1]: \"a\" is listed twice"},
      {R"({"apps": [{"sdkappid": 1, "secret_key": "k", "status": "paused"}]})",
       "apps[0].status: expected \"active\", \"disabled\" or \"expired\""},
      {"{\"apps\": [" + app + "," + app + "]}", "apps[1].sdkappid: app 1 is configured twice"},
      {"{\"apps\": [" + app + "], \"rooms\": [{\"sdkappid\": 2, \"room_id\": \"r\", \"owner\": \"o\"}]}",
       "rooms[0].sdkappid: no app 2 is configured"},
      {"{\"apps\": [" + app + "], \"rooms\": [{\"sdkappid\": 1, \"room_id\": \"r\", \"owner\": \"o\"},"
       "{\"sdkappid\": 1, \"room_id\": \"r\", \"owner\": \"p\"}]}",
       "rooms[1].room_id: room \"r\" of app 1 is configured twice"},
      {"{\"apps\": [" + app + "], \"rooms\": [{\"sdkappid\": 1, \"room_id\": \"" +
           std::string(49, 'r') + "\", \"owner\": \"o\"}]}",
       "rooms[0].room_id: expected a string of 1 to 48 bytes"},
      {"{\"apps\": [" + app + "], \"rooms\": [{\"sdkappid\": 1, \"room_id\": \"r\"}]}",
       "rooms[0].owner: required"},
      {"{\"apps\": [" + app + "], \"rooms\": [{\"sdkappid\": 1, \"room_id\": \"r\", \"owner\": \"o\", "
       "\"create_time\": 1.5}]}",
       "rooms[0].create_time: expected a non-negative integer"},
      {"{\"apps\": [" + app + "], \"rate_limits\": {\"destroy_rooms\": 5}}",
       "rate_limits.destroy_rooms: no emulated API is called \"destroy_rooms\""},
      {"{\"apps\": [" + app + "], \"rate_limits\": {\"destroy_room\": -5}}",
       "rate_limits.destroy_room: expected an integer in 0..1000000"},
      {"{\"apps\": [" + app + "], \"rate_limits\": {\"destroy_room\": 2000000}}",
       "rate_limits.destroy_room: expected an integer in 0..1000000"},
  };
  for (const auto& test : cases) {
    INFO(test.text);
    const auto result = parseConfig(test.text);
    REQUIRE_FALSE(result.ok());
    CHECK_THAT(result.error(), Catch::Contains(test.message));
  }
}

TEST_CASE("a secret key may come from the environment: {\"env\": \"NAME\"}") {
  ::setenv("LIVE_TEST_SECRET_KEY", "key-from-environment", 1);
  ::setenv("LIVE_TEST_EMPTY_KEY", "", 1);
  const auto config = parseConfig(
      R"({"apps": [{"sdkappid": 1, "secret_key": {"env": "LIVE_TEST_SECRET_KEY"}}]})");
  REQUIRE(config.ok());
  CHECK(config.value().apps[0].secret_key == "key-from-environment");
  CHECK(parseConfig(R"({"apps": [{"sdkappid": 1, "secret_key": {"env": "LIVE_TEST_EMPTY_KEY"}}]})")
            .error() == "apps[0].secret_key: environment variable LIVE_TEST_EMPTY_KEY is empty");
}

TEST_CASE("config errors never quote a secret key, not even from a JSON syntax error") {
  const std::string key = "s3cr3t-key-material";
  for (const std::string& text : std::vector<std::string>{
           R"({"apps": [{"sdkappid": 1, "secret_key": ")" + key,       // unterminated string
           R"({"apps": [{"sdkappid": 1, "secret_key": )" + key + "}]}",  // not a JSON value
           R"({"apps": [{"sdkappid": 1, "secret_key": [")" + key + R"("]}]})",
           R"({"apps": [{"sdkappid": 1, "secret_key": {"env": ")" + key + R"(", "x": 1}}]})",
           R"({"apps": [{"sdkappid": 1, "secret_key": ")" + key + R"(", "status": "paused"}]})",
       }) {
    INFO(text);
    const auto result = parseConfig(text);
    REQUIRE_FALSE(result.ok());
    CHECK_THAT(result.error(), !Catch::Contains("s3cr3t"));
  }
}

TEST_CASE("loadConfigFile names the file") {
  CHECK_THAT(loadConfigFile("/nonexistent/config.json").error(),
             Catch::StartsWith("/nonexistent/config.json: cannot be read"));
  const std::string path = "config_test_bad.json";
  std::ofstream(path) << R"({"apps": 5})";
  CHECK(loadConfigFile(path).error() ==
        "config_test_bad.json: apps: expected a non-empty array of apps, found number");
  std::remove(path.c_str());
}

TEST_CASE("room objects round-trip through roomToJson") {
  const auto config = embeddedDefaultConfig();
  Room room{88888888, "r", "admin", "Live", "Lobby", 1700000000, {}, {}, {}};
  const auto parsed = parseRoom(roomToJson(room), "room", config.apps);
  REQUIRE(parsed.ok());
  CHECK(parsed.value().room == room);
}

TEST_CASE("response_style and a room's statistic: accepted, and refused naming the field") {
  const auto config = parseConfig(R"({"apps": [{"sdkappid": 1, "secret_key": "k", "response_style": "current"}],
      "rooms": [{"sdkappid": 1, "room_id": "r", "owner": "o", "statistic": {"TotalGiftCoins": 9}}]})");
  REQUIRE(config.ok());
  CHECK(config.value().apps[0].response_style == live::protocol::ResponseStyle::kCurrent);
  CHECK(config.value().rooms[0].room.statistic.total_gift_coins == 9);
  for (const auto& [text, field] : std::vector<std::pair<std::string, std::string>>{
           {R"({"apps": [{"sdkappid": 1, "secret_key": "k", "response_style": "2025"}]})",
            "apps[0].response_style"},
           {R"({"apps": [{"sdkappid": 1, "secret_key": "k"}], "rooms": [{"sdkappid": 1, "room_id": "r",
              "owner": "o", "statistic": {"Viewers": 1}}]})",
            "rooms[0].statistic.Viewers"},
           {R"({"apps": [{"sdkappid": 1, "secret_key": "k"}], "rooms": [{"sdkappid": 1, "room_id": "r",
              "owner": "o", "statistic": {"TotalViewers": -2}}]})",
            "rooms[0].statistic.TotalViewers"}}) {
    const auto refused = parseConfig(text);
    REQUIRE_FALSE(refused.ok());
    CHECK_THAT(refused.error(), Catch::Contains(field));
  }
}

TEST_CASE("strict_members: off by default, true or false in the config and in a scenario, refused otherwise") {
  CHECK_FALSE(embeddedDefaultConfig().apps[0].strict_members);
  const auto config = parseConfig(R"({"apps": [{"sdkappid": 1, "secret_key": "k", "strict_members": true}]})");
  REQUIRE(config.ok());
  CHECK(config.value().apps[0].strict_members);
  const auto refused = parseConfig(R"({"apps": [{"sdkappid": 1, "secret_key": "k", "strict_members": "yes"}]})");
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.error(), Catch::Contains("apps[0].strict_members"));

  const auto apps = embeddedDefaultConfig().apps;
  const auto scenario = parseScenario(nlohmann::json{{"apps", {{{"sdkappid", 88888888}, {"strict_members", true}}}}}, apps);
  REQUIRE(scenario.ok());
  CHECK(scenario.value().app_strict_members == std::vector<std::pair<SdkAppId, bool>>{{88888888, true}});
  const auto bad = parseScenario(nlohmann::json{{"apps", {{{"sdkappid", 88888888}, {"strict_members", 1}}}}}, apps);
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.error(), Catch::Contains("apps[0].strict_members: expected true or false"));
}
