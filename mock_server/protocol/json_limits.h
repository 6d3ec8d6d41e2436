// Guards applied before handing untrusted text to the JSON parser.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string_view>

#include "protocol/result.h"

namespace live::protocol {

// Deepest nesting of arrays and objects accepted in any JSON the emulator parses (chosen).
inline constexpr std::size_t kMaxJsonDepth = 64;

// The maximum nesting depth of arrays/objects in `text`, counted without parsing (strings and
// escapes are skipped). Stops counting once `limit` is exceeded and returns limit + 1.
std::size_t jsonNestingDepth(std::string_view text, std::size_t limit = kMaxJsonDepth);

// Parses JSON that came from outside. Nesting is capped at kMaxJsonDepth before parsing (so no
// deep recursion), and every nlohmann exception becomes a failure: parse errors, and also number
// overflow ("1e400"), which nlohmann throws even when asked not to throw. The failure reads as
// the end of a sentence: "nested deeper than 64 levels", "not valid JSON (at byte 7)".
Result<nlohmann::json> parseUntrustedJson(std::string_view text);

}  // namespace live::protocol
