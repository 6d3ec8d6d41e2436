// Standard base64 (RFC 4648, '+/' with '=' padding) over OpenSSL's codec, with strict input rules.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace live::protocol {

std::string base64Encode(std::string_view bytes);

// Decodes standard base64. Padding may be present or absent; any character outside the alphabet,
// misplaced padding or an impossible length yields nullopt.
std::optional<std::string> base64Decode(std::string_view text);

}  // namespace live::protocol
