// A single pass over the bytes: enough to bound recursion before nlohmann::json builds a value.
#include "protocol/json_limits.h"

#include <fmt/format.h>

#include <optional>

#include "protocol/text.h"

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

namespace {

// A string member's text between its quotes that needs no unescaping: no quote, backslash or
// control character, and valid UTF-8 (nlohmann's parser refuses invalid UTF-8 too).
bool isPlainJsonStringText(std::string_view text) {
  for (const char c : text) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) return false;
  }
  return isValidUtf8(text);
}

// {"key":"value"} written compactly with plain strings, the shape of nearly every request body
// (destroy_room's {"RoomId":"..."}), read without the general parser: the same value, at a
// fraction of the cost. Anything else returns nullopt and goes to the parser.
std::optional<nlohmann::json> readFlatStringPair(std::string_view text) {
  if (text.size() < 7 || text.substr(0, 2) != "{\"" || text.substr(text.size() - 2) != "\"}") return std::nullopt;
  const std::string_view inner = text.substr(2, text.size() - 4);  // key":"value
  const auto separator = inner.find("\":\"");
  if (separator == std::string_view::npos) return std::nullopt;
  const std::string_view key = inner.substr(0, separator);
  const std::string_view value = inner.substr(separator + 3);
  if (!isPlainJsonStringText(key) || !isPlainJsonStringText(value)) return std::nullopt;
  nlohmann::json object(nlohmann::json::value_t::object);
  object.emplace(std::string(key), std::string(value));
  return object;
}

}  // namespace

Result<nlohmann::json> parseUntrustedJson(std::string_view text) {
  if (auto flat = readFlatStringPair(text)) return std::move(*flat);
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
