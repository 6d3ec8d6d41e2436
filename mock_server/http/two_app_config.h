// Test support for the HTTP layer's tests: two apps (88888888 with admins admin and ops, 1400000000
// with admin) and three rooms, on a clock frozen at kTestNow.
#pragma once

#include <chrono>
#include <cstdint>

#include "domain/config.h"
#include "domain/emulator.h"

namespace live::http::testing {

inline constexpr std::int64_t kTestNow = 1700000000;

inline domain::EmulatorConfig twoAppConfig() {
  return domain::parseConfig(R"({
    "apps": [{"sdkappid": 88888888, "secret_key": "emulator-secret-key", "admins": ["admin", "ops"]},
             {"sdkappid": 1400000000, "secret_key": "other-key", "admins": ["admin"]}],
    "rooms": [{"sdkappid": 88888888, "room_id": "live-room", "owner": "admin"},
              {"sdkappid": 88888888, "room_id": "second-room", "owner": "admin"},
              {"sdkappid": 1400000000, "room_id": "live-room", "owner": "admin"}]
  })").value();
}

inline domain::EmulatorOptions frozenAtTestNow() {
  domain::EmulatorOptions options;
  options.frozen_clock = domain::Instant(std::chrono::seconds(kTestNow));
  return options;
}

}  // namespace live::http::testing
