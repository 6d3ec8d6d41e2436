// The emulator's domain values: apps and rooms, in the vendor's words.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
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

// The vendor's rules for dissolving a live room by itself, per app (docs/control-api.md,
// "Occupancy and self-dissolving rooms"). A room with a robot member never dissolves by itself.
struct AutoDissolveRules {
  // At least one member had entered, the room became empty, and nobody entered for this long.
  // Documented: default 30 min, 10 min .. 24 h, cannot be turned off.
  std::chrono::minutes empty_room{30};
  // The owner left and did not come back for this long. Documented: off by default, 10 min,
  // 2 min .. 12 h.
  bool owner_left_enabled = false;
  std::chrono::minutes owner_left{10};
  // The owner's heartbeat was lost and not restored for this long. Documented default 10 min; that
  // it is on by default, can be turned off, and ranges over 2 min .. 12 h is chosen.
  bool owner_heartbeat_lost_enabled = true;
  std::chrono::minutes owner_heartbeat_lost{10};

  bool operator==(const AutoDissolveRules&) const = default;
};

// Why the system dissolved a room.
enum class DissolveReason { kEmptyRoom, kOwnerLeft, kOwnerHeartbeatLost };
std::string_view toString(DissolveReason reason);  // "empty_room", "owner_left", ...

// An app as the vendor's console knows it. Immutable once configured.
struct App {
  SdkAppId sdkappid = 0;
  std::string secret_key;
  std::string root_admin = "administrator";
  std::vector<std::string> admins;  // further App admins, without the root admin
  AppStatus status = AppStatus::kActive;
  // The shape of this app's answers (docs/destroy_room.md, "The two response shapes").
  protocol::ResponseStyle response_style = protocol::ResponseStyle::k2024;
  AutoDissolveRules auto_dissolve;
  // Chosen: off, so a body member that a command does not document is ignored and journaled, as
  // production does; on, it is refused with 100002 (docs/destroy_room.md, "Body members").
  bool strict_members = false;
  // Chosen: off. On, room owners, robots and admins must be accounts imported through
  // v4/im_open_login_svc/ (docs/room-family.md, "IM accounts"), as the vendor's pages say of
  // production.
  bool require_imported_accounts = false;
  // The IM accounts the app starts with (and returns to on reset).
  std::vector<std::string> imported_accounts;

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
// An account the family's commands name (Member_Account, RobotList_Account, ...): 1..48 bytes
// (chosen, as Owner_Account). An IM UserID: 1..32 bytes (documented).
inline constexpr std::size_t kMaxAccountBytes = 48;
inline constexpr std::size_t kMaxImUserIdBytes = 32;

// The five counters the vendor keeps about a room's life and reports when it is dissolved
// (docs/destroy_room.md, "The two response shapes"). Vendor names in comments.
struct RoomStatistic {
  std::uint64_t total_viewers = 0;              // TotalViewers: room entries, repeats counted
  std::uint64_t total_gifts_sent = 0;           // TotalGiftsSent
  std::uint64_t total_gift_coins = 0;           // TotalGiftCoins
  std::uint64_t total_unique_gift_senders = 0;  // TotalUniqueGiftSenders
  std::uint64_t total_likes_received = 0;       // TotalLikesReceived
  // TotalMsgCount: reported by get_room_stats only, not in destroy_room's Statistic.
  std::uint64_t total_msg_count = 0;

  bool operator==(const RoomStatistic&) const = default;
  bool isZero() const { return *this == RoomStatistic{}; }
};

// What happens in a room, as the vendor's client SDKs would report it (membership is not driven by
// REST); the control API and scenarios play these events.
struct MemberEvents {
  std::vector<std::pair<std::string, bool>> enter;  // member id, is a robot
  std::vector<std::string> leave;
  std::optional<bool> owner_heartbeat_lost;  // true: lost, false: restored
};

// What create_room and update_room_info set besides the id, name, owner and type, in the vendor's
// words (docs/room-lifecycle.md, "RoomInfo"). Every member's default is the vendor's default for a
// room created without it.
struct RoomInfo {
  std::string cover_url;                    // CoverURL, at most 200 bytes
  bool is_message_disabled = false;         // IsMessageDisabled
  std::vector<std::int64_t> category;       // Category, at most 3 integers
  bool is_public_visible = true;            // IsPublicVisible: listed by get_room_list
  bool is_seat_enabled = false;             // IsSeatEnabled
  bool apply_to_take = false;               // TakeSeatMode: "ApplyToTake" (true) or "FreeToTake"
  std::uint32_t max_seat_count = 0;         // MaxSeatCount
  std::uint32_t max_member_count = 0;       // MaxMemberCount
  std::uint32_t activity_status = 0;        // ActivityStatus
  bool is_unlimited_room_enabled = false;   // IsUnlimitedRoomEnabled
  std::uint32_t seat_layout_template_id = 0;  // SeatLayoutTemplateId
  std::string seat_template;                // SeatTemplate (the 2026 page), e.g. "AudioSalon"
  bool keep_owner_on_seat = true;           // KeepOwnerOnSeat (create_room; the console's OBS mode sends false)
  std::string notice;                       // Notice, at most 100 bytes

  bool operator==(const RoomInfo&) const = default;
  bool isDefault() const { return *this == RoomInfo{}; }
};

// One seat of a room that has seats (docs/room-family.md, "Seats").
struct Seat {
  std::string member;            // Member_Account on the seat; empty when free
  bool taken_disabled = false;   // IsTakenDisabled (lock_seat's ForbidTaken)
  bool video_disabled = false;   // IsVideoDisabled (ForbidVideo)
  bool audio_disabled = false;   // IsAudioDisabled (ForbidAudio)

  bool operator==(const Seat&) const = default;
};

// What the family's commands keep in a room besides RoomInfo and the counters
// (docs/room-family.md). Members and robots are the room's occupancy (RoomStore::Occupancy).
struct RoomParts {
  std::vector<std::string> admins;                            // modify_admin; at most 5, in the order added
  std::map<std::string, std::int64_t, std::less<>> bans;      // member -> banned until (Unix seconds)
  std::vector<std::pair<std::string, std::string>> metadata;  // Key, Value, in the order first set
  std::vector<Seat> seats;                                    // empty until a seat command first uses them

  bool operator==(const RoomParts&) const = default;
  bool empty() const { return admins.empty() && bans.empty() && metadata.empty() && seats.empty(); }
};

struct Room {
  SdkAppId sdkappid = 0;
  std::string room_id;
  std::string owner;
  std::string type{kLiveRoomType};
  std::string name;  // defaults to room_id
  std::int64_t create_time = 0;  // Unix seconds
  RoomStatistic statistic;
  RoomInfo info;
  RoomParts parts;

  bool operator==(const Room&) const = default;
};

}  // namespace live::domain
