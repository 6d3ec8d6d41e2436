// OpenSSL does the coding; this file only enforces the strictness its EVP_DecodeBlock lacks
// (it skips whitespace and cannot tell padding bytes from data).
#include "protocol/base64.h"

#include <openssl/evp.h>

namespace live::protocol {
namespace {

bool isAlphabet(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

}  // namespace

std::string base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(bytes.data()),
                                      static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

std::optional<std::string> base64Decode(std::string_view text) {
  // Strip at most two trailing '=' and check that everything before is alphabet.
  std::size_t data_length = text.size();
  std::size_t padding = 0;
  while (data_length > 0 && text[data_length - 1] == '=' && padding < 2) {
    --data_length;
    ++padding;
  }
  for (std::size_t i = 0; i < data_length; ++i) {
    if (!isAlphabet(text[i])) return std::nullopt;
  }
  const std::size_t remainder = data_length % 4;
  if (remainder == 1) return std::nullopt;
  // Padding, when present, must complete the last quantum exactly.
  if (padding > 0 && (data_length + padding) % 4 != 0) return std::nullopt;
  if (data_length == 0) return std::string();

  std::string padded(text.substr(0, data_length));
  const std::size_t added = remainder == 0 ? 0 : 4 - remainder;
  padded.append(added, '=');

  std::string out(padded.size() / 4 * 3, '\0');
  const int decoded = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(padded.data()),
                                      static_cast<int>(padded.size()));
  if (decoded < 0) return std::nullopt;
  out.resize(static_cast<std::size_t>(decoded) - added);
  return out;
}

}  // namespace live::protocol
