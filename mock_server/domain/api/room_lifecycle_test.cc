// The room lifecycle commands (docs/room-lifecycle.md) through Emulator::handle, without HTTP: each
// private row, the documented defaults and limits, paging, both response styles, the webhooks, and
// that a created room is the room destroy_room, the control API and the state file see.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "domain/config.h"
#include "domain/emulator.h"
#include "domain/rooms/room_info.h"
#include "domain/test_calls.h"

using namespace live::domain;
using json = nlohmann::json;

namespace {

constexpr std::int64_t kNow = 1700000000;

EmulatorConfig lifecycleConfig(bool strict_members = false) {
  auto config = parseConfig(R"({
    "apps": [{"sdkappid": 88888888, "secret_key": "emulator-secret-key", "root_admin": "administrator",
              "admins": ["admin", "other-admin"],
              "callback": {"url": "http://127.0.0.1:1/cb",
                           "commands": ["Live.CallbackAfterCreateRoom", "Live.CallbackAfterUpdateRoomInfo"]}}],
    "rooms": [{"sdkappid": 88888888, "room_id": "live-room", "owner": "admin"},
              {"sdkappid": 88888888, "room_id": "meeting", "owner": "admin", "type": "Meeting"}]
  })").value();
  config.apps[0].strict_members = strict_members;
  return config;
}

struct Fixture {
  explicit Fixture(bool strict_members = false) : emulator(lifecycleConfig(strict_members), frozen()) {}
  static EmulatorOptions frozen() {
    EmulatorOptions options;
    options.frozen_clock = Instant(std::chrono::seconds(kNow));
    return options;
  }

  // The answer's envelope as JSON, for a call of `api` with `body` by `identifier`.
  json call(const std::string& api, const json& body, const std::string& identifier = "admin") {
    return json::parse(raw(api, body, identifier));
  }
  std::string raw(const std::string& api, const json& body, const std::string& identifier = "admin") {
    return signedCall(emulator, "/v4/live_engine_http_srv/" + api, body.dump(), identifier, kNow).body;
  }
  json create(const json& room_info, const std::string& identifier = "admin") {
    return call("create_room", {{"RoomInfo", room_info}}, identifier);
  }
  json info(const std::string& room_id) { return call("get_room_info", {{"RoomId", room_id}}); }
  void advance(std::chrono::milliseconds by) { emulator.clock().advance(by); }
  // The members the newest journal entry says the call read past.
  std::vector<std::string> lastIgnored() {
    const auto read = emulator.journal().select({}, std::nullopt, 1, /*newest=*/true);
    REQUIRE(read.entries.size() == 1);
    return read.entries.back()->ignored;
  }

  Emulator emulator;
};

std::int64_t code(const json& answer) { return answer.at("ErrorCode").get<std::int64_t>(); }
std::string text(const json& answer) { return answer.at("ErrorInfo").get<std::string>(); }

}  // namespace

TEST_CASE("create_room: defaults, the same room for get_room_info, the control API and destroy_room") {
  Fixture f;
  REQUIRE(code(f.create({{"RoomId", "r1"}, {"RoomType", "Live"}})) == 0);
  const auto stored = f.emulator.rooms().find(88888888, "r1");
  REQUIRE(stored);
  CHECK(stored->name == "r1");      // RoomName defaults to the RoomId
  CHECK(stored->owner == "admin");  // Owner_Account to the caller
  CHECK(stored->create_time == kNow);
  CHECK(stored->info.isDefault());

  const auto answer = f.info("r1");
  REQUIRE(code(answer) == 0);
  const auto& room = answer["Response"]["RoomInfo"];
  CHECK(room["RoomId"] == "r1");
  CHECK(room["RoomName"] == "r1");
  CHECK(room["Owner_Account"] == "admin");
  CHECK(room["RoomType"] == "Live");
  CHECK(room["CreateTime"] == kNow);
  CHECK(room["TakeSeatMode"] == 1);  // the 2024 style writes FreeToTake as 1
  CHECK(room["IsPublicVisible"] == true);
  CHECK(room["Category"] == json::array());

  CHECK(code(f.call("destroy_room", {{"RoomId", "r1"}})) == 0);
  CHECK(code(f.info("r1")) == 100004);
}

TEST_CASE("create_room: every member kept as given") {
  Fixture f;
  const json given = {{"RoomId", "r2"},         {"RoomType", "Live"},          {"RoomName", "Evening show"},
                      {"Owner_Account", "host"}, {"CoverURL", "https://x/c.png"}, {"IsMessageDisabled", true},
                      {"Category", {1, 2, 3}},   {"IsPublicVisible", false},   {"IsSeatEnabled", true},
                      {"TakeSeatMode", "ApplyToTake"}, {"MaxSeatCount", 8},    {"MaxMemberCount", 500},
                      {"ActivityStatus", 2},     {"IsUnlimitedRoomEnabled", true}, {"SeatLayoutTemplateId", 7},
                      {"SeatTemplate", "AudioSalon"}};
  REQUIRE(code(f.create(given)) == 0);
  const auto room = f.info("r2")["Response"]["RoomInfo"];
  for (const auto* name : {"RoomName", "Owner_Account", "CoverURL", "IsMessageDisabled", "Category",
                           "IsPublicVisible", "IsSeatEnabled", "MaxSeatCount", "MaxMemberCount", "ActivityStatus"}) {
    INFO(name);
    CHECK(room[name] == given[name]);
  }
  CHECK(room["TakeSeatMode"] == 2);
  // The control API's and state file's form keeps the members that are not defaults, and reads back.
  const auto stored = *f.emulator.rooms().find(88888888, "r2");
  const auto written = roomToJson(stored);
  CHECK(written["info"]["SeatTemplate"] == "AudioSalon");
  CHECK_FALSE(written["info"].contains("Notice"));
  const auto read = parseRoom(written, "room", f.emulator.config().apps);
  REQUIRE(read.ok());
  CHECK(read.value().room == stored);
}

TEST_CASE("create_room: 100012 within 1 s, then 100010 for the caller's own room, 100003 for another's") {
  Fixture f;
  const json room = {{"RoomId", "r3"}, {"RoomType", "Live"}};
  REQUIRE(code(f.create(room)) == 0);
  f.advance(std::chrono::milliseconds(999));
  CHECK(code(f.create(room)) == 100012);
  CHECK(code(f.create(room, "other-admin")) == 100012);  // the window comes first, whoever asks
  f.advance(std::chrono::milliseconds(1));
  CHECK(code(f.create(room)) == 100010);
  const auto taken = f.create(room, "other-admin");
  CHECK(code(taken) == 100003);
  CHECK_THAT(text(taken), Catch::Contains("owned by \"admin\""));
  // Owner_Account decides whose the new room would be.
  CHECK(code(f.create({{"RoomId", "r3"}, {"RoomType", "Live"}, {"Owner_Account", "admin"}}, "other-admin")) == 100010);
  // A room of another product holds its id too.
  CHECK(code(f.create({{"RoomId", "meeting"}, {"RoomType", "Live"}})) == 100010);
  // The window is per RoomId: a second room at once is fine.
  CHECK(code(f.create({{"RoomId", "r4"}, {"RoomType", "Live"}})) == 0);
}

TEST_CASE("create_room: each body rule answers 100002 naming the member and the limit") {
  Fixture f(/*strict_members=*/true);
  const auto problem = [&f](json room_info) {
    const auto answer = f.call("create_room", {{"RoomInfo", std::move(room_info)}});
    CHECK(code(answer) == 100002);
    return text(answer);
  };
  const json base = {{"RoomId", "ok"}, {"RoomType", "Live"}};
  const auto with = [&base](const char* name, json value) {
    json room = base;
    room[name] = std::move(value);
    return room;
  };
  CHECK_THAT(problem(with("RoomId", std::string(49, 'x'))), Catch::Contains("\"RoomInfo.RoomId\" is 49 bytes long; at most 48"));
  CHECK_THAT(problem({{"RoomType", "Live"}}), Catch::Contains("no \"RoomInfo.RoomId\""));
  CHECK_THAT(problem({{"RoomId", "ok"}}), Catch::Contains("\"RoomInfo.RoomType\" is missing"));
  CHECK_THAT(problem(with("RoomType", "Meeting")), Catch::Contains("\"RoomInfo.RoomType\" must be \"Live\""));
  CHECK_THAT(problem(with("RoomName", std::string(101, 'n'))), Catch::Contains("RoomInfo.RoomName is 101 bytes long; at most 100"));
  CHECK_THAT(problem(with("CoverURL", std::string(201, 'c'))), Catch::Contains("RoomInfo.CoverURL is 201 bytes long; at most 200"));
  CHECK_THAT(problem(with("Category", {1, 2, 3, 4})), Catch::Contains("RoomInfo.Category has 4 entries; at most 3"));
  CHECK_THAT(problem(with("Category", {1, "2"})), Catch::Contains("RoomInfo.Category[1] must be an integer"));
  CHECK_THAT(problem(with("TakeSeatMode", "Free")), Catch::Contains("\"FreeToTake\" or \"ApplyToTake\""));
  CHECK_THAT(problem(with("IsPublicVisible", "yes")), Catch::Contains("RoomInfo.IsPublicVisible must be true or false"));
  CHECK_THAT(problem(with("MaxSeatCount", -1)), Catch::Contains("RoomInfo.MaxSeatCount must be an integer in 0..4294967295"));
  CHECK_THAT(problem(with("Notice", "hi")), Catch::Contains("RoomInfo.Notice is not a member this call takes"));
  CHECK_THAT(problem(with("RoomID", "typo")), Catch::Contains("RoomInfo.RoomID is not a member"));
  CHECK_THAT(text(f.call("create_room", {{"RoomId", "ok"}})), Catch::Contains("no \"RoomInfo\" field"));
  CHECK_THAT(text(f.call("create_room", {{"RoomInfo", "ok"}})), Catch::Contains("\"RoomInfo\" must be an object"));
  CHECK_FALSE(f.emulator.rooms().find(88888888, "ok"));  // nothing was created
}

TEST_CASE("update_room_info: only the members given change, the owner or the root admin only (100006)") {
  Fixture f(/*strict_members=*/true);
  REQUIRE(code(f.create({{"RoomId", "u1"}, {"RoomType", "Live"}, {"CoverURL", "a"}, {"MaxMemberCount", 10}})) == 0);
  REQUIRE(code(f.call("update_room_info", {{"RoomInfo", {{"RoomId", "u1"}, {"RoomName", "New"}, {"Notice", "hello"}}}})) == 0);
  auto room = *f.emulator.rooms().find(88888888, "u1");
  CHECK(room.name == "New");
  CHECK(room.info.notice == "hello");
  CHECK(room.info.cover_url == "a");  // untouched
  CHECK(room.info.max_member_count == 10);

  const json change = {{"RoomInfo", {{"RoomId", "u1"}, {"CoverURL", "b"}}}};
  const auto refused = f.call("update_room_info", change, "other-admin");
  CHECK(code(refused) == 100006);
  CHECK_THAT(text(refused), Catch::Contains("only its owner or the root admin \"administrator\""));
  CHECK(f.emulator.rooms().find(88888888, "u1")->info.cover_url == "a");
  CHECK(code(f.call("update_room_info", change, "administrator")) == 0);
  CHECK(f.emulator.rooms().find(88888888, "u1")->info.cover_url == "b");

  CHECK(code(f.call("update_room_info", {{"RoomInfo", {{"RoomId", "none"}, {"CoverURL", "b"}}}})) == 100004);
  CHECK(code(f.call("update_room_info", {{"RoomInfo", {{"RoomId", "meeting"}, {"CoverURL", "b"}}}})) == 100006);
  CHECK_THAT(text(f.call("update_room_info", {{"RoomInfo", {{"RoomId", "u1"}}}})), Catch::Contains("no member to change"));
  CHECK_THAT(text(f.call("update_room_info", {{"RoomInfo", {{"RoomId", "u1"}, {"Owner_Account", "x"}}}})),
             Catch::Contains("RoomInfo.Owner_Account is not a member this call takes"));
  // The body rule comes before the room's existence (row 19 before row 20).
  CHECK(code(f.call("update_room_info", {{"RoomInfo", {{"RoomId", "none"}, {"Notice", std::string(101, 'n')}}}})) == 100002);
}

TEST_CASE("members a command does not document are read past and journaled, as real clients need") {
  Fixture f;
  // The console's create_room in OBS mode, with a member no command documents added.
  const json obs = {{"RoomId", "obs"},
                    {"RoomType", "Live"},
                    {"SeatTemplate", "VideoDynamicGrid9Seats"},
                    {"Owner_Account", "anchor"},
                    {"IsUnlimitedRoomEnabled", true},
                    {"TakeSeatMode", "ApplyToTake"},
                    {"RoomName", "OBS live"},
                    {"KeepOwnerOnSeat", false},
                    {"Notice", "create does not take it"}};
  const auto created = f.call("create_room", {{"RoomInfo", obs}, {"Operator", "console"}});
  REQUIRE(code(created) == 0);
  CHECK(f.lastIgnored() == std::vector<std::string>{"Operator", "RoomInfo.Notice"});
  const auto room = *f.emulator.rooms().find(88888888, "obs");
  CHECK(room.info.seat_template == "VideoDynamicGrid9Seats");
  CHECK_FALSE(room.info.keep_owner_on_seat);
  CHECK(room.info.is_unlimited_room_enabled);
  CHECK(room.info.notice.empty());  // ignored, not stored

  // What create stored, get_room_info returns.
  const auto info = f.info("obs").at("Response").at("RoomInfo");
  CHECK(info.at("SeatTemplate") == "VideoDynamicGrid9Seats");
  CHECK(info.at("KeepOwnerOnSeat") == false);
  CHECK(info.at("IsUnlimitedRoomEnabled") == true);
  CHECK(info.at("Notice") == "");
  CHECK(f.lastIgnored().empty());

  // Every update the console makes carries IsUnlimitedRoomEnabled, which update does not take.
  REQUIRE(code(f.call("update_room_info",
                      {{"RoomInfo", {{"RoomId", "obs"}, {"IsUnlimitedRoomEnabled", false}, {"RoomName", "Renamed"}}}},
                      "administrator")) == 0);
  CHECK(f.lastIgnored() == std::vector<std::string>{"RoomInfo.IsUnlimitedRoomEnabled"});
  CHECK(f.emulator.rooms().find(88888888, "obs")->name == "Renamed");
  CHECK(f.emulator.rooms().find(88888888, "obs")->info.is_unlimited_room_enabled);  // create-only: unchanged
  // Only ignored members besides RoomId change nothing: still a mistake.
  const auto nothing =
      f.call("update_room_info", {{"RoomInfo", {{"RoomId", "obs"}, {"IsUnlimitedRoomEnabled", false}}}}, "administrator");
  CHECK(code(nothing) == 100002);
  CHECK_THAT(text(nothing), Catch::Contains("ignored: RoomInfo.IsUnlimitedRoomEnabled"));

  // A documented member of the wrong type is still refused, naming it.
  CHECK_THAT(text(f.call("create_room", {{"RoomInfo", {{"RoomId", "x"}, {"RoomType", "Live"}, {"KeepOwnerOnSeat", "no"}}}})),
             Catch::Contains("RoomInfo.KeepOwnerOnSeat must be true or false"));
  // Top-level members of the RoomId commands too.
  CHECK(code(f.call("get_room_stats", {{"RoomId", "obs"}, {"RoomID", "typo"}})) == 0);
  CHECK(f.lastIgnored() == std::vector<std::string>{"RoomID"});
  CHECK(code(f.call("destroy_room", {{"RoomId", "obs"}, {"Reason", "done"}}, "administrator")) == 0);
  CHECK(f.lastIgnored() == std::vector<std::string>{"Reason"});
}

TEST_CASE("strict_members: the same members answer 100002 naming the member and what the command takes") {
  Fixture f(/*strict_members=*/true);
  const auto answer = f.call("destroy_room", {{"RoomId", "live-room"}, {"Reason", "done"}});
  CHECK(code(answer) == 100002);
  CHECK_THAT(text(answer), Catch::Contains("unknown field \"Reason\" (this command takes: \"RoomId\"; app 88888888 "
                                           "has strict_members on)"));
  CHECK(f.emulator.rooms().find(88888888, "live-room"));  // not destroyed
  CHECK_THAT(text(f.call("create_room", {{"RoomInfo", {{"RoomId", "x"}, {"RoomType", "Live"}, {"Notice", "n"}}}})),
             Catch::Contains("RoomInfo.Notice is not a member this call takes"));
  CHECK(code(f.call("create_room", {{"RoomInfo", {{"RoomId", "x"}, {"RoomType", "Live"}, {"KeepOwnerOnSeat", false}}}})) == 0);
}

TEST_CASE("get_room_list: the first page is asked for with \"\", \"0\" or \"undefined\"") {
  Fixture f;
  const auto first = f.call("get_room_list", {{"Next", ""}, {"Count", 20}}).at("Response");
  for (const char* start : {"0", "undefined"}) {
    CAPTURE(start);
    const auto answer = f.call("get_room_list", {{"Next", start}, {"Count", 20}});
    REQUIRE(code(answer) == 0);
    CHECK(answer.at("Response") == first);
  }
  CHECK(code(f.call("get_room_list", {{"Next", "1"}, {"Count", 20}})) == 100002);  // not one this server gave
}

TEST_CASE("get_room_list: public live rooms, most viewed first, 20 at most per page, paged with Next") {
  Fixture f;
  for (int i = 0; i < 25; ++i) {
    Room room;
    room.sdkappid = 88888888;
    room.room_id = fmt::format("p{:02}", i);
    room.owner = "admin";
    room.name = room.room_id;
    room.statistic.total_viewers = static_cast<std::uint64_t>(i % 5);  // ties, broken by RoomId
    f.emulator.rooms().put(room);
  }
  Room hidden;
  hidden.sdkappid = 88888888;
  hidden.room_id = "hidden";
  hidden.owner = "admin";
  hidden.statistic.total_viewers = 1000;
  hidden.info.is_public_visible = false;
  f.emulator.rooms().put(hidden);

  std::vector<std::string> seen;
  std::string next;
  int pages = 0;
  do {
    const auto answer = f.call("get_room_list", {{"Next", next}, {"Count", 20}});
    REQUIRE(code(answer) == 0);
    const auto& response = answer["Response"];
    CHECK(response["RoomList"].size() <= 20);
    for (const auto& item : response["RoomList"]) seen.push_back(item["RoomId"].get<std::string>());
    next = response["Next"].get<std::string>();
    ++pages;
    f.advance(std::chrono::seconds(1));  // stay under 10 per second
  } while (!next.empty() && pages < 10);
  CHECK(pages == 2);
  REQUIRE(seen.size() == 26);  // the 25 and live-room; not "hidden", not the Meeting room
  CHECK(seen.front() == "p04");  // ViewCount 4: p04, p09, ...
  CHECK(seen[1] == "p09");
  CHECK(std::find(seen.begin(), seen.end(), "hidden") == seen.end());
  CHECK(std::find(seen.begin(), seen.end(), "meeting") == seen.end());
  CHECK(seen.back() == "p20");  // ViewCount 0: live-room, p00, ..., p20

  const auto first = f.call("get_room_list", json::object());  // Count defaults to 20
  CHECK(first["Response"]["RoomList"].size() == 20);
  CHECK(first["Response"]["RoomList"][0] ==
        json{{"RoomId", "p04"}, {"RoomName", "p04"}, {"Owner_Account", "admin"}, {"CoverURL", ""}, {"Category", json::array()},
             {"CreateTime", 0}, {"ActivityStatus", 0}, {"ViewCount", 4}});
  CHECK_THAT(text(f.call("get_room_list", {{"Count", 21}})), Catch::Contains("\"Count\" must be an integer in 1..20"));
  CHECK(code(f.call("get_room_list", {{"Count", 0}})) == 100002);
  CHECK_THAT(text(f.call("get_room_list", {{"Next", "garbage"}})), Catch::Contains("not a Next this server gave"));
}

TEST_CASE("get_room_list: its own limit of 10 per second, apart from the other APIs'") {
  Fixture f;
  int admitted = 0;
  for (int i = 0; i < 15; ++i) admitted += code(f.call("get_room_list", json::object())) == 0 ? 1 : 0;
  CHECK(admitted == 10);
  CHECK(code(f.call("get_room_list", json::object())) == 60007);
  CHECK(code(f.info("live-room")) == 0);
  f.advance(std::chrono::seconds(1));
  CHECK(code(f.call("get_room_list", json::object())) == 0);
}

TEST_CASE("get_room_stats: the six counters without the Statistic wrapper") {
  Fixture f;
  f.emulator.rooms().modify(88888888, "live-room", [](Room& room) {
    room.statistic.total_viewers = 3;
    room.statistic.total_msg_count = 9;
  });
  const auto answer = f.call("get_room_stats", {{"RoomId", "live-room"}});
  REQUIRE(code(answer) == 0);
  CHECK(answer["Response"] == json{{"TotalViewers", 3}, {"TotalGiftsSent", 0}, {"TotalGiftCoins", 0},
                                   {"TotalUniqueGiftSenders", 0}, {"TotalLikesReceived", 0}, {"TotalMsgCount", 9}});
  CHECK(code(f.call("get_room_stats", {{"RoomId", "none"}})) == 100004);
  CHECK_THAT(text(f.call("get_room_stats", {{"RoomId", ""}})), Catch::Contains("\"RoomId\" is empty"));
}

TEST_CASE("both response styles: the data is under Response after RequestId, destroy's Statistic only in the current") {
  Fixture f;
  const auto body = f.raw("get_room_stats", {{"RoomId", "live-room"}});
  CHECK(body.rfind(R"({"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"RequestId":")", 0) == 0);
  CHECK(body.find(R"(","Response":{"TotalViewers":0,)") != std::string::npos);
  CHECK_FALSE(f.call("destroy_room", {{"RoomId", "live-room"}}).contains("Response"));
  f.emulator.appStatuses().set(88888888, live::protocol::ResponseStyle::kCurrent);
  const auto current = f.raw("get_room_info", {{"RoomId", "meeting"}});
  CHECK(current.rfind(R"({"ErrorCode":0,"ErrorInfo":"","ActionStatus":"OK","RequestId":")", 0) == 0);
  CHECK(current.find(R"(","Response":{"RoomInfo":{"RoomId":"meeting",)") != std::string::npos);
  CHECK(json::parse(current)["Response"]["RoomInfo"]["TakeSeatMode"] == "FreeToTake");
  CHECK(json::parse(current)["Response"]["RoomInfo"]["RoomType"] == "Meeting");  // reads any room
  CHECK_FALSE(f.create({{"RoomId", "s2"}, {"RoomType", "Live"}}).contains("Response"));  // create adds nothing
}

TEST_CASE("webhooks: Live.CallbackAfterCreateRoom and Live.CallbackAfterUpdateRoomInfo with their bodies") {
  Fixture f;
  REQUIRE(code(f.create({{"RoomId", "w1"}, {"RoomType", "Live"}, {"CoverURL", "c"}})) == 0);
  f.advance(std::chrono::milliseconds(1500));
  REQUIRE(code(f.call("update_room_info", {{"RoomInfo", {{"RoomId", "w1"}, {"RoomName", "N"}, {"Category", {5}}}}})) == 0);
  REQUIRE(code(f.call("destroy_room", {{"RoomId", "w1"}})) == 0);  // not enabled for this app
  const auto deliveries = f.emulator.callbackLog().select({});
  REQUIRE(deliveries.size() == 2);
  CHECK(deliveries[0].command == "Live.CallbackAfterCreateRoom");
  CHECK(deliveries[0].work->url().find("CallbackCommand=Live.CallbackAfterCreateRoom") != std::string::npos);
  const auto created = json::parse(deliveries[0].work->body());
  CHECK(created["CallbackCommand"] == "Live.CallbackAfterCreateRoom");
  CHECK(created["Operator_Account"] == "admin");
  CHECK(created["EventTime"] == kNow * 1000);
  CHECK(created["RoomInfo"]["RoomId"] == "w1");
  CHECK(created["RoomInfo"]["RoomName"] == "w1");
  CHECK(created["RoomInfo"]["CoverURL"] == "c");
  CHECK(created["RoomInfo"]["CreateTime"] == kNow);
  CHECK(created["RoomInfo"]["TakeSeatMode"] == "FreeToTake");

  const auto updated = json::parse(deliveries[1].work->body());
  CHECK(updated["CallbackCommand"] == "Live.CallbackAfterUpdateRoomInfo");
  CHECK(updated["EventTime"] == kNow * 1000 + 1500);
  CHECK(updated["RoomInfo"] == json{{"RoomId", "w1"}, {"RoomName", "N"}, {"Category", {5}}});
}
