// Test support for the domain's tests: a vendor-API call signed for `identifier` of app 88888888
// (key "emulator-secret-key") at `now`, handed straight to Emulator::handle, no HTTP.
#pragma once

#include <cstdint>
#include <string>

#include "domain/emulator.h"
#include "protocol/usersig.h"

namespace live::domain {

inline ApiAnswer signedCall(Emulator& emulator, const std::string& path, const std::string& body,
                            const std::string& identifier, std::int64_t now) {
  const auto usersig = protocol::generateUserSig({88888888, "emulator-secret-key", identifier, now, 86400, std::nullopt});
  return emulator.handle(ApiCall{"POST",
                                 path,
                                 {{"sdkappid", "88888888"},
                                  {"identifier", identifier},
                                  {"usersig", usersig},
                                  {"random", "1"},
                                  {"contenttype", "json"}},
                                 body,
                                 "127.0.0.1:1",
                                 "application/json"});
}

}  // namespace live::domain
