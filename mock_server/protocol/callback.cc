#include "protocol/callback.h"

#include <openssl/sha.h>

#include <algorithm>
#include <array>

namespace live::protocol {

bool isCallbackCommand(std::string_view command) {
  return std::find(std::begin(kCallbackCommands), std::end(kCallbackCommands), command) !=
         std::end(kCallbackCommands);
}

std::string callbackSign(std::string_view token, std::int64_t request_time) {
  std::string text(token);
  text += std::to_string(request_time);
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(digest.size() * 2);
  for (const unsigned char byte : digest) {
    hex += kHex[byte >> 4];
    hex += kHex[byte & 0x0f];
  }
  return hex;
}

}  // namespace live::protocol
