// libFuzzer target: the UserSig decoder (base64url, inflate, JSON, claims) and the signature check,
// on arbitrary `usersig` parameter values. Any crash, sanitizer report or leak is a finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocol/base64.h"
#include "protocol/usersig.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)live::protocol::base64Decode(input);
  const auto claims = live::protocol::decodeUserSig(input);
  if (claims) {
    (void)claims.value().validUntil();
    (void)claims.value().expiredAt(1'700'000'000);
    (void)live::protocol::userSigSignatureMatches(claims.value(), "emulator-secret-key");
  }
  return 0;
}
