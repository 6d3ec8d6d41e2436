// String forms of the domain enums, as the config file and the control API spell them.
#include "domain/rooms/model.h"

namespace live::domain {

std::string_view toString(AppStatus status) {
  switch (status) {
    case AppStatus::kActive:
      return "active";
    case AppStatus::kDisabled:
      return "disabled";
    case AppStatus::kExpired:
      return "expired";
  }
  return "active";
}

std::optional<AppStatus> appStatusFromString(std::string_view text) {
  if (text == "active") return AppStatus::kActive;
  if (text == "disabled") return AppStatus::kDisabled;
  if (text == "expired") return AppStatus::kExpired;
  return std::nullopt;
}

std::string_view toString(DissolveReason reason) {
  switch (reason) {
    case DissolveReason::kEmptyRoom:
      return "empty_room";
    case DissolveReason::kOwnerLeft:
      return "owner_left";
    case DissolveReason::kOwnerHeartbeatLost:
      return "owner_heartbeat_lost";
  }
  return "empty_room";
}

}  // namespace live::domain
