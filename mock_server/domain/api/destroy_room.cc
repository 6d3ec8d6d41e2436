// destroy_room's own rows of docs/destroy_room.md, "The check table" (19-22) and the removal itself. Rows 20-22
// run under the app's room lock together with the removal, so two concurrent destroys of one room
// see exactly one success.
#include "domain/api/destroy_room.h"

#include <fmt/format.h>

#include "domain/config.h"
#include "domain/api/command_rules.h"
#include "domain/api/room_lifecycle.h"
#include "protocol/callback.h"

namespace live::domain {

using protocol::ErrorCode;

std::optional<Outcome> DestroyRoomApi::checkBody(CallContext& context) const {
  return checkRoomIdBody(context);  // row 19
}

Outcome DestroyRoomApi::apply(const CallContext& context, DomainState& state) const {
  const App& app = *context.app;
  std::optional<Outcome> refusal;
  std::optional<Room> dissolved;
  const auto result = state.rooms.removeIf(app.sdkappid, context.room_id, [&](const Room& room) {
    // Row 21: only live rooms can be dissolved through this API.
    if (room.type != kLiveRoomType) {
      refusal = Outcome::reject(
          ErrorCode::kNoPermission,
          fmt::format("room \"{}\" is not a live room (its RoomType is \"{}\", expected \"{}\")",
                      room.room_id, room.type, kLiveRoomType));
      return false;
    }
    // Row 22: the root admin may dissolve any room, another admin only rooms it owns.
    if (!app.isRootAdmin(context.identifier) && context.identifier != room.owner) {
      refusal = Outcome::reject(
          ErrorCode::kNoPermission,
          fmt::format("\"{}\" may not dissolve room \"{}\": it is owned by \"{}\" and only its "
                      "owner or the root admin \"{}\" may",
                      context.identifier, room.room_id, room.owner, app.root_admin));
      return false;
    }
    dissolved = room;
    return true;
  });
  switch (result) {
    case RoomStore::RemoveResult::kRemoved: {
      // The dissolved room's counters; only the current response style sends them.
      Outcome success = Outcome::success();
      success.extra_members = statisticResponseMembers(dissolved->statistic);
      success.event = RoomEvent{protocol::kCallbackAfterDestroyRoom, "DestroyByUser",
                                std::make_shared<const Room>(std::move(*dissolved)), {}};
      return success;
    }
    case RoomStore::RemoveResult::kRefused:
      return *refusal;
    case RoomStore::RemoveResult::kAbsent:
    case RoomStore::RemoveResult::kUnknownApp:
      break;
  }
  return roomNotFound(context);  // row 20: never created, or already destroyed
}

}  // namespace live::domain
