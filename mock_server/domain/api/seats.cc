// Seats' own rows (docs/room-family.md, "Seats"): v4/room_engine_http_mic/ get_seat_list,
// pick_user_on_seat, kick_user_off_seat, lock_seat, move_user_to_seat and the older switch_seat.
// Seats are numbered from 0; a room made without seats answers 100211 to each.
#include <fmt/format.h>

#include <algorithm>

#include "domain/api/command_rules.h"
#include "domain/api/family.h"
#include "domain/api/room_lifecycle.h"
#include "domain/rooms/room_parts.h"

namespace live::domain {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;
using protocol::ErrorCode;

Outcome reject(ErrorCode code, std::string text) { return Outcome::reject(code, std::move(text)); }

Outcome noSeats(const Room& room) {
  return reject(ErrorCode::kSeatsNotSupported,
                fmt::format("room \"{}\" does not support seats (it was created without IsSeatEnabled, SeatTemplate "
                            "or MaxSeatCount)",
                            room.room_id));
}

// The seat that `member` sits on, or seats.size().
std::size_t seatOf(const Room& room, std::string_view member) {
  const auto& seats = room.parts.seats;
  return static_cast<std::size_t>(
      std::find_if(seats.begin(), seats.end(), [&](const Seat& seat) { return seat.member == member; }) - seats.begin());
}

// The shared rows of the seat commands that change seats: 20 (100004, by modifyRoom), 21 (100211),
// then the command's own `change`, on a room whose seats exist.
template <class Change>
Outcome changeSeats(const CallContext& context, DomainState& state, Change&& change) {
  std::optional<Outcome> refusal;
  const auto result = state.rooms.modifyRoom(
      context.sdkappid, context.room_id, callTime(context),
      [&](Room& room, const RoomStore::Occupancy& occupancy, MemberEvents&) {
        if (!hasSeats(room)) {  // row 21
          refusal = noSeats(room);
          return false;
        }
        ensureSeats(room);
        refusal = change(room, occupancy);
        return !refusal;
      });
  return answerOf(result, refusal, context);  // row 20: 100004
}

std::optional<Outcome> indexOutOfRange(const Room& room, std::string_view name, std::uint64_t index) {
  if (index < room.parts.seats.size()) return std::nullopt;
  return invalidParameter(fmt::format("\"{}\" is {}; room \"{}\" has seats 0 to {}", name, index, room.room_id,
                                      room.parts.seats.size() - 1));
}

std::optional<Outcome> notInRoom(const Room& room, const RoomStore::Occupancy& occupancy, const std::string& member) {
  if (occupancy.members.count(member) != 0) return std::nullopt;
  return reject(ErrorCode::kNotAMember, fmt::format("\"{}\" is not in room \"{}\" (a user must be in the room to take "
                                                    "a seat)",
                                                    member, room.room_id));
}

std::optional<Outcome> seatLocked(const Room& room, std::size_t index) {
  if (!room.parts.seats[index].taken_disabled) return std::nullopt;
  return reject(ErrorCode::kNoPermission,
                fmt::format("seat {} of room \"{}\" is locked (lock_seat ForbidTaken)", index, room.room_id));
}

std::optional<Outcome> seatTaken(const Room& room, std::size_t index) {
  return reject(ErrorCode::kNoPermission, fmt::format("seat {} of room \"{}\" is taken by \"{}\"", index, room.room_id,
                                                      room.parts.seats[index].member));
}

}  // namespace

// --- get_seat_list -----------------------------------------------------------------------------

std::optional<Outcome> GetSeatListApi::checkBody(CallContext& context) const { return checkRoomIdBody(context); }

Outcome GetSeatListApi::apply(const CallContext& context, DomainState& state) const {
  auto room = state.rooms.find(context.sdkappid, context.room_id);
  if (!room) return roomNotFound(context);       // row 20
  if (!hasSeats(*room)) return noSeats(*room);  // row 21
  ensureSeats(*room);
  ordered_json list = ordered_json::array();
  for (std::size_t i = 0; i < room->parts.seats.size(); ++i) {
    const Seat& seat = room->parts.seats[i];
    list.push_back({{"Index", i},
                    {"Member_Account", seat.member},
                    {"IsTakenDisabled", seat.taken_disabled},
                    {"IsVideoDisabled", seat.video_disabled},
                    {"IsAudioDisabled", seat.audio_disabled}});
  }
  return successWith({{"SeatList", std::move(list)}});
}

// --- pick_user_on_seat -------------------------------------------------------------------------

namespace {

struct SeatRequest {
  std::string member;
  std::uint64_t index = 0;
};

std::optional<std::string> readSeatRequest(const json& body, std::string_view index_name, SeatRequest& request) {
  if (auto problem = readAccount(body, "Member_Account", request.member)) return problem;
  return readInteger(body, index_name, kMaxSeats - 1, request.index);
}

}  // namespace

std::optional<Outcome> PickUserOnSeatApi::checkBody(CallContext& context) const {
  return checkRoomBody(context, [](const json& body) {
    SeatRequest request;
    return readSeatRequest(body, "Index", request);
  });
}

Outcome PickUserOnSeatApi::apply(const CallContext& context, DomainState& state) const {
  SeatRequest request;
  readSeatRequest(context.body, "Index", request);
  return changeSeats(context, state, [&](Room& room, const RoomStore::Occupancy& occupancy) -> std::optional<Outcome> {
    if (auto failure = indexOutOfRange(room, "Index", request.index)) return failure;  // row 22
    if (auto failure = notInRoom(room, occupancy, request.member)) return failure;     // row 23
    const auto index = static_cast<std::size_t>(request.index);
    if (room.parts.seats[index].member == request.member) return std::nullopt;         // there already
    if (auto failure = seatLocked(room, index)) return failure;                        // row 24
    if (!room.parts.seats[index].member.empty()) return seatTaken(room, index);        // row 25
    // Chosen: a user on another seat moves.
    if (const auto from = seatOf(room, request.member); from < room.parts.seats.size()) room.parts.seats[from].member.clear();
    room.parts.seats[index].member = request.member;
    return std::nullopt;
  });
}

// --- kick_user_off_seat ------------------------------------------------------------------------

std::optional<Outcome> KickUserOffSeatApi::checkBody(CallContext& context) const {
  return checkRoomBody(context, [](const json& body) {
    std::string member;
    return readAccount(body, "Member_Account", member);
  });
}

Outcome KickUserOffSeatApi::apply(const CallContext& context, DomainState& state) const {
  std::string member;
  readAccount(context.body, "Member_Account", member);
  return changeSeats(context, state, [&](Room& room, const RoomStore::Occupancy&) -> std::optional<Outcome> {
    // Chosen: a user on no seat is already off; the call succeeds.
    if (const auto seat = seatOf(room, member); seat < room.parts.seats.size()) room.parts.seats[seat].member.clear();
    return std::nullopt;
  });
}

// --- lock_seat ---------------------------------------------------------------------------------

namespace {

struct LockRequest {
  std::uint64_t index = 0;
  std::optional<bool> taken, video, audio;
};

std::optional<std::string> readLock(const json& body, LockRequest& lock) {
  if (auto problem = readInteger(body, "Index", kMaxSeats - 1, lock.index)) return problem;
  if (auto problem = readOptionalBool(body, "ForbidTaken", lock.taken)) return problem;
  if (auto problem = readOptionalBool(body, "ForbidVideo", lock.video)) return problem;
  return readOptionalBool(body, "ForbidAudio", lock.audio);
}

}  // namespace

std::optional<Outcome> LockSeatApi::checkBody(CallContext& context) const {
  return checkRoomBody(context, [](const json& body) {
    LockRequest lock;
    return readLock(body, lock);
  });
}

Outcome LockSeatApi::apply(const CallContext& context, DomainState& state) const {
  LockRequest lock;
  readLock(context.body, lock);
  return changeSeats(context, state, [&](Room& room, const RoomStore::Occupancy&) -> std::optional<Outcome> {
    if (auto failure = indexOutOfRange(room, "Index", lock.index)) return failure;  // row 22
    Seat& seat = room.parts.seats[static_cast<std::size_t>(lock.index)];
    // A flag not given keeps its value (chosen).
    seat.taken_disabled = lock.taken.value_or(seat.taken_disabled);
    seat.video_disabled = lock.video.value_or(seat.video_disabled);
    seat.audio_disabled = lock.audio.value_or(seat.audio_disabled);
    if (seat.taken_disabled) seat.member.clear();  // documented: locking an occupied seat removes its user
    return std::nullopt;
  });
}

// --- move_user_to_seat, switch_seat ------------------------------------------------------------

namespace {

// Documented policies: 0 cancel when the seat is taken, 1 move and kick the occupant off, 2 exchange.
enum class MovePolicy : std::uint64_t { kCancelIfTaken = 0, kKickOccupant = 1, kExchange = 2 };

std::optional<Outcome> moveUser(Room& room, const RoomStore::Occupancy& occupancy, const SeatRequest& request,
                                std::string_view index_name, MovePolicy policy) {
  if (auto failure = indexOutOfRange(room, index_name, request.index)) return failure;  // row 22
  if (auto failure = notInRoom(room, occupancy, request.member)) return failure;        // row 23
  auto& seats = room.parts.seats;
  const auto to = static_cast<std::size_t>(request.index);
  const auto from = seatOf(room, request.member);
  if (from == to) return std::nullopt;
  if (auto failure = seatLocked(room, to)) return failure;  // row 24
  const std::string occupant = seats[to].member;
  if (!occupant.empty() && policy == MovePolicy::kCancelIfTaken) return seatTaken(room, to);  // row 25
  if (from < seats.size()) seats[from].member = policy == MovePolicy::kExchange ? occupant : std::string();
  seats[to].member = request.member;
  return std::nullopt;
}

std::optional<std::string> readMove(const json& body, SeatRequest& request, std::uint64_t& policy) {
  if (auto problem = readSeatRequest(body, "SeatIndex", request)) return problem;
  return readInteger(body, "Policy", 2, policy, 0);
}

}  // namespace

std::optional<Outcome> MoveUserToSeatApi::checkBody(CallContext& context) const {
  return checkRoomBody(context, [](const json& body) {
    SeatRequest request;
    std::uint64_t policy = 0;
    return readMove(body, request, policy);
  });
}

Outcome MoveUserToSeatApi::apply(const CallContext& context, DomainState& state) const {
  SeatRequest request;
  std::uint64_t policy = 0;
  readMove(context.body, request, policy);
  return changeSeats(context, state, [&](Room& room, const RoomStore::Occupancy& occupancy) {
    return moveUser(room, occupancy, request, "SeatIndex", static_cast<MovePolicy>(policy));
  });
}

std::optional<Outcome> SwitchSeatApi::checkBody(CallContext& context) const {
  return checkRoomBody(context, [](const json& body) {
    SeatRequest request;
    return readSeatRequest(body, "ToIndex", request);
  });
}

Outcome SwitchSeatApi::apply(const CallContext& context, DomainState& state) const {
  SeatRequest request;
  readSeatRequest(context.body, "ToIndex", request);
  // Chosen: the older switch_seat moves as move_user_to_seat's policy 0 does.
  return changeSeats(context, state, [&](Room& room, const RoomStore::Occupancy& occupancy) {
    return moveUser(room, occupancy, request, "ToIndex", MovePolicy::kCancelIfTaken);
  });
}

}  // namespace live::domain
