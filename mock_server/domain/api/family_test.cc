// The rest of the family (docs/room-family.md) through Emulator::handle, without HTTP: metadata and
// its limits, robots and members as the room's occupancy, admins, bans on the emulator's clock,
// seats and their policies, IM accounts in the IM envelope, and that destroy removes every part.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <random>

#include "domain/config.h"
#include "domain/emulator.h"
#include "domain/test_calls.h"

using namespace live::domain;
using json = nlohmann::json;

namespace {

constexpr std::int64_t kNow = 1700000000;

EmulatorConfig familyConfig(bool require_imported = false) {
  auto config = parseConfig(R"({
    "apps": [{"sdkappid": 88888888, "secret_key": "emulator-secret-key", "root_admin": "administrator",
              "admins": ["admin"], "accounts": ["owner-imported"]}],
    "rooms": [{"sdkappid": 88888888, "room_id": "live-room", "owner": "admin"},
              {"sdkappid": 88888888, "room_id": "stage", "owner": "admin", "info": {"MaxSeatCount": 4}},
              {"sdkappid": 88888888, "room_id": "meeting", "owner": "admin", "type": "Meeting"}]
  })").value();
  config.apps[0].require_imported_accounts = require_imported;
  return config;
}

struct Fixture {
  explicit Fixture(bool require_imported = false) : emulator(familyConfig(require_imported), frozen()) {}
  static EmulatorOptions frozen() {
    EmulatorOptions options;
    options.frozen_clock = Instant(std::chrono::seconds(kNow));
    return options;
  }

  // `api` is "service/command" or a live_engine_http_srv command.
  json call(const std::string& api, const json& body) {
    const std::string path = api.find('/') == std::string::npos ? "live_engine_http_srv/" + api : api;
    const auto answer = signedCall(emulator, "/v4/" + path, body.dump(), "admin", kNow);
    raw = answer.body;
    return json::parse(answer.body);
  }
  json seat(const std::string& command, json body) { return call("room_engine_http_mic/" + command, body); }
  void enter(const std::string& room, std::vector<std::string> members) {
    MemberEvents events;
    for (auto& member : members) events.enter.emplace_back(std::move(member), false);
    REQUIRE(emulator.changeMembers(88888888, room, events));
  }
  void leave(const std::string& room, std::vector<std::string> members) {
    MemberEvents events;
    events.leave = std::move(members);
    REQUIRE(emulator.changeMembers(88888888, room, events));
  }
  MemberList members(const std::string& room) {
    const auto view = emulator.rooms().occupancy(88888888, room);
    REQUIRE(view);
    return view->occupancy.members;
  }

  Emulator emulator;
  std::string raw;
};

std::int64_t code(const json& answer) { return answer.at("ErrorCode").get<std::int64_t>(); }
std::string text(const json& answer) { return answer.at("ErrorInfo").get<std::string>(); }

json metadata(std::initializer_list<std::pair<std::string, std::string>> entries) {
  json list = json::array();
  for (const auto& [key, value] : entries) list.push_back({{"Key", key}, {"Value", value}});
  return list;
}

}  // namespace

TEST_CASE("room metadata: set adds or updates keys in their first order, get all or some, del, 100004") {
  Fixture f;
  REQUIRE(code(f.call("set_room_metadata", {{"RoomId", "live-room"}, {"Metadata", metadata({{"a", "1"}, {"b", "2"}})}})) == 0);
  REQUIRE(code(f.call("set_room_metadata", {{"RoomId", "live-room"}, {"Metadata", metadata({{"a", "3"}})}})) == 0);
  auto all = f.call("get_room_metadata", {{"RoomId", "live-room"}, {"Keys", json::array()}});
  CHECK(all["Response"]["Metadata"] == metadata({{"a", "3"}, {"b", "2"}}));
  CHECK(f.call("get_room_metadata", {{"RoomId", "live-room"}})["Response"]["Metadata"].size() == 2);
  CHECK(f.call("get_room_metadata", {{"RoomId", "live-room"}, {"Keys", {"b", "zz"}}})["Response"]["Metadata"] ==
        metadata({{"b", "2"}}));
  REQUIRE(code(f.call("del_room_metadata", {{"RoomId", "live-room"}, {"Keys", {"a", "never-set"}}})) == 0);
  CHECK(f.call("get_room_metadata", {{"RoomId", "live-room"}})["Response"]["Metadata"] == metadata({{"b", "2"}}));
  CHECK(code(f.call("get_room_metadata", {{"RoomId", "gone"}})) == 100004);
  CHECK(code(f.call("set_room_metadata", {{"RoomId", "gone"}, {"Metadata", metadata({{"a", "1"}})}})) == 100004);
  CHECK(code(f.call("del_room_metadata", {{"RoomId", "gone"}, {"Keys", {"a"}}})) == 100004);
}

TEST_CASE("room metadata: 10 keys, 50-byte keys, 2 KB values and 16 KB in all, each with its code") {
  Fixture f;
  json eleven = json::array();
  for (int i = 0; i < 11; ++i) eleven.push_back({{"Key", fmt::format("k{}", i)}, {"Value", "v"}});
  const auto too_many = f.call("set_room_metadata", {{"RoomId", "live-room"}, {"Metadata", eleven}});
  CHECK(code(too_many) == 100500);
  CHECK_THAT(text(too_many), Catch::Contains("11 metadata keys; at most 10"));
  eleven.erase(eleven.end() - 1);
  CHECK(code(f.call("set_room_metadata", {{"RoomId", "live-room"}, {"Metadata", eleven}})) == 0);
  const auto long_key = f.call("set_room_metadata", {{"RoomId", "live-room"}, {"Metadata", metadata({{std::string(51, 'k'), "v"}})}});
  CHECK(code(long_key) == 100002);
  CHECK_THAT(text(long_key), Catch::Contains("Key \"" + std::string(51, 'k') + "\" is 51 bytes long; a key is 1 to 50 bytes"));
  CHECK(code(f.call("set_room_metadata", {{"RoomId", "live-room"}, {"Metadata", metadata({{"k0", std::string(2048, 'v')}})}})) == 0);
  CHECK(code(f.call("set_room_metadata", {{"RoomId", "live-room"}, {"Metadata", metadata({{"k0", std::string(2049, 'v')}})}})) == 100501);
  json big = json::array();
  for (int i = 0; i < 9; ++i) big.push_back({{"Key", fmt::format("k{}", i)}, {"Value", std::string(2000, 'v')}});
  const auto too_large = f.call("set_room_metadata", {{"RoomId", "live-room"}, {"Metadata", big}});
  CHECK(code(too_large) == 100502);
  // A refused set changes nothing.
  CHECK(f.call("get_room_metadata", {{"RoomId", "live-room"}})["Response"]["Metadata"][0]["Value"].get<std::string>().size() == 2048);
  CHECK(code(f.call("set_room_metadata", {{"RoomId", "live-room"}, {"Metadata", json::array()}})) == 100002);
}

TEST_CASE("robots: add_robot makes members that are robots, a robot keeps the room from dissolving, del_robot") {
  Fixture f;
  f.enter("live-room", {"alice"});
  REQUIRE(code(f.call("add_robot", {{"RoomId", "live-room"}, {"RobotList_Account", {"bot-1", "bot-2"}}})) == 0);
  CHECK(f.call("get_robot", {{"RoomId", "live-room"}})["Response"]["RobotList_Account"] == json{"bot-1", "bot-2"});
  CHECK(f.members("live-room") == MemberList{{"alice", false}, {"bot-1", true}, {"bot-2", true}});
  // Everyone but the robots leaves: the empty-room rule never fires while a robot is in.
  f.leave("live-room", {"alice"});
  f.emulator.clock().advance(std::chrono::hours(2));
  f.emulator.catchUp();
  CHECK(f.emulator.rooms().find(88888888, "live-room"));
  REQUIRE(code(f.call("del_robot", {{"RoomId", "live-room"}, {"RobotList_Account", {"bot-1", "bot-2", "alice"}}})) == 0);
  CHECK(f.call("get_robot", {{"RoomId", "live-room"}})["Response"]["RobotList_Account"] == json::array());
  f.emulator.clock().advance(std::chrono::minutes(31));
  f.emulator.catchUp();
  CHECK_FALSE(f.emulator.rooms().find(88888888, "live-room"));
  CHECK(code(f.call("add_robot", {{"RoomId", "meeting"}, {"RobotList_Account", {"bot"}}})) == 100006);
  CHECK(code(f.call("add_robot", {{"RoomId", "gone"}, {"RobotList_Account", {"bot"}}})) == 100004);
  CHECK(code(f.call("add_robot", {{"RoomId", "stage"}, {"RobotList_Account", json::array()}})) == 100002);
}

TEST_CASE("get_member_list pages with Next through every member, robots included") {
  Fixture f;
  std::vector<std::string> many;
  for (int i = 0; i < 150; ++i) many.push_back(fmt::format("user-{:03}", i));
  f.enter("live-room", many);
  f.call("add_robot", {{"RoomId", "live-room"}, {"RobotList_Account", {"bot"}}});
  std::vector<std::string> seen;
  std::string next;
  int pages = 0;
  do {
    const auto page = f.call("get_member_list", {{"RoomId", "live-room"}, {"Next", next}});
    REQUIRE(code(page) == 0);
    CHECK(page["Response"]["MemberCount"] == 151);
    for (const auto& member : page["Response"]["MemberList"]) seen.push_back(member["Member_Account"]);
    next = page["Response"]["Next"];
    ++pages;
  } while (!next.empty() && pages < 10);
  CHECK(pages == 2);
  CHECK(seen.size() == 151);
  CHECK(code(f.call("get_member_list", {{"RoomId", "gone"}, {"Next", ""}})) == 100004);
}

TEST_CASE("admins: modify_admin adds and deletes, at most 5 (100020), get_admin_list lists them") {
  Fixture f;
  REQUIRE(code(f.call("modify_admin", {{"RoomId", "live-room"}, {"Admin_Account", {"a1", "a2", "a3"}}, {"OpType", "add"}})) == 0);
  REQUIRE(code(f.call("modify_admin", {{"RoomId", "live-room"}, {"Admin_Account", {"a3", "a4", "a5"}}, {"OpType", "add"}})) == 0);
  const auto sixth = f.call("modify_admin", {{"RoomId", "live-room"}, {"Admin_Account", {"a6"}}, {"OpType", "add"}});
  CHECK(code(sixth) == 100020);
  CHECK_THAT(text(sixth), Catch::Contains("6 admins; at most 5"));
  CHECK(f.call("get_admin_list", {{"RoomId", "live-room"}})["Response"]["Admin_Account"] == json{"a1", "a2", "a3", "a4", "a5"});
  REQUIRE(code(f.call("modify_admin", {{"RoomId", "live-room"}, {"Admin_Account", {"a2"}}, {"OpType", "delete"}})) == 0);
  CHECK(code(f.call("modify_admin", {{"RoomId", "live-room"}, {"Admin_Account", {"a6"}}, {"OpType", "add"}})) == 0);
  CHECK(code(f.call("modify_admin", {{"RoomId", "live-room"}, {"Admin_Account", {"a7"}}, {"OpType", "promote"}})) == 100002);
  CHECK(code(f.call("get_admin_list", {{"RoomId", "gone"}})) == 100004);
}

TEST_CASE("bans: a banned member leaves and cannot enter until the ban ends on the emulator's clock") {
  Fixture f;
  f.enter("live-room", {"alice", "bob"});
  REQUIRE(code(f.call("ban_member", {{"RoomId", "live-room"}, {"MemberList_Account", {"alice"}}, {"Duration", 60}, {"Reason", "spam"}})) == 0);
  CHECK(f.members("live-room").count("alice") == 0);
  f.enter("live-room", {"alice"});
  CHECK(f.members("live-room").count("alice") == 0);
  auto list = f.call("get_banned_member_list", {{"RoomId", "live-room"}});
  CHECK(list["Response"]["BannedAccountList"] == json::parse(fmt::format(R"([{{"Member_Account":"alice","BannedUntil":{}}}])", kNow + 60)));
  CHECK(list["Response"]["NextOffset"] == 0);
  f.emulator.clock().advance(std::chrono::seconds(60));
  CHECK(f.call("get_banned_member_list", {{"RoomId", "live-room"}})["Response"]["BannedAccountList"] == json::array());
  f.enter("live-room", {"alice"});
  CHECK(f.members("live-room").count("alice") == 1);
  // unban ends a ban at once.
  f.call("ban_member", {{"RoomId", "live-room"}, {"MemberList_Account", {"bob"}}, {"Duration", 3600}});
  REQUIRE(code(f.call("unban_member", {{"RoomId", "live-room"}, {"MemberList_Account", {"bob"}}})) == 0);
  f.enter("live-room", {"bob"});
  CHECK(f.members("live-room").count("bob") == 1);
  CHECK(code(f.call("ban_member", {{"RoomId", "live-room"}, {"MemberList_Account", {"x"}}, {"Duration", 0}})) == 100002);
  CHECK(code(f.call("ban_member", {{"RoomId", "live-room"}, {"MemberList_Account", {"x"}}})) == 100002);
  CHECK(code(f.call("get_banned_member_list", {{"RoomId", "live-room"}, {"Limit", 101}})) == 100002);
}

TEST_CASE("seats: 100211 without seats, pick, lock, kick, move with its three policies, switch_seat") {
  Fixture f;
  CHECK(code(f.seat("get_seat_list", {{"RoomId", "live-room"}})) == 100211);
  CHECK(code(f.seat("pick_user_on_seat", {{"RoomId", "live-room"}, {"Member_Account", "a"}, {"Index", 0}})) == 100211);
  CHECK(code(f.seat("get_seat_list", {{"RoomId", "gone"}})) == 100004);
  const auto list = f.seat("get_seat_list", {{"RoomId", "stage"}});
  REQUIRE(code(list) == 0);
  CHECK(list["Response"]["SeatList"].size() == 4);
  CHECK(list["Response"]["SeatList"][3] == json{{"Index", 3}, {"Member_Account", ""}, {"IsTakenDisabled", false},
                                                 {"IsVideoDisabled", false}, {"IsAudioDisabled", false}});
  CHECK(code(f.seat("pick_user_on_seat", {{"RoomId", "stage"}, {"Member_Account", "alice"}, {"Index", 0}})) == 100005);
  f.enter("stage", {"alice", "bob", "carol"});
  CHECK(code(f.seat("pick_user_on_seat", {{"RoomId", "stage"}, {"Member_Account", "alice"}, {"Index", 4}})) == 100002);
  REQUIRE(code(f.seat("pick_user_on_seat", {{"RoomId", "stage"}, {"Member_Account", "alice"}, {"Index", 0}})) == 0);
  CHECK(code(f.seat("pick_user_on_seat", {{"RoomId", "stage"}, {"Member_Account", "bob"}, {"Index", 0}})) == 100006);
  REQUIRE(code(f.seat("pick_user_on_seat", {{"RoomId", "stage"}, {"Member_Account", "bob"}, {"Index", 1}})) == 0);
  const auto seats = [&] {
    std::vector<std::string> out;
    const auto answer = f.seat("get_seat_list", {{"RoomId", "stage"}});  // kept: a range-for over a temporary's member dangles
    for (const auto& seat : answer["Response"]["SeatList"]) out.push_back(seat["Member_Account"]);
    return out;
  };
  // Policy 0 cancels on a taken seat; 2 exchanges; 1 kicks the occupant off.
  CHECK(code(f.seat("move_user_to_seat", {{"RoomId", "stage"}, {"Member_Account", "alice"}, {"SeatIndex", 1}, {"Policy", 0}})) == 100006);
  REQUIRE(code(f.seat("move_user_to_seat", {{"RoomId", "stage"}, {"Member_Account", "alice"}, {"SeatIndex", 1}, {"Policy", 2}})) == 0);
  CHECK(seats() == std::vector<std::string>{"bob", "alice", "", ""});
  REQUIRE(code(f.seat("move_user_to_seat", {{"RoomId", "stage"}, {"Member_Account", "carol"}, {"SeatIndex", 0}, {"Policy", 1}})) == 0);
  CHECK(seats() == std::vector<std::string>{"carol", "alice", "", ""});
  REQUIRE(code(f.seat("switch_seat", {{"RoomId", "stage"}, {"Member_Account", "carol"}, {"ToIndex", 3}})) == 0);
  CHECK(seats() == std::vector<std::string>{"", "alice", "", "carol"});
  // Locking an occupied seat removes its user; a locked seat cannot be taken.
  REQUIRE(code(f.seat("lock_seat", {{"RoomId", "stage"}, {"Index", 1}, {"ForbidTaken", true}, {"ForbidAudio", true}})) == 0);
  CHECK(seats() == std::vector<std::string>{"", "", "", "carol"});
  CHECK(code(f.seat("pick_user_on_seat", {{"RoomId", "stage"}, {"Member_Account", "alice"}, {"Index", 1}})) == 100006);
  CHECK(f.seat("get_seat_list", {{"RoomId", "stage"}})["Response"]["SeatList"][1]["IsAudioDisabled"] == true);
  // A member who leaves the room leaves the seat.
  f.leave("stage", {"carol"});
  CHECK(seats() == std::vector<std::string>{"", "", "", ""});
  REQUIRE(code(f.seat("pick_user_on_seat", {{"RoomId", "stage"}, {"Member_Account", "bob"}, {"Index", 2}})) == 0);
  REQUIRE(code(f.seat("kick_user_off_seat", {{"RoomId", "stage"}, {"Member_Account", "bob"}})) == 0);
  CHECK(seats() == std::vector<std::string>{"", "", "", ""});
  CHECK(code(f.seat("move_user_to_seat", {{"RoomId", "stage"}, {"Member_Account", "bob"}, {"SeatIndex", 0}, {"Policy", 3}})) == 100002);
}

TEST_CASE("seats: a SeatTemplate's number sets the seats, and a room with seats from create_room takes a robot") {
  Fixture f;
  REQUIRE(code(f.call("create_room", {{"RoomInfo", {{"RoomId", "obs"}, {"RoomType", "Live"}, {"SeatTemplate", "VideoDynamicGrid9Seats"},
                                                    {"KeepOwnerOnSeat", false}}}})) == 0);
  REQUIRE(code(f.call("add_robot", {{"RoomId", "obs"}, {"RobotList_Account", {"obs-robot"}}})) == 0);
  REQUIRE(code(f.seat("pick_user_on_seat", {{"RoomId", "obs"}, {"Member_Account", "obs-robot"}, {"Index", 0}})) == 0);
  const auto list = f.seat("get_seat_list", {{"RoomId", "obs"}});
  CHECK(list["Response"]["SeatList"].size() == 9);
  CHECK(list["Response"]["SeatList"][0]["Member_Account"] == "obs-robot");
}

TEST_CASE("IM accounts: import, check, delete in the IM envelope, require_imported_accounts guards owners, robots, admins") {
  Fixture f(/*require_imported=*/true);
  const auto imported = f.call("im_open_login_svc/account_import", {{"UserID", "alice"}, {"Nick", "Alice"}});
  CHECK(f.raw == R"({"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0})");
  CHECK(code(f.call("im_open_login_svc/multiaccount_import", {{"Accounts", {"bob", std::string(33, 'x')}}})) == 0);
  CHECK(f.raw == R"({"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"FailAccounts":[")" + std::string(33, 'x') + R"("]})");
  const auto check = f.call("im_open_login_svc/account_check", {{"CheckItem", {{{"UserID", "alice"}}, {{"UserID", "carol"}}}}});
  CHECK(check["ResultItem"][0]["AccountStatus"] == "Imported");
  CHECK(check["ResultItem"][1]["AccountStatus"] == "NotImported");
  CHECK_FALSE(check.contains("RequestId"));
  const auto bad = f.call("im_open_login_svc/account_import", {{"Nick", "no id"}});
  CHECK(code(bad) == 70402);
  CHECK(f.raw.rfind(R"({"ActionStatus":"FAIL","ErrorInfo":)", 0) == 0);
  // Owners, robots and admins must be imported on this app.
  const auto owner = f.call("create_room", {{"RoomInfo", {{"RoomId", "r"}, {"RoomType", "Live"}, {"Owner_Account", "carol"}}}});
  CHECK(code(owner) == 100002);
  CHECK_THAT(text(owner), Catch::Contains("RoomInfo.Owner_Account \"carol\" is not an imported account"));
  CHECK(code(f.call("create_room", {{"RoomInfo", {{"RoomId", "r"}, {"RoomType", "Live"}, {"Owner_Account", "owner-imported"}}}})) == 0);
  CHECK(code(f.call("add_robot", {{"RoomId", "r"}, {"RobotList_Account", {"carol"}}})) == 100002);
  CHECK(code(f.call("add_robot", {{"RoomId", "r"}, {"RobotList_Account", {"bob"}}})) == 0);
  CHECK(code(f.call("modify_admin", {{"RoomId", "r"}, {"Admin_Account", {"carol"}}, {"OpType", "add"}})) == 100002);
  const auto deleted = f.call("im_open_login_svc/account_delete", {{"DeleteItem", {{{"UserID", "alice"}}, {{"UserID", "nobody"}}}}});
  CHECK(deleted["ResultItem"][0]["ResultCode"] == 0);
  CHECK(deleted["ResultItem"][1]["ResultCode"] == 70107);
  // Accounts reset like everything else: the configured one stays, the imported ones go.
  f.emulator.reset();
  CHECK_FALSE(f.emulator.accounts().imported(88888888, "bob"));
  CHECK(f.emulator.accounts().imported(88888888, "owner-imported"));
}

TEST_CASE("destroy removes every part of a room, a room created again with its id starts empty") {
  Fixture f;
  f.enter("stage", {"alice"});
  f.call("set_room_metadata", {{"RoomId", "stage"}, {"Metadata", metadata({{"a", "1"}})}});
  f.call("modify_admin", {{"RoomId", "stage"}, {"Admin_Account", {"a1"}}, {"OpType", "add"}});
  f.call("ban_member", {{"RoomId", "stage"}, {"MemberList_Account", {"bob"}}, {"Duration", 3600}});
  f.call("add_robot", {{"RoomId", "stage"}, {"RobotList_Account", {"bot"}}});
  f.seat("pick_user_on_seat", {{"RoomId", "stage"}, {"Member_Account", "alice"}, {"Index", 0}});
  REQUIRE(code(f.call("destroy_room", {{"RoomId", "stage"}})) == 0);
  f.emulator.clock().advance(std::chrono::seconds(2));
  REQUIRE(code(f.call("create_room", {{"RoomInfo", {{"RoomId", "stage"}, {"RoomType", "Live"}, {"MaxSeatCount", 4}}}})) == 0);
  CHECK(f.call("get_room_metadata", {{"RoomId", "stage"}})["Response"]["Metadata"] == json::array());
  CHECK(f.call("get_admin_list", {{"RoomId", "stage"}})["Response"]["Admin_Account"] == json::array());
  CHECK(f.call("get_banned_member_list", {{"RoomId", "stage"}})["Response"]["BannedAccountList"] == json::array());
  CHECK(f.call("get_robot", {{"RoomId", "stage"}})["Response"]["RobotList_Account"] == json::array());
  CHECK(f.call("get_member_list", {{"RoomId", "stage"}})["Response"]["MemberCount"] == 0);
  CHECK(f.seat("get_seat_list", {{"RoomId", "stage"}})["Response"]["SeatList"][0]["Member_Account"] == "");
}

TEST_CASE("property: random sequences of the family's calls on a frozen clock keep the room's invariants") {
  // Invariants after every step: a destroyed room has no members left anywhere; seats stay within the
  // room's seat count and hold only members; at most 5 admins; a ban never outlives its end; the
  // counters never fall.
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    Fixture f;
    std::mt19937_64 random(seed);
    const auto pick = [&](std::size_t n) { return static_cast<std::size_t>(random() % n); };
    const std::vector<std::string> users = {"u0", "u1", "u2", "u3", "u4", "u5", "u6", "u7"};
    const std::vector<std::string> rooms = {"stage", "live-room"};
    std::uint64_t viewers_before = 0;
    for (int step = 0; step < 150; ++step) {
      const std::string room = rooms[pick(rooms.size())];
      const std::string user = users[pick(users.size())];
      switch (pick(11)) {
        case 0: f.enter(room, {user}); break;
        case 1: if (f.emulator.rooms().find(88888888, room)) f.leave(room, {user}); break;
        case 2: f.call("add_robot", {{"RoomId", room}, {"RobotList_Account", {user}}}); break;
        case 3: f.call("del_robot", {{"RoomId", room}, {"RobotList_Account", {user}}}); break;
        case 4: f.call("modify_admin", {{"RoomId", room}, {"Admin_Account", {user}}, {"OpType", pick(3) ? "add" : "delete"}}); break;
        case 5: f.call("ban_member", {{"RoomId", room}, {"MemberList_Account", {user}}, {"Duration", 1 + pick(120)}}); break;
        case 6: f.seat("pick_user_on_seat", {{"RoomId", room}, {"Member_Account", user}, {"Index", pick(6)}}); break;
        case 7: f.seat("move_user_to_seat", {{"RoomId", room}, {"Member_Account", user}, {"SeatIndex", pick(6)}, {"Policy", pick(3)}}); break;
        case 8: f.seat("lock_seat", {{"RoomId", room}, {"Index", pick(4)}, {"ForbidTaken", pick(2) == 0}}); break;
        case 9: f.emulator.clock().advance(std::chrono::seconds(1 + pick(90))); f.emulator.catchUp(); break;
        case 10:
          if (pick(4) == 0) {
            f.call("destroy_room", {{"RoomId", room}});
            viewers_before = 0;
            f.emulator.clock().advance(std::chrono::seconds(2));
            f.call("create_room", {{"RoomInfo", {{"RoomId", room}, {"RoomType", "Live"}, {"MaxSeatCount", 4}}}});
            REQUIRE(f.members(room).empty());
          }
          break;
      }
      const std::int64_t now = kNow + std::chrono::duration_cast<std::chrono::seconds>(
                                          f.emulator.clock().now() - Instant(std::chrono::seconds(kNow))).count();
      for (const auto& id : rooms) {
        const auto view = f.emulator.rooms().occupancy(88888888, id);
        if (!view) continue;
        const Room& state = view->room;
        INFO("seed " << seed << ", step " << step << ", room " << id);
        CHECK(state.parts.admins.size() <= 5);
        CHECK(state.parts.seats.size() <= 4);
        for (const auto& seat : state.parts.seats) {
          if (!seat.member.empty()) CHECK(view->occupancy.members.count(seat.member) == 1);
          if (seat.taken_disabled) CHECK(seat.member.empty());
        }
        for (const auto& [member, until] : state.parts.bans) {
          if (until > now) CHECK(view->occupancy.members.count(member) == 0);
        }
        if (id == "stage") {
          CHECK(state.statistic.total_viewers >= viewers_before);
          viewers_before = state.statistic.total_viewers;
        }
      }
    }
  }
}
