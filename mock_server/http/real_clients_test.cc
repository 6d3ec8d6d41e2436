// The call sequences that real clients send every day (Tencent's live console and its OBS flow),
// over HTTP, with their exact bodies: each call is served (no 100002, no 60009), and the members
// the emulator reads past are named in the journal (docs/room-family.md, docs/room-lifecycle.md).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "domain/config.h"
#include "protocol/endpoints.h"
#include "testing/test_server.h"
#include "testing/vendor_request.h"

using namespace live;
using json = nlohmann::json;

namespace {

constexpr std::int64_t kNow = 1700000000;

domain::EmulatorOptions frozen() {
  domain::EmulatorOptions options;
  options.frozen_clock = domain::Instant(std::chrono::seconds(kNow));
  return options;
}

struct Console {
  explicit Console(domain::EmulatorConfig config = domain::embeddedDefaultConfig())
      : server(std::move(config), frozen()), client(server.client()) {}

  // One call as the console sends it: signed once as administrator for 7 days, a fresh random.
  json call(const std::string& path, const json& body) {
    auto request = testing::destroyRoomRequest(88888888, "administrator", "emulator-secret-key", "", kNow, 604800);
    request.path = path;
    request.set("random", std::to_string(++random));
    request.body = body.dump();
    const auto response = testing::send(*client, request);
    REQUIRE(response.http_status == 200);
    INFO(path << " " << body.dump() << " -> " << response.body);
    const auto answer = json::parse(response.body);
    CHECK(answer["ErrorCode"] == 0);
    return answer;
  }
  std::vector<std::string> lastIgnored() {
    const auto read = server.emulator().journal().select({}, std::nullopt, 1, /*newest=*/true);
    REQUIRE(read.entries.size() == 1);
    return read.entries.back()->ignored;
  }

  testing::TestServer server;
  std::unique_ptr<httplib::Client> client;
  std::uint32_t random = 1000;
};

std::string liveApi(const char* command) { return std::string("/v4/live_engine_http_srv/") + command; }

}  // namespace

TEST_CASE("Tencent's live console: create in both modes, info, metadata, list from \"0\", update, statistic, destroy") {
  Console console;
  for (const bool obs_mode : {false, true}) {
    const std::string room = obs_mode ? "console-obs" : "console-room";
    json info = {{"RoomId", room}, {"RoomType", "Live"}, {"SeatTemplate", "VideoDynamicGrid9Seats"},
                 {"Owner_Account", "host"}, {"IsUnlimitedRoomEnabled", true}, {"TakeSeatMode", "ApplyToTake"},
                 {"RoomName", "Evening show"}};
    if (obs_mode) info["KeepOwnerOnSeat"] = false;
    console.call(liveApi("create_room"), {{"RoomInfo", info}});
    CHECK(console.lastIgnored().empty());
    const auto read = console.call(liveApi("get_room_info"), {{"RoomId", room}});
    CHECK(read["Response"]["RoomInfo"]["IsUnlimitedRoomEnabled"] == true);
    CHECK(read["Response"]["RoomInfo"]["KeepOwnerOnSeat"] == !obs_mode);
    console.call(liveApi("get_room_metadata"), {{"RoomId", room}, {"Keys", json::array()}});
    const auto list = console.call(liveApi("get_room_list"), {{"Next", "0"}, {"Count", 20}});
    CHECK(list["Response"]["RoomList"].size() >= 1);
    console.call(liveApi("update_room_info"),
                 {{"RoomInfo", {{"RoomId", room}, {"IsUnlimitedRoomEnabled", true}, {"RoomName", "Late show"}}}});
    // Every edit carries IsUnlimitedRoomEnabled, which update does not take: read past, and named.
    CHECK(console.lastIgnored() == std::vector<std::string>{"RoomInfo.IsUnlimitedRoomEnabled"});
    CHECK(console.call(liveApi("get_room_info"), {{"RoomId", room}})["Response"]["RoomInfo"]["RoomName"] == "Late show");
    const auto statistic = console.call(liveApi("get_room_statistic"), {{"RoomId", room}});
    CHECK(statistic["Response"].contains("TotalViewers"));
    console.call(liveApi("destroy_room"), {{"RoomId", room}});
  }
}

TEST_CASE("The OBS setup flow: import the owner and the robot, create with seats, add the robot, seat it") {
  auto config = domain::embeddedDefaultConfig();
  config.apps[0].require_imported_accounts = true;  // as the vendor's pages say production does
  Console obs(config);
  obs.call("/v4/im_open_login_svc/account_import", {{"UserID", "streamer"}, {"Nick", "Streamer"}});
  obs.call("/v4/im_open_login_svc/account_import", {{"UserID", "obs-robot"}});
  obs.call(liveApi("create_room"), {{"RoomInfo", {{"RoomId", "obs-room"}, {"RoomType", "Live"}, {"Owner_Account", "streamer"},
                                               {"KeepOwnerOnSeat", false}, {"SeatTemplate", "VideoDynamicGrid9Seats"}}}});
  obs.call(liveApi("add_robot"), {{"RoomId", "obs-room"}, {"RobotList_Account", {"obs-robot"}}});
  obs.call("/v4/room_engine_http_mic/pick_user_on_seat", {{"RoomId", "obs-room"}, {"Member_Account", "obs-robot"}, {"Index", 0}});
  const auto seats = obs.call("/v4/room_engine_http_mic/get_seat_list", {{"RoomId", "obs-room"}});
  CHECK(seats["Response"]["SeatList"][0]["Member_Account"] == "obs-robot");
  CHECK(obs.call(liveApi("get_robot"), {{"RoomId", "obs-room"}})["Response"]["RobotList_Account"] == json{"obs-robot"});
}
