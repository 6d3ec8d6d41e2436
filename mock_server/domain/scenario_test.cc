// The recipes shipped in fixtures/scenarios/ do what their descriptions say, against the embedded
// default app.
#include "domain/scenario.h"

#include <catch2/catch.hpp>
#include <filesystem>

#include "domain/emulator.h"

using namespace live::domain;

namespace {

constexpr std::int64_t kNow = 1700000000;

ApiCall destroy(const std::string& identifier, const std::string& room_id, std::int64_t issued_at = kNow,
                std::int64_t expire = 86400) {
  const auto usersig = live::protocol::generateUserSig(
      {88888888, "emulator-secret-key", identifier, issued_at, expire, std::nullopt});
  return ApiCall{"POST",
                 "/v4/live_engine_http_srv/destroy_room",
                 {{"sdkappid", "88888888"}, {"identifier", identifier}, {"usersig", usersig},
                  {"random", "7"}, {"contenttype", "json"}},
                 nlohmann::json{{"RoomId", room_id}}.dump(),
                 "",
                 "application/json"};
}

// An emulator on the embedded default with `file` applied at start, clock frozen at kNow.
std::unique_ptr<Emulator> withScenario(const std::string& file) {
  const auto config = embeddedDefaultConfig();
  auto scenario = loadScenarioFile(std::string(LIVE_FIXTURES_DIR) + "/scenarios/" + file, config.apps);
  REQUIRE(scenario.ok());
  CHECK_FALSE(scenario.value().description.empty());
  EmulatorOptions options;
  options.frozen_clock = Instant(std::chrono::seconds(kNow));
  options.scenarios.push_back(scenario.value());
  return std::make_unique<Emulator>(config, options);
}

std::int64_t code(Emulator& emulator, const ApiCall& call) {
  return emulator.handle(call).envelope.error_code;
}

}  // namespace

TEST_CASE("every shipped scenario parses") {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(LIVE_FIXTURES_DIR) + "/scenarios")) {
    INFO(entry.path());
    CHECK(loadScenarioFile(entry.path(), embeddedDefaultConfig().apps).ok());
    ++count;
  }
  CHECK(count == 10);
}

TEST_CASE("recipe: internal error then success") {
  auto emulator = withScenario("internal-error-then-success.json");
  CHECK(code(*emulator, destroy("admin", "live-room")) == 100001);
  CHECK(code(*emulator, destroy("admin", "live-room")) == 0);
}

TEST_CASE("recipe: a burst trips the rate limit") {
  auto emulator = withScenario("rate-limit-burst.json");
  for (int i = 0; i < 200; ++i) REQUIRE(code(*emulator, destroy("admin", "none")) == 100004);
  CHECK(code(*emulator, destroy("admin", "none")) == 60007);
  emulator->clock().advance(std::chrono::seconds(1));
  CHECK(code(*emulator, destroy("admin", "none")) == 100004);
}

TEST_CASE("recipe: response lost after the destroy") {
  auto emulator = withScenario("response-lost-after-destroy.json");
  CHECK(emulator->handle(destroy("admin", "live-room")).http_status == 502);
  CHECK(code(*emulator, destroy("admin", "live-room")) == 100004);
}

TEST_CASE("recipe: expired UserSig") {
  auto emulator = withScenario("expired-usersig.json");
  CHECK(code(*emulator, destroy("admin", "live-room", kNow, 15552000)) == 70001);
}

TEST_CASE("recipe: app disabled, app package expired") {
  CHECK(code(*withScenario("app-disabled.json"), destroy("admin", "live-room")) == 60016);
  CHECK(code(*withScenario("app-package-expired.json"), destroy("admin", "live-room")) == 60020);
}

TEST_CASE("recipe: room owned by another admin") {
  auto emulator = withScenario("room-owned-by-another-admin.json");
  CHECK(code(*emulator, destroy("admin", "ops-room")) == 100006);
  CHECK(code(*emulator, destroy("administrator", "ops-room")) == 0);
}

TEST_CASE("recipe: non-live room") {
  auto emulator = withScenario("non-live-room.json");
  CHECK(code(*emulator, destroy("admin", "meeting-room")) == 100006);
}

TEST_CASE("scenario app statuses accept an sdkappid however the JSON was built") {
  const auto apps = embeddedDefaultConfig().apps;
  CHECK(parseScenario(nlohmann::json{{"apps", {{{"sdkappid", 88888888}, {"status", "disabled"}}}}}, apps).ok());
  CHECK_FALSE(parseScenario(nlohmann::json{{"apps", {{{"sdkappid", -1}, {"status", "disabled"}}}}}, apps).ok());
}

namespace {

void advance(Emulator& emulator, double seconds) {
  emulator.apply(ClockSetting{ClockSetting::Kind::kAdvance, seconds});
}

bool hasRoom(Emulator& emulator, const std::string& room_id) {
  const auto rooms = emulator.rooms().list(88888888).value();
  return std::any_of(rooms.begin(), rooms.end(), [&](const Room& room) { return room.room_id == room_id; });
}

const JournalEntry* systemEntry(const std::vector<JournalEntry>& entries) {
  for (const auto& entry : entries) {
    if (entry.event == "DestroyBySystem") return &entry;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("recipe: room emptied and dissolved by the system, at the instant its 30 minutes end") {
  auto emulator = withScenario("room-emptied-dissolved-by-system.json");
  advance(*emulator, 1799);
  CHECK(hasRoom(*emulator, "party"));  // one second early: still there
  CHECK(systemEntry(emulator->journal().entries()) == nullptr);
  advance(*emulator, 1);
  CHECK_FALSE(hasRoom(*emulator, "party"));  // the clock's move dissolved it, no call needed
  const auto entries = emulator->journal().entries();
  const auto* dissolved = systemEntry(entries);
  REQUIRE(dissolved != nullptr);
  CHECK(dissolved->reason == "empty_room");
  CHECK(dissolved->room_id == "party");
  CHECK(unixSeconds(dissolved->time) == kNow + 1800);  // when it happened
  CHECK(emulator->handle(destroy("admin", "party", kNow + 1800)).envelope.error_code == 100004);
}

TEST_CASE("recipe: owner left, room dissolved after the app's owner-left time") {
  auto emulator = withScenario("owner-left-dissolved.json");
  advance(*emulator, 599);
  CHECK(hasRoom(*emulator, "stage"));
  advance(*emulator, 1);
  CHECK_FALSE(hasRoom(*emulator, "stage"));
  const auto entries = emulator->journal().entries();
  const auto* dissolved = systemEntry(entries);
  REQUIRE(dissolved != nullptr);
  CHECK(dissolved->reason == "owner_left");
  CHECK(emulator->handle(destroy("admin", "stage", kNow + 600)).envelope.error_code == 100004);
  // Reset brings the room back, with its history, and the rule.
  emulator->reset();
  CHECK(hasRoom(*emulator, "stage"));
  CHECK(emulator->rooms().rules(88888888)->owner_left_enabled);
}
