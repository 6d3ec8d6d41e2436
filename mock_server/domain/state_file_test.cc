// --state-file: created from the config, the state when it exists, durable per change, refused
// when corrupt (never replaced), rewritten by reset, compacted as it grows.
#include "domain/state_file.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "domain/config.h"
#include "domain/emulator.h"

using namespace live::domain;

namespace {

constexpr std::int64_t kNow = 1700000000;

std::string tempPath(const std::string& name) {
  const auto directory = std::filesystem::temp_directory_path() / "live_state_file_test";
  std::filesystem::create_directories(directory);
  const auto path = directory / name;
  std::filesystem::remove(path);
  return path.string();
}

std::string contents(const std::string& path) {
  std::ifstream stream(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
}

void write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

EmulatorConfig twoRooms() {
  auto config = parseConfig(R"({"apps": [{"sdkappid": 88888888, "secret_key": "k",
      "root_admin": "administrator", "admins": ["admin"]}],
    "rooms": [{"sdkappid": 88888888, "room_id": "a", "owner": "admin", "create_time": 1},
              {"sdkappid": 88888888, "room_id": "b", "owner": "admin", "create_time": 2}]})");
  return std::move(config).value();
}

EmulatorOptions frozen() {
  EmulatorOptions options;
  options.frozen_clock = Instant(std::chrono::seconds(kNow));
  return options;
}

std::vector<std::string> roomIds(const std::vector<Room>& rooms) {
  std::vector<std::string> ids;
  for (const auto& room : rooms) ids.push_back(room.room_id);
  return ids;
}

const std::string kHeader = R"({"format":"live-emulator-state","version":1})";

}  // namespace

TEST_CASE("a missing state file is created from the config's rooms") {
  const auto path = tempPath("created.state");
  Emulator emulator(twoRooms(), frozen());
  auto file = StateFile::attach(path, emulator);
  REQUIRE(file.ok());
  const auto read = StateFile::read(path, emulator.config().apps);
  REQUIRE(read.ok());
  CHECK(read.value() == emulator.rooms().all());
  CHECK(contents(path).rfind(kHeader + "\n", 0) == 0);
}

TEST_CASE("every change is in the file before the call returns, an existing file is the state") {
  const auto path = tempPath("changes.state");
  {
    Emulator emulator(twoRooms(), frozen());
    auto file = StateFile::attach(path, emulator);
    REQUIRE(file.ok());
    CHECK(emulator.rooms().remove(88888888, "a") == RoomStore::RemoveResult::kRemoved);
    CHECK(emulator.rooms().add({88888888, "c", "admin", "Live", "C", 3, {}, {}, {}}) ==
          RoomStore::AddResult::kAdded);
    // Read while the first emulator still runs: nothing is buffered.
    CHECK(roomIds(StateFile::read(path, emulator.config().apps).value()) ==
          std::vector<std::string>{"b", "c"});
  }
  Emulator restarted(twoRooms(), frozen());  // the config still lists "a"
  auto file = StateFile::attach(path, restarted);
  REQUIRE(file.ok());
  CHECK(roomIds(restarted.rooms().all()) == std::vector<std::string>{"b", "c"});
}

TEST_CASE("reset returns to the config's rooms and rewrites the file") {
  const auto path = tempPath("reset.state");
  Emulator emulator(twoRooms(), frozen());
  auto file = StateFile::attach(path, emulator);
  REQUIRE(file.ok());
  emulator.rooms().remove(88888888, "a");
  emulator.reset();
  CHECK(roomIds(StateFile::read(path, emulator.config().apps).value()) ==
        std::vector<std::string>{"a", "b"});
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST_CASE("a corrupt or unreadable state file is refused, naming the file and line, and kept") {
  struct Case {
    std::string content;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"", "the state file is empty"},
      {"hello\n", ":1: not a live-emulator state file"},
      {R"({"format":"live-emulator-state","version":2})" "\n", ":1: state file version 2 is not supported"},
      {kHeader + "\n{\"put\":{\"sdkappid\":88888888,\"room_id\":\"x\"\n{\"put\":{}}\n",
       ":2: the state file is corrupt: the record is not valid JSON"},
      {kHeader + "\n{\"put\":{\"sdkappid\":5,\"room_id\":\"x\",\"owner\":\"o\",\"type\":\"Live\","
                 "\"name\":\"x\",\"create_time\":1}}\n",
       ":2: the state file is corrupt: put.sdkappid: no app 5 is configured"},
      {kHeader + "\n{\"put\":{\"sdkappid\":88888888,\"room_id\":\"x\",\"owner\":\"o\"}}\n",
       ":2: the state file is corrupt: put.create_time: required in a state file"},
      {kHeader + "\n{\"drop\":1}\n", ":2: the state file is corrupt: expected an object with one key"},
      {kHeader + "\n{\"remove\":{\"sdkappid\":-1,\"room_id\":\"a\"}}\n",
       ":2: the state file is corrupt: remove.sdkappid"},
  };
  for (const auto& test : cases) {
    INFO(test.content);
    const auto path = tempPath("corrupt.state");
    write(path, test.content);
    Emulator emulator(twoRooms(), frozen());
    const auto file = StateFile::attach(path, emulator);
    REQUIRE_FALSE(file.ok());
    CHECK_THAT(file.error(), Catch::StartsWith(path) && Catch::Contains(test.message));
    CHECK(contents(path) == test.content);  // never silently replaced
  }
  const auto directory = tempPath("a-directory.state");
  std::filesystem::create_directories(directory);
  Emulator emulator(twoRooms(), frozen());
  const auto file = StateFile::attach(directory, emulator);
  REQUIRE_FALSE(file.ok());
  CHECK_THAT(file.error(), Catch::StartsWith(directory) && Catch::Contains("cannot be read"));
}

TEST_CASE("a last record cut off mid-write was never acknowledged: it is ignored, with a note") {
  const auto path = tempPath("torn.state");
  const std::string put_a =
      R"({"put":{"sdkappid":88888888,"room_id":"a","owner":"admin","type":"Live","name":"a","create_time":1}})";
  const std::string put_b =
      R"({"put":{"sdkappid":88888888,"room_id":"b","owner":"admin","type":"Live","name":"b","create_time":2}})";
  write(path, kHeader + "\n" + put_a + "\n" + put_b +
                  "\n{\"remove\":{\"sdkappid\":88888888,\"room_id\":\"a\"}}\n"
                  "{\"remove\":{\"sdkappid\":88888888,\"ro");
  Emulator emulator(twoRooms(), frozen());
  std::vector<std::string> notes;
  const auto file = StateFile::attach(path, emulator, &notes);
  REQUIRE(file.ok());
  CHECK(roomIds(emulator.rooms().all()) == std::vector<std::string>{"b"});
  REQUIRE(notes.size() == 1);
  CHECK_THAT(notes[0], Catch::Contains(":5: ignored an incomplete last record"));
  CHECK(contents(path).back() == '\n');  // rewritten whole at start
}

TEST_CASE("the log is compacted as it grows, and stays correct") {
  const auto path = tempPath("compact.state");
  Emulator emulator(twoRooms(), frozen());
  auto file = StateFile::attach(path, emulator);
  REQUIRE(file.ok());
  for (int i = 0; i < 3000; ++i) {
    emulator.rooms().put({88888888, "churn", "admin", "Live", "churn", i, {}, {}, {}});
    emulator.rooms().remove(88888888, "churn");
  }
  emulator.rooms().put({88888888, "last", "admin", "Live", "last", 9, {}, {}, {}});
  // 6001 records were written; compaction keeps the file near the live state's size.
  CHECK(std::filesystem::file_size(path) < 1200 * 100);
  CHECK(roomIds(StateFile::read(path, emulator.config().apps).value()) ==
        std::vector<std::string>{"a", "b", "last"});
}

TEST_CASE("a room's counters survive a restart, and rooms without counters are written without them") {
  const auto path = tempPath("statistic.state");
  {
    Emulator emulator(twoRooms(), frozen());
    auto file = StateFile::attach(path, emulator);
    REQUIRE(file.ok());
    const auto changed = emulator.rooms().modify(88888888, "a", [](Room& room) {
      room.statistic.total_viewers = 12;
      room.statistic.total_likes_received = 3;
    });
    REQUIRE(changed.has_value());
  }
  const std::string text = contents(path);
  CHECK(text.find(R"("room_id":"b")") != std::string::npos);
  CHECK(text.find(R"("statistic")") == text.rfind(R"("statistic")"));  // only room a's line has one
  Emulator restarted(twoRooms(), frozen());
  auto file = StateFile::attach(path, restarted);
  REQUIRE(file.ok());
  const auto rooms = restarted.rooms().list(88888888).value();
  REQUIRE(rooms.size() == 2);
  CHECK(rooms[0].statistic.total_viewers == 12);
  CHECK(rooms[0].statistic.total_likes_received == 3);
  CHECK(rooms[1].statistic.isZero());
}

TEST_CASE("a room made by create_room is in the file, with its RoomInfo, and survives a restart") {
  const auto path = tempPath("created.state");
  {
    Emulator emulator(twoRooms(), frozen());
    auto file = StateFile::attach(path, emulator);
    REQUIRE(file.ok());
    const auto usersig = live::protocol::generateUserSig({88888888, "k", "admin", kNow, 86400, std::nullopt});
    const auto answer = emulator.handle(ApiCall{"POST",
                                                "/v4/live_engine_http_srv/create_room",
                                                {{"sdkappid", "88888888"},
                                                 {"identifier", "admin"},
                                                 {"usersig", usersig},
                                                 {"random", "1"},
                                                 {"contenttype", "json"}},
                                                R"({"RoomInfo":{"RoomId":"made","RoomType":"Live","CoverURL":"https://c","Category":[7]}})",
                                                "127.0.0.1:1",
                                                "application/json"});
    REQUIRE(answer.envelope.error_code == 0);
  }
  const std::string text = contents(path);
  CHECK(text.find(R"("info":{"Category":[7],"CoverURL":"https://c"})") != std::string::npos);
  CHECK(text.find(R"("info")") == text.rfind(R"("info")"));  // only the created room's line has one
  Emulator restarted(twoRooms(), frozen());
  auto file = StateFile::attach(path, restarted);
  REQUIRE(file.ok());
  const auto made = restarted.rooms().find(88888888, "made");
  REQUIRE(made);
  CHECK(made->owner == "admin");
  CHECK(made->create_time == kNow);
  CHECK(made->info.cover_url == "https://c");
  CHECK(made->info.category == std::vector<std::int64_t>{7});
}

TEST_CASE("IM accounts and a room's parts survive a restart, and a reset's accounts too") {
  const auto path = tempPath("accounts.state");
  {
    Emulator emulator(twoRooms(), frozen());
    auto file = StateFile::attach(path, emulator);
    REQUIRE(file.ok());
    emulator.accounts().put(88888888, "alice", {"Alice", "https://face"});
    emulator.accounts().put(88888888, "bob", {});
    REQUIRE(emulator.accounts().remove(88888888, "bob"));
    Room room = *emulator.rooms().find(88888888, emulator.rooms().list(88888888)->front().room_id);
    room.parts.admins = {"a1"};
    room.parts.metadata = {{"topic", "music"}};
    room.parts.bans["troll"] = kNow + 60;
    REQUIRE(emulator.rooms().put(room));
  }
  const std::string text = contents(path);
  CHECK(text.find(R"({"account_put":{"FaceUrl":"https://face","Nick":"Alice","UserID":"alice","sdkappid":88888888}})") !=
        std::string::npos);
  CHECK(text.find(R"({"account_remove":{"UserID":"bob","sdkappid":88888888}})") != std::string::npos);
  {
    Emulator restarted(twoRooms(), frozen());
    auto file = StateFile::attach(path, restarted);
    REQUIRE(file.ok());
    CHECK(restarted.accounts().list(88888888) == AccountStore::Accounts{{"alice", ImAccount{"Alice", "https://face"}}});
    const auto rooms = restarted.rooms().list(88888888).value();
    CHECK(rooms.front().parts.admins == std::vector<std::string>{"a1"});
    CHECK(rooms.front().parts.bans.at("troll") == kNow + 60);
    restarted.reset();  // the configured accounts (none) are what the file keeps from now on
  }
  Emulator again(twoRooms(), frozen());
  auto file = StateFile::attach(path, again);
  REQUIRE(file.ok());
  CHECK(again.accounts().list(88888888).empty());
  // A record that names an app the config does not have is corruption, named with its line.
  std::ofstream(path, std::ios::app) << R"({"account_put":{"sdkappid":5,"UserID":"x"}})" << '\n';
  Emulator corrupt(twoRooms(), frozen());
  const auto refused = StateFile::attach(path, corrupt);
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.error(), Catch::Contains("account_put.sdkappid: no app 5 is configured"));
}
