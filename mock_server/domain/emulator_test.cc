// Emulator as a whole, without HTTP: the documented default limit, its overrides, reset, and the
// rooms' create_time default.
#include "domain/emulator.h"

#include <catch2/catch.hpp>

#include "domain/api/destroy_room.h"

using namespace live::domain;

namespace {

constexpr std::int64_t kNow = 1700000000;

ApiCall destroyCall(const std::string& room_id) {
  const auto usersig = live::protocol::generateUserSig(
      {88888888, "emulator-secret-key", "admin", kNow, 86400, std::nullopt});
  return ApiCall{"POST",
                 "/v4/live_engine_http_srv/destroy_room",
                 {{"sdkappid", "88888888"},
                  {"identifier", "admin"},
                  {"usersig", usersig},
                  {"random", "1"},
                  {"contenttype", "json"}},
                 nlohmann::json{{"RoomId", room_id}}.dump(),
                 "127.0.0.1:1",
                 "application/json"};
}

EmulatorOptions frozen() {
  EmulatorOptions options;
  options.frozen_clock = Instant(std::chrono::seconds(kNow));
  return options;
}

int admittedOutOf(Emulator& emulator, int attempts) {
  int admitted = 0;
  for (int i = 0; i < attempts; ++i) {
    if (emulator.handle(destroyCall("missing")).envelope.error_code != 60007) ++admitted;
  }
  return admitted;
}

}  // namespace

TEST_CASE("destroy_room's documented limit of 200 per second is the default") {
  Emulator emulator(embeddedDefaultConfig(), frozen());
  CHECK(emulator.rateLimit(DestroyRoomApi()) == 200);
  CHECK(admittedOutOf(emulator, 250) == 200);
  emulator.clock().advance(std::chrono::seconds(1));
  CHECK(admittedOutOf(emulator, 250) == 200);
}

TEST_CASE("rateWindows shows each app and API's use of its limit over the last second of the clock") {
  Emulator emulator(embeddedDefaultConfig(), frozen());
  const auto destroyWindow = [&emulator] {
    for (const auto& window : emulator.rateWindows()) {
      if (window.sdkappid == 88888888 && window.api == "destroy_room") return window;
    }
    FAIL("no window for destroy_room");
    return Emulator::RateWindow{};
  };
  CHECK(destroyWindow().in_window == 0);
  CHECK(destroyWindow().limit == 200);
  admittedOutOf(emulator, 250);
  CHECK(destroyWindow().in_window == 200);  // refused calls use no quota
  emulator.clock().advance(std::chrono::milliseconds(999));
  CHECK(destroyWindow().in_window == 200);
  emulator.clock().advance(std::chrono::milliseconds(1));
  CHECK(destroyWindow().in_window == 0);
  CHECK(emulator.rateWindows().size() == emulator.config().apps.size() * emulatedApis().size());
}

TEST_CASE("one fault rule is removed by its id, the others stay") {
  Emulator emulator(embeddedDefaultConfig(), frozen());
  FaultRule rule;
  rule.api = "destroy_room";
  const auto first = emulator.faults().add(rule);
  const auto second = emulator.faults().add(rule);
  CHECK(emulator.faults().remove(first));
  CHECK_FALSE(emulator.faults().remove(first));
  REQUIRE(emulator.faults().list().size() == 1);
  CHECK(emulator.faults().list()[0].id == second);
}

TEST_CASE("the config's rate_limits override the documented limit, --rate-limit overrides both") {
  auto config = embeddedDefaultConfig();
  config.rate_limits["destroy_room"] = 3;
  {
    Emulator emulator(config, frozen());
    CHECK(admittedOutOf(emulator, 10) == 3);
  }
  auto options = frozen();
  options.rate_limit = 5;
  {
    Emulator emulator(config, options);
    CHECK(admittedOutOf(emulator, 10) == 5);
  }
  options.rate_limit = 0;
  Emulator unlimited(config, options);
  CHECK(admittedOutOf(unlimited, 1000) == 1000);
}

TEST_CASE("reset restores rooms, limiter and clock") {
  auto options = frozen();
  options.rate_limit = 2;
  Emulator emulator(embeddedDefaultConfig(), options);
  CHECK(emulator.handle(destroyCall("live-room")).envelope.error_code == 0);
  CHECK(emulator.handle(destroyCall("live-room")).envelope.error_code == 100004);
  CHECK(emulator.handle(destroyCall("live-room")).envelope.error_code == 60007);
  emulator.clock().advance(std::chrono::hours(1));
  emulator.reset();
  CHECK(unixSeconds(emulator.clock().now()) == kNow);
  CHECK(emulator.handle(destroyCall("live-room")).envelope.error_code == 0);
}

TEST_CASE("rooms without create_time are stamped with the clock at load") {
  Emulator emulator(embeddedDefaultConfig(), frozen());
  CHECK(emulator.rooms().list(88888888)->at(0).create_time == kNow);
}

namespace {

// A sender whose queue is full after `capacity` callbacks.
struct FakeSender final : CallbackSender {
  explicit FakeSender(std::size_t room) : capacity(room) {}
  bool enqueue(OutgoingCallback callback) override {
    if (sent.size() >= capacity) return false;
    sent.push_back(std::move(callback));
    return true;
  }
  std::size_t capacity;
  std::vector<OutgoingCallback> sent;
};

EmulatorConfig configWithCallback() {
  return parseConfig(R"({
    "apps": [{"sdkappid": 88888888, "secret_key": "emulator-secret-key", "admins": ["admin"],
              "callback": {"url": "http://127.0.0.1:1/cb", "commands": ["Live.CallbackAfterDestroyRoom"]}}],
    "rooms": [{"sdkappid": 88888888, "room_id": "a", "owner": "admin"},
              {"sdkappid": 88888888, "room_id": "b", "owner": "admin"}]
  })").value();
}

}  // namespace

TEST_CASE("callbacks: a full queue is recorded as overflow, never dropped silently") {
  Emulator emulator(configWithCallback(), frozen());
  FakeSender sender(1);
  emulator.setCallbackSender(&sender);
  REQUIRE(emulator.handle(destroyCall("a")).envelope.error_code == 0);
  REQUIRE(emulator.handle(destroyCall("b")).envelope.error_code == 0);
  CHECK(sender.sent.size() == 1);
  const auto deliveries = emulator.callbackLog().select({});
  REQUIRE(deliveries.size() == 2);
  CHECK(deliveries[0].state == "pending");
  CHECK(deliveries[1].state == "overflow");
  CHECK_THAT(deliveries[1].error, Catch::Contains("queue is full"));
  emulator.setCallbackSender(nullptr);
}

TEST_CASE("callbacks: with no sender they are recorded as unsent, and a failed destroy makes none") {
  Emulator emulator(configWithCallback(), frozen());
  REQUIRE(emulator.handle(destroyCall("missing")).envelope.error_code == 100004);
  CHECK(emulator.callbackLog().select({}).empty());
  REQUIRE(emulator.handle(destroyCall("a")).envelope.error_code == 0);
  const auto deliveries = emulator.callbackLog().select({});
  REQUIRE(deliveries.size() == 1);
  CHECK(deliveries[0].state == "unsent");
  CHECK(deliveries[0].work->url().rfind("http://127.0.0.1:1/cb?SdkAppid=88888888&CallbackCommand=Live.CallbackAfterDestroyRoom", 0) == 0);
}
