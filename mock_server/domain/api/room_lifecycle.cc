// The room lifecycle commands' own rows (19 onward) of docs/room-lifecycle.md, one section per
// command; keep them side by side with those tables. Rows 1-18 are the shared check chain.
#include "domain/api/room_lifecycle.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <variant>

#include "domain/api/command_rules.h"
#include "domain/config.h"
#include "domain/api/parse.h"
#include "domain/rooms/room_info.h"
#include "protocol/callback.h"

namespace live::domain {
namespace {

using protocol::ErrorCode;
using ordered_json = nlohmann::ordered_json;

std::optional<Outcome> invalid(std::string problem) { return invalidParameter(std::move(problem)); }

// Row 19 of the commands whose body is {"RoomInfo":{"RoomId":"...", ...}}: RoomInfo, its RoomId, and
// its other members by the RoomInfo table for `use`.
std::optional<Outcome> checkRoomInfoBody(CallContext& context, RoomInfoUse use) {
  const auto& body = context.body;
  if (!body.is_object()) {
    return invalid(fmt::format("the request body must be a JSON object like {{\"RoomInfo\":{{\"RoomId\":\"...\"}}}}, "
                               "not {}",
                               body.type_name()));
  }
  const auto info = body.find("RoomInfo");
  if (info == body.end()) return invalid("the request body has no \"RoomInfo\" field (it is mandatory)");
  if (!info->is_object()) return invalid(fmt::format("\"RoomInfo\" must be an object, not {}", info->type_name()));
  if (auto problem = readRoomId(*info, "RoomInfo.RoomId", context.room_id)) return invalid(std::move(*problem));
  Room scratch;
  std::vector<std::string> given;
  if (auto problem = applyRoomInfo(*info, use, "RoomInfo", scratch, &given, context.ignoredSink())) {
    return invalid(std::move(*problem));
  }
  // update_room_info: RoomId alone, or with members it reads past only (chosen: a call that changes
  // nothing is a mistake).
  if (use == RoomInfoUse::kUpdate && given.empty()) {
    return invalid(context.ignored_members.empty()
                       ? std::string("\"RoomInfo\" names no member to change besides RoomId")
                       : fmt::format("\"RoomInfo\" names no member update_room_info changes (ignored: {})",
                                     fmt::join(context.ignored_members, ", ")));
  }
  context.room_info = &*info;
  return std::nullopt;
}

// Applies the RoomInfo that row 19 checked; what row 19 read past is passed over again.
void applyCheckedRoomInfo(const CallContext& context, RoomInfoUse use, Room& room,
                          std::vector<std::string>* given = nullptr) {
  std::vector<std::string> passed_over;
  applyRoomInfo(*context.room_info, use, "RoomInfo", room, given, &passed_over);
}

}  // namespace

std::optional<Outcome> checkRoomIdBody(CallContext& context) {
  if (!context.body.is_object()) {
    return invalid(fmt::format("the request body must be a JSON object like {{\"RoomId\":\"...\"}}, not {}",
                               context.body.type_name()));
  }
  if (auto problem = readRoomId(context.body, "RoomId", context.room_id)) return invalid(std::move(*problem));
  return std::nullopt;
}

// --- create_room -------------------------------------------------------------------------------

std::optional<Outcome> CreateRoomApi::checkBody(CallContext& context) const {
  if (auto failure = checkRoomInfoBody(context, RoomInfoUse::kCreate)) return failure;
  // RoomType is mandatory and names this product.
  const auto type = context.room_info->find("RoomType");
  if (type == context.room_info->end()) {
    return invalid(fmt::format("\"RoomInfo.RoomType\" is missing (it is mandatory, and must be \"{}\")", kLiveRoomType));
  }
  if (!type->is_string() || type->get_ref<const std::string&>() != kLiveRoomType) {
    return invalid(fmt::format("\"RoomInfo.RoomType\" must be \"{}\", not {}", kLiveRoomType, type->dump()));
  }
  return std::nullopt;
}

Outcome CreateRoomApi::apply(const CallContext& context, DomainState& state) const {
  Room room;
  room.sdkappid = context.sdkappid;
  room.room_id = context.room_id;
  room.name = context.room_id;                   // documented default: the RoomId
  room.owner = std::string(context.identifier);  // documented default: the caller
  room.type = std::string(kLiveRoomType);
  const Instant at = context.decided_at.value_or(context.now);
  room.create_time = unixSeconds(at);
  applyCheckedRoomInfo(context, RoomInfoUse::kCreate, room);
  // Row 19a (chosen): an app with require_imported_accounts takes only imported owners.
  if (auto refusal = requireImported(context, state, "RoomInfo.Owner_Account", room.owner)) return *refusal;

  Room existing;
  switch (state.rooms.create(room, at, kRepeatWindow, &existing)) {
    case RoomStore::CreateResult::kCreated: {
      Outcome success = Outcome::success();
      success.event = RoomEvent{protocol::kCallbackAfterCreateRoom, "", std::make_shared<const Room>(std::move(room)), {}};
      return success;
    }
    case RoomStore::CreateResult::kTooSoon:  // row 20
      return Outcome::reject(ErrorCode::kRoomCreatedTooOften,
                             fmt::format("room \"{}\" was created less than {} s ago; the same RoomId may be created "
                                         "at most once per second",
                                         room.room_id, kRepeatWindow.count()));
    case RoomStore::CreateResult::kInUse:
      if (existing.owner == room.owner) {  // row 21
        return Outcome::reject(ErrorCode::kRoomIdInUseByCaller,
                               fmt::format("room \"{}\" exists already, and its owner is \"{}\" (you)", room.room_id,
                                           existing.owner));
      }
      return Outcome::reject(ErrorCode::kRoomIdInUse,  // row 22
                             fmt::format("RoomId \"{}\" is in use by a room owned by \"{}\"", room.room_id,
                                         existing.owner));
    case RoomStore::CreateResult::kUnknownApp:
      break;
  }
  return Outcome::reject(ErrorCode::kInternalError, fmt::format("internal error: app {} has no rooms", context.sdkappid));
}

// --- get_room_info -----------------------------------------------------------------------------

std::optional<Outcome> GetRoomInfoApi::checkBody(CallContext& context) const { return checkRoomIdBody(context); }

Outcome GetRoomInfoApi::apply(const CallContext& context, DomainState& state) const {
  const auto room = state.rooms.find(context.sdkappid, context.room_id);
  if (!room) return roomNotFound(context);  // row 20
  auto info = roomInfoObject(*room, {"RoomId", "RoomName", "RoomType", "Owner_Account", "CreateTime", "IsSeatEnabled",
                                     "TakeSeatMode", "MaxSeatCount", "MaxMemberCount", "IsMessageDisabled", "CoverURL",
                                     "Category", "ActivityStatus", "ViewCount", "IsPublicVisible",
                                     // Chosen: the members create_room and update_room_info store
                                     // beyond the 2024 page's list, so a client reads back what it set.
                                     "IsUnlimitedRoomEnabled", "SeatLayoutTemplateId", "SeatTemplate",
                                     "KeepOwnerOnSeat", "Notice"});
  // The 2024 pages write TakeSeatMode as 1 (FreeToTake) or 2 (ApplyToTake).
  if (context.response_style == protocol::ResponseStyle::k2024) info["TakeSeatMode"] = room->info.apply_to_take ? 2 : 1;
  return successWith({{"RoomInfo", std::move(info)}});
}

// --- update_room_info --------------------------------------------------------------------------

std::optional<Outcome> UpdateRoomInfoApi::checkBody(CallContext& context) const {
  return checkRoomInfoBody(context, RoomInfoUse::kUpdate);
}

Outcome UpdateRoomInfoApi::apply(const CallContext& context, DomainState& state) const {
  const App& app = *context.app;
  std::optional<Outcome> refusal;
  std::vector<std::string> given;
  Room changed;
  const auto result = state.rooms.modifyIf(context.sdkappid, context.room_id, [&](Room& room) {
    // Row 21: only live rooms are changed through this API.
    if (room.type != kLiveRoomType) {
      refusal = Outcome::reject(ErrorCode::kNoPermission,
                                fmt::format("room \"{}\" is not a live room (its RoomType is \"{}\", expected \"{}\")",
                                            room.room_id, room.type, kLiveRoomType));
      return false;
    }
    // Row 22: the root admin may change any room, another admin only rooms it owns.
    if (!app.isRootAdmin(context.identifier) && context.identifier != room.owner) {
      refusal = Outcome::reject(ErrorCode::kNoPermission,
                                fmt::format("\"{}\" may not change room \"{}\": it is owned by \"{}\" and only its owner "
                                            "or the root admin \"{}\" may",
                                            context.identifier, room.room_id, room.owner, app.root_admin));
      return false;
    }
    applyCheckedRoomInfo(context, RoomInfoUse::kUpdate, room, &given);
    return true;
  }, &changed);
  switch (result) {
    case RoomStore::ModifyResult::kChanged: {
      Outcome success = Outcome::success();
      success.event = RoomEvent{protocol::kCallbackAfterUpdateRoomInfo, "",
                                std::make_shared<const Room>(std::move(changed)), std::move(given)};
      return success;
    }
    case RoomStore::ModifyResult::kRefused:
      return *refusal;
    case RoomStore::ModifyResult::kAbsent:
    case RoomStore::ModifyResult::kUnknownApp:
      break;
  }
  return roomNotFound(context);  // row 20
}

// --- get_room_list -----------------------------------------------------------------------------
//
// Chosen: Next is "<ViewCount>:<RoomId>" of the last room of the page, and the next page starts
// after that position in the order (ViewCount descending, then RoomId ascending), so rooms created
// or destroyed between pages neither shift nor repeat the rest.

namespace {

struct ListPosition {
  std::uint64_t view_count = 0;
  std::string room_id;
};

std::optional<ListPosition> parseNext(std::string_view next) {
  const auto colon = next.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  ListPosition position;
  const auto digits = next.substr(0, colon);
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), position.view_count);
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  position.room_id = std::string(next.substr(colon + 1));
  if (position.room_id.empty()) return std::nullopt;
  return position;
}

// Chosen: the first page is asked for with "" (documented), "0" (Tencent's console sends it) or
// "undefined" (a demo server sends it when its own caller gave no cursor).
bool startsTheList(std::string_view next) { return next.empty() || next == "0" || next == "undefined"; }

// True when `room` comes before `position` in the list's order.
bool before(const Room& room, const ListPosition& position) {
  const auto count = viewCount(room);
  if (count != position.view_count) return count > position.view_count;
  return room.room_id < position.room_id;
}

struct ListRequest {
  std::string next;
  std::uint32_t count = GetRoomListApi::kMaxCount;
};

// Row 19: {"Next":"", "Count":20}, both optional.
std::variant<ListRequest, Outcome> readListRequest(const nlohmann::json& body) {
  if (!body.is_object()) {
    return *invalid(fmt::format("the request body must be a JSON object like {{\"Next\":\"\",\"Count\":20}}, not {}",
                                body.type_name()));
  }
  ListRequest request;
  if (const auto next = body.find("Next"); next != body.end()) {
    if (!next->is_string()) return *invalid(fmt::format("\"Next\" must be a string, not {}", next->type_name()));
    request.next = next->get<std::string>();
    if (!startsTheList(request.next) && !parseNext(request.next)) {
      return *invalid(fmt::format("\"Next\" is {}, which is not a Next this server gave (start with \"\")",
                                  next->dump()));
    }
  }
  if (const auto count = body.find("Count"); count != body.end()) {
    const auto value = nonNegativeInteger(*count);
    if (!value || *value < 1 || *value > GetRoomListApi::kMaxCount) {
      return *invalid(fmt::format("\"Count\" must be an integer in 1..{}, not {}", GetRoomListApi::kMaxCount,
                                  count->dump()));
    }
    request.count = static_cast<std::uint32_t>(*value);
  }
  return request;
}

}  // namespace

std::optional<Outcome> GetRoomListApi::checkBody(CallContext& context) const {
  auto request = readListRequest(context.body);
  if (auto* failure = std::get_if<Outcome>(&request)) return std::move(*failure);
  return std::nullopt;
}

Outcome GetRoomListApi::apply(const CallContext& context, DomainState& state) const {
  const auto request = std::get<ListRequest>(readListRequest(context.body));  // checked in row 19
  auto rooms = state.rooms.list(context.sdkappid).value_or(std::vector<Room>{});
  // Listed: public live rooms (chosen: rooms of another RoomType are another product's).
  std::erase_if(rooms, [](const Room& room) { return !room.info.is_public_visible || room.type != kLiveRoomType; });
  std::sort(rooms.begin(), rooms.end(), [](const Room& a, const Room& b) {
    const auto va = viewCount(a), vb = viewCount(b);
    return va != vb ? va > vb : a.room_id < b.room_id;
  });
  auto first = rooms.begin();
  if (!startsTheList(request.next)) {
    const auto position = *parseNext(request.next);
    first = std::find_if(rooms.begin(), rooms.end(), [&](const Room& room) {
      return !before(room, position) && !(viewCount(room) == position.view_count && room.room_id == position.room_id);
    });
  }
  ordered_json list = ordered_json::array();
  auto it = first;
  for (; it != rooms.end() && list.size() < request.count; ++it) {
    list.push_back(roomInfoObject(*it, {"RoomId", "RoomName", "Owner_Account", "CoverURL", "Category", "CreateTime",
                                        "ActivityStatus", "ViewCount"}));
  }
  // An empty Next ends the listing.
  const std::string next =
      it == rooms.end() || list.empty() ? std::string() : fmt::format("{}:{}", viewCount(*std::prev(it)), std::prev(it)->room_id);
  return successWith({{"Next", next}, {"RoomList", std::move(list)}});
}

// --- get_room_stats ----------------------------------------------------------------------------

std::optional<Outcome> RoomCountersApi::checkBody(CallContext& context) const { return checkRoomIdBody(context); }

Outcome RoomCountersApi::apply(const CallContext& context, DomainState& state) const {
  const auto room = state.rooms.find(context.sdkappid, context.room_id);
  if (!room) return roomNotFound(context);  // row 20
  // The counters without the Statistic wrapper, plus TotalMsgCount.
  return successWith(countersToJson(room->statistic));
}

}  // namespace live::domain
