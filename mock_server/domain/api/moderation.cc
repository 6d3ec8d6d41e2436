// Robots, members, admins and bans: their own rows (docs/room-family.md, "Robots", "Members",
// "Admins", "Bans"). Robots and members are the room's occupancy, the same that the control API's
// members call changes and that self-dissolution reads: a robot in a room keeps it from dissolving
// by itself.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "domain/api/command_rules.h"
#include "domain/api/family.h"
#include "domain/api/room_lifecycle.h"
#include "domain/rooms/room_parts.h"

namespace live::domain {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

Outcome notLive(const Room& room) {
  return Outcome::reject(protocol::ErrorCode::kNoPermission,
                         fmt::format("room \"{}\" is not a live room (its RoomType is \"{}\"); the room type must be "
                                     "\"{}\"",
                                     room.room_id, room.type, kLiveRoomType));
}

std::optional<std::string> readRobots(const json& body, std::vector<std::string>& robots) {
  return readAccountList(body, "RobotList_Account", kMaxAccountsPerCall, robots);
}

}  // namespace

// --- add_robot ---------------------------------------------------------------------------------

std::optional<Outcome> AddRobotApi::checkBody(CallContext& context) const {
  return checkRoomBody(context, [](const json& body) {
    std::vector<std::string> robots;
    return readRobots(body, robots);
  });
}

Outcome AddRobotApi::apply(const CallContext& context, DomainState& state) const {
  std::vector<std::string> robots;
  readRobots(context.body, robots);
  for (const auto& robot : robots) {  // row 22 (chosen): imported accounts only, when the app says so
    if (auto refusal = requireImported(context, state, "RobotList_Account", robot)) return *refusal;
  }
  std::optional<Outcome> refusal;
  const auto result = state.rooms.modifyRoom(context.sdkappid, context.room_id, callTime(context),
                                             [&](Room& room, const RoomStore::Occupancy&, MemberEvents& events) {
                                               if (room.type != kLiveRoomType) {  // row 21
                                                 refusal = notLive(room);
                                                 return false;
                                               }
                                               for (const auto& robot : robots) events.enter.emplace_back(robot, true);
                                               return true;
                                             });
  return answerOf(result, refusal, context);  // row 20: 100004
}

// --- get_robot ---------------------------------------------------------------------------------

std::optional<Outcome> GetRobotApi::checkBody(CallContext& context) const { return checkRoomIdBody(context); }

Outcome GetRobotApi::apply(const CallContext& context, DomainState& state) const {
  const auto view = state.rooms.occupancy(context.sdkappid, context.room_id);
  if (!view) return roomNotFound(context);  // row 20
  std::vector<std::string> robots;
  for (const auto& [member, robot] : view->occupancy.members) {
    if (robot) robots.push_back(member);
  }
  return successWith({{"RobotList_Account", robots}});
}

// --- del_robot ---------------------------------------------------------------------------------

std::optional<Outcome> DelRobotApi::checkBody(CallContext& context) const {
  return checkRoomBody(context, [](const json& body) {
    std::vector<std::string> robots;
    return readRobots(body, robots);
  });
}

Outcome DelRobotApi::apply(const CallContext& context, DomainState& state) const {
  std::vector<std::string> robots;
  readRobots(context.body, robots);
  const auto result = state.rooms.modifyRoom(
      context.sdkappid, context.room_id, callTime(context),
      [&](Room&, const RoomStore::Occupancy& occupancy, MemberEvents& events) {
        // Only robots leave; an account that is not a robot of the room is passed over (chosen).
        for (const auto& robot : robots) {
          const auto it = occupancy.members.find(robot);
          if (it != occupancy.members.end() && it->second) events.leave.push_back(robot);
        }
        return true;
      });
  return answerOf(result, std::nullopt, context);  // row 20: 100004
}

// --- get_member_list ---------------------------------------------------------------------------
//
// Chosen: members (robots included) in account order, kMemberPage a page; Next is the last account
// of the page, and "" when the list ends. The vendor refreshes its list every 40 s; the emulator's
// is always current.

std::optional<Outcome> GetMemberListApi::checkBody(CallContext& context) const {
  return checkRoomBody(context, [](const json& body) -> std::optional<std::string> {
    const auto next = body.find("Next");
    if (next != body.end() && !next->is_string()) return fmt::format("\"Next\" must be a string, not {}", next->type_name());
    return std::nullopt;
  });
}

Outcome GetMemberListApi::apply(const CallContext& context, DomainState& state) const {
  const auto view = state.rooms.occupancy(context.sdkappid, context.room_id);
  if (!view) return roomNotFound(context);  // row 20
  const std::string after = context.body.value("Next", std::string());
  const auto& members = view->occupancy.members;
  auto it = after.empty() ? members.begin() : members.upper_bound(after);
  ordered_json list = ordered_json::array();
  std::string last;
  for (; it != members.end() && list.size() < kMemberPage; ++it) {
    list.push_back({{"Member_Account", it->first}});
    last = it->first;
  }
  return successWith({{"Next", it == members.end() ? std::string() : last},
                      {"MemberCount", members.size()},
                      {"MemberList", std::move(list)}});
}

// --- get_admin_list ----------------------------------------------------------------------------

std::optional<Outcome> GetAdminListApi::checkBody(CallContext& context) const { return checkRoomIdBody(context); }

Outcome GetAdminListApi::apply(const CallContext& context, DomainState& state) const {
  const auto room = state.rooms.find(context.sdkappid, context.room_id);
  if (!room) return roomNotFound(context);  // row 20
  return successWith({{"Admin_Account", room->parts.admins}});
}

// --- modify_admin ------------------------------------------------------------------------------

namespace {

struct AdminChange {
  std::vector<std::string> accounts;
  bool add = true;
};

std::optional<std::string> readAdminChange(const json& body, AdminChange& change) {
  if (auto problem = readAccountList(body, "Admin_Account", kMaxRoomAdmins, change.accounts)) return problem;
  const auto op = body.find("OpType");
  if (op == body.end()) return "the request body has no \"OpType\" field (it is mandatory: \"add\" or \"delete\")";
  if (!op->is_string() || (*op != "add" && *op != "delete")) {
    return fmt::format("\"OpType\" must be \"add\" or \"delete\", not {}", op->dump());
  }
  change.add = *op == "add";
  return std::nullopt;
}

}  // namespace

std::optional<Outcome> ModifyAdminApi::checkBody(CallContext& context) const {
  return checkRoomBody(context, [](const json& body) {
    AdminChange change;
    return readAdminChange(body, change);
  });
}

Outcome ModifyAdminApi::apply(const CallContext& context, DomainState& state) const {
  AdminChange change;
  readAdminChange(context.body, change);
  if (change.add) {
    for (const auto& admin : change.accounts) {  // row 21 (chosen)
      if (auto refusal = requireImported(context, state, "Admin_Account", admin)) return *refusal;
    }
  }
  std::optional<Outcome> refusal;
  const auto result = state.rooms.modifyRoom(
      context.sdkappid, context.room_id, callTime(context), [&](Room& room, const RoomStore::Occupancy&, MemberEvents&) {
        auto& admins = room.parts.admins;
        if (!change.add) {  // an account that is not an admin is passed over (chosen)
          std::erase_if(admins, [&](const std::string& admin) {
            return std::find(change.accounts.begin(), change.accounts.end(), admin) != change.accounts.end();
          });
          return true;
        }
        for (const auto& admin : change.accounts) {
          if (std::find(admins.begin(), admins.end(), admin) == admins.end()) admins.push_back(admin);
        }
        if (admins.size() > kMaxRoomAdmins) {  // row 22: documented
          refusal = Outcome::reject(protocol::ErrorCode::kTooManyAdmins,
                                    fmt::format("room \"{}\" would have {} admins; at most {} are allowed",
                                                room.room_id, admins.size(), kMaxRoomAdmins));
          return false;
        }
        return true;
      });
  return answerOf(result, refusal, context);  // row 20: 100004
}

// --- ban_member, unban_member, get_banned_member_list ------------------------------------------
//
// A ban lasts Duration seconds on the emulator's clock; a banned member who is in the room leaves it
// (and any seat), and cannot enter until the ban ends (chosen: the vendor says only the latter).

namespace {

struct BanRequest {
  std::vector<std::string> members;
  std::uint64_t duration = 0;
};

std::optional<std::string> readBan(const json& body, BanRequest& ban) {
  if (auto problem = readAccountList(body, "MemberList_Account", kMaxAccountsPerCall, ban.members)) return problem;
  if (const auto reason = body.find("Reason"); reason != body.end()) {
    if (!reason->is_string() || reason->get_ref<const std::string&>().size() > kMaxBanReasonBytes) {
      return fmt::format("\"Reason\" must be a string of at most {} bytes", kMaxBanReasonBytes);
    }
  }
  if (auto problem = readInteger(body, "Duration", UINT32_MAX, ban.duration)) return problem;
  if (ban.duration == 0) return "\"Duration\" must be at least 1 (seconds)";
  return std::nullopt;
}

}  // namespace

std::optional<Outcome> BanMemberApi::checkBody(CallContext& context) const {
  return checkRoomBody(context, [](const json& body) {
    BanRequest ban;
    return readBan(body, ban);
  });
}

Outcome BanMemberApi::apply(const CallContext& context, DomainState& state) const {
  BanRequest ban;
  readBan(context.body, ban);
  const Instant at = callTime(context);
  const std::int64_t until = unixSeconds(at) + static_cast<std::int64_t>(ban.duration);
  const auto result = state.rooms.modifyRoom(
      context.sdkappid, context.room_id, at, [&](Room& room, const RoomStore::Occupancy& occupancy, MemberEvents& events) {
        for (const auto& member : ban.members) {
          room.parts.bans[member] = until;
          if (occupancy.members.count(member) != 0) events.leave.push_back(member);
        }
        return true;
      });
  return answerOf(result, std::nullopt, context);  // row 20: 100004
}

std::optional<Outcome> UnbanMemberApi::checkBody(CallContext& context) const {
  return checkRoomBody(context, [](const json& body) {
    std::vector<std::string> members;
    return readAccountList(body, "MemberList_Account", kMaxAccountsPerCall, members);
  });
}

Outcome UnbanMemberApi::apply(const CallContext& context, DomainState& state) const {
  std::vector<std::string> members;
  readAccountList(context.body, "MemberList_Account", kMaxAccountsPerCall, members);
  const auto result = state.rooms.modifyRoom(context.sdkappid, context.room_id, callTime(context),
                                             [&](Room& room, const RoomStore::Occupancy&, MemberEvents&) {
                                               for (const auto& member : members) room.parts.bans.erase(member);
                                               return true;
                                             });
  return answerOf(result, std::nullopt, context);  // row 20: 100004
}

namespace {

std::optional<std::string> readPage(const json& body, std::uint64_t& offset, std::uint64_t& limit) {
  if (auto problem = readInteger(body, "Offset", UINT32_MAX, offset, 0)) return problem;
  if (auto problem = readInteger(body, "Limit", kMaxBannedPage, limit, kMaxBannedPage)) return problem;
  if (limit == 0) return fmt::format("\"Limit\" must be an integer in 1..{}, not 0", kMaxBannedPage);
  return std::nullopt;
}

}  // namespace

std::optional<Outcome> GetBannedMemberListApi::checkBody(CallContext& context) const {
  return checkRoomBody(context, [](const json& body) {
    std::uint64_t offset = 0, limit = 0;
    return readPage(body, offset, limit);
  });
}

Outcome GetBannedMemberListApi::apply(const CallContext& context, DomainState& state) const {
  const auto room = state.rooms.find(context.sdkappid, context.room_id);
  if (!room) return roomNotFound(context);  // row 20
  std::uint64_t offset = 0, limit = 0;
  readPage(context.body, offset, limit);
  // Bans that have ended are not listed (they expire on the emulator's clock).
  const auto bans = activeBans(room->parts, unixSeconds(callTime(context)));
  ordered_json list = ordered_json::array();
  std::size_t i = static_cast<std::size_t>(std::min<std::uint64_t>(offset, bans.size()));
  for (; i < bans.size() && list.size() < limit; ++i) {
    list.push_back({{"Member_Account", bans[i].first}, {"BannedUntil", bans[i].second}});
  }
  // Chosen: NextOffset is where the next page starts, and 0 when the list ends.
  return successWith({{"BannedAccountList", std::move(list)}, {"NextOffset", i < bans.size() ? i : 0}});
}

}  // namespace live::domain
