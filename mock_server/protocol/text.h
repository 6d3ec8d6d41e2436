// Byte-level text checks shared by the protocol's writers and readers.
#pragma once

#include <string_view>

namespace live::protocol {

// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF), the only text a JSON document such as a UserSig's can carry.
bool isValidUtf8(std::string_view text);

}  // namespace live::protocol
