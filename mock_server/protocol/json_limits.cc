// A single pass over the bytes: enough to bound recursion before nlohmann::json builds a value.
#include "protocol/json_limits.h"

#include <fmt/format.h>

namespace live::protocol {

std::size_t jsonNestingDepth(std::string_view text, std::size_t limit) {
  std::size_t depth = 0;
  std::size_t deepest = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (++depth > deepest) {
          deepest = depth;
          if (deepest > limit) return limit + 1;
        }
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default:
        break;
    }
  }
  return deepest;
}

Result<nlohmann::json> parseUntrustedJson(std::string_view text) {
  if (jsonNestingDepth(text) > kMaxJsonDepth) {
    return Failure{fmt::format("nested deeper than {} levels", kMaxJsonDepth)};
  }
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& error) {
    return Failure{fmt::format("not valid JSON (at byte {})", error.byte)};
  } catch (const nlohmann::json::exception&) {
    return Failure{"not valid JSON (a number is out of range)"};
  }
}

}  // namespace live::protocol
