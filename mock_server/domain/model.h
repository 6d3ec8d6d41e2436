// The emulator's domain values: apps and rooms, in the vendor's words.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/envelope.h"

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
  // The shape of this app's answers (docs/destroy_room.md, "The two response shapes").
  protocol::ResponseStyle response_style = protocol::ResponseStyle::k2024;

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

// The five counters the vendor keeps about a room's life and reports when it is dissolved
// (docs/destroy_room.md, "The two response shapes"). Vendor names in comments.
struct RoomStatistic {
  std::uint64_t total_viewers = 0;              // TotalViewers: room entries, repeats counted
  std::uint64_t total_gifts_sent = 0;           // TotalGiftsSent
  std::uint64_t total_gift_coins = 0;           // TotalGiftCoins
  std::uint64_t total_unique_gift_senders = 0;  // TotalUniqueGiftSenders
  std::uint64_t total_likes_received = 0;       // TotalLikesReceived

  bool operator==(const RoomStatistic&) const = default;
  bool isZero() const { return *this == RoomStatistic{}; }
};

struct Room {
  SdkAppId sdkappid = 0;
  std::string room_id;
  std::string owner;
  std::string type{kLiveRoomType};
  std::string name;  // defaults to room_id
  std::int64_t create_time = 0;  // Unix seconds
  RoomStatistic statistic;

  bool operator==(const Room&) const = default;
};

}  // namespace live::domain
