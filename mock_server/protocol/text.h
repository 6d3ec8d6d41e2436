// Byte-level text checks shared by the protocol's writers and readers.
#pragma once

#include <string>
#include <string_view>

namespace live::protocol {

// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF), the only text a JSON document such as a UserSig's can carry.
bool isValidUtf8(std::string_view text);

// Appends `text` as a JSON string. Printable ASCII (nearly all of it) is escaped here, which only
// means '"' and '\\'; anything else goes through nlohmann::json, which escapes control characters
// and replaces invalid UTF-8. The envelope, the journal and the request log all write with it.
void appendJsonString(std::string& out, std::string_view text);

}  // namespace live::protocol
