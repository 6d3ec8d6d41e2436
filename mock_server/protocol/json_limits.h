// Guards applied before handing untrusted text to the JSON parser.
#pragma once

#include <cstddef>
#include <string_view>

namespace live::protocol {

// Deepest nesting of arrays and objects accepted in any JSON the emulator parses (chosen).
inline constexpr std::size_t kMaxJsonDepth = 64;

// The maximum nesting depth of arrays/objects in `text`, counted without parsing (strings and
// escapes are skipped). Stops counting once `limit` is exceeded and returns limit + 1.
std::size_t jsonNestingDepth(std::string_view text, std::size_t limit = kMaxJsonDepth);

}  // namespace live::protocol
