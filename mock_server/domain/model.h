// The emulator's domain values: apps and rooms, in the vendor's words.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace live::domain {

using SdkAppId = std::uint32_t;

enum class AppStatus { kActive, kDisabled, kExpired };

std::string_view toString(AppStatus status);
std::optional<AppStatus> appStatusFromString(std::string_view text);

// An app as the vendor's console knows it. Immutable once configured.
struct App {
  SdkAppId sdkappid = 0;
  std::string secret_key;
  std::string root_admin = "administrator";
  std::vector<std::string> admins;  // further App admins, without the root admin
  AppStatus status = AppStatus::kActive;

  bool isRootAdmin(std::string_view identifier) const { return identifier == root_admin; }
  bool isAdmin(std::string_view identifier) const {
    return isRootAdmin(identifier) ||
           std::find(admins.begin(), admins.end(), identifier) != admins.end();
  }
};

// The RoomType of rooms this API family manages; any other type stands for another product.
inline constexpr std::string_view kLiveRoomType = "Live";
// RoomId is 1..48 bytes (doc).
inline constexpr std::size_t kMaxRoomIdBytes = 48;

struct Room {
  SdkAppId sdkappid = 0;
  std::string room_id;
  std::string owner;
  std::string type{kLiveRoomType};
  std::string name;  // defaults to room_id
  std::int64_t create_time = 0;  // Unix seconds

  bool operator==(const Room&) const = default;
};

}  // namespace live::domain
