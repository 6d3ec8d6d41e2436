// Small parsing rules shared by the check chain, the configuration, fault rules, scenarios and the
// control API, so that each is written once.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

namespace live::domain {

// Decimal digits only (no sign, no spaces; leading zeros allowed), value in 0..4294967295.
inline std::optional<std::uint32_t> parseDecimalUint32(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
    if (value > UINT32_MAX) return std::nullopt;
  }
  return static_cast<std::uint32_t>(value);
}

// A JSON integer >= 0, however it was built (parsed text gives unsigned numbers, C++ ints give
// signed ones); nullopt for anything else, fractional numbers included.
inline std::optional<std::uint64_t> nonNegativeInteger(const nlohmann::json& value) {
  if (value.is_number_unsigned()) return value.get<std::uint64_t>();
  if (value.is_number_integer() && value.get<std::int64_t>() >= 0) {
    return static_cast<std::uint64_t>(value.get<std::int64_t>());
  }
  return std::nullopt;
}

}  // namespace live::domain
