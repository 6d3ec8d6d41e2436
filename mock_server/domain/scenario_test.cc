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
  CHECK(count == 8);
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
