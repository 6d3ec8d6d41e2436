// Rooms per app. Each app's rooms sit behind their own mutex, so apps never contend. The configured
// apps' shards are fixed at construction, so finding one takes no lock; apps added at run time
// (docs/control-api.md, "Apps at run time") are found under a shared lock, taken only once one was
// added. Times given to the store are the app's own (AppClocks), except dissolveDue's.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <limits>
#include <shared_mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "domain/time/app_clocks.h"
#include "domain/time/clock.h"
#include "domain/rooms/member_list.h"
#include "domain/rooms/packed_parts.h"
#include "domain/rooms/model.h"
#include "domain/resettable.h"

namespace live::domain {

class RoomStore final : public Resettable {
 public:
  // Where every change is written before it takes effect (--state-file). Each call runs under the
  // changed app's lock (every app's lock for replaceAll), so records are in the order the changes
  // happen. A call that cannot make its record durable throws, and the change does not happen.
  class ChangeLog {
   public:
    virtual ~ChangeLog() = default;
    virtual void recordPut(const Room& room) = 0;
    virtual void recordRemove(SdkAppId sdkappid, std::string_view room_id) = 0;
    virtual void recordReplaceAll(const std::vector<Room>& rooms) = 0;
    // True when the log has grown enough that rewriting it as the current rooms pays off.
    virtual bool wantsCompaction() const = 0;
  };

  // `initial_rooms` must name only apps in `apps` and have no duplicates (the config guarantees
  // both); they are also the state that reset() returns to. `app_clocks`, when given, tells each
  // app's time for its self-dissolving rooms, and must outlive the store.
  RoomStore(ResetRegistry& registry, const std::vector<App>& apps, std::vector<Room> initial_rooms,
            const AppClocks* app_clocks = nullptr);

  // An app added at run time, with its own rooms (also what resetApp returns it to). Its rooms are
  // not written to the state file (chosen: such an app lives as long as the process). False when
  // the app has a shard already.
  bool addApp(const App& app, std::vector<Room> rooms);
  // Removes an app added at run time, and its rooms; false for another app.
  bool removeApp(SdkAppId sdkappid);
  // The app's clock moved on its own: its rooms' self-dissolution is scheduled again, by its time.
  void appClockMoved(SdkAppId sdkappid);

  enum class AddResult { kAdded, kAlreadyExists, kUnknownApp };
  AddResult add(const Room& room);

  // Adds the room, or replaces the one with the same id. False for an unknown app.
  bool put(const Room& room);

  // create_room: adds the room unless a room with its id exists, or one was created through this
  // call less than `repeat_window` before `now` (kTooSoon, checked first). On kInUse, `existing`
  // holds the room that is there.
  enum class CreateResult { kCreated, kInUse, kTooSoon, kUnknownApp };
  CreateResult create(const Room& room, Instant now, std::chrono::nanoseconds repeat_window,
                      Room* existing = nullptr);

  // One room, or nullopt when the app or the room does not exist.
  std::optional<Room> find(SdkAppId sdkappid, std::string_view room_id) const;

  enum class RemoveResult { kRemoved, kAbsent, kUnknownApp, kRefused };
  RemoveResult remove(SdkAppId sdkappid, std::string_view room_id);

  // Removes the room only if `allow(room)` returns true (kRefused otherwise); the check and the removal are one atomic
  // step, so concurrent callers see exactly one removal. `allow` runs under the app's lock and
  // must not call back into the store.
  template <class Allow>
  RemoveResult removeIf(SdkAppId sdkappid, std::string_view room_id, Allow&& allow);

  // Changes one room in place: `change(Room&)` runs under the app's lock (it must not call back into
  // the store, nor change the room's app or id), and the result is recorded before it takes effect.
  // Returns the changed room, or nullopt when the app or the room does not exist.
  template <class Change>
  std::optional<Room> modify(SdkAppId sdkappid, std::string_view room_id, Change&& change);
  // The same, but `change(Room&)` returns false to refuse: nothing is changed or recorded, and
  // kRefused is returned. On kChanged, `changed` (when given) holds the room afterwards.
  enum class ModifyResult { kChanged, kAbsent, kUnknownApp, kRefused };
  template <class Change>
  ModifyResult modifyIf(SdkAppId sdkappid, std::string_view room_id, Change&& change,
                        Room* changed = nullptr);

  // An instant that may be absent, in the 8 bytes of an Instant (a million occupied rooms hold three
  // each; std::optional would take 16). Reads as std::optional<Instant>.
  class MaybeInstant {
   public:
    MaybeInstant() = default;
    MaybeInstant(std::optional<Instant> at) : at_(at.value_or(kNone)) {}  // NOLINT: implicit by design
    MaybeInstant(Instant at) : at_(at) {}                                  // NOLINT: implicit by design
    operator std::optional<Instant>() const {                              // NOLINT: implicit by design
      return at_ == kNone ? std::nullopt : std::optional<Instant>(at_);
    }
    void reset() { at_ = kNone; }
    bool operator==(const MaybeInstant&) const = default;

   private:
    static constexpr Instant kNone = Instant::min();
    Instant at_ = kNone;
  };
  struct Occupancy {
    MemberList members;        // account, is a robot
    MaybeInstant empty_since;
    MaybeInstant owner_left_at;
    MaybeInstant owner_heartbeat_lost_at;
  };
  struct Dissolution {
    Instant at;
    DissolveReason reason;
  };
  struct OccupancyView {
    Room room;
    Occupancy occupancy;
    std::optional<Dissolution> dissolves;  // when and why the room will dissolve by itself
  };
  // Applies the events at `now`, in order: entries (each new one counts in TotalViewers), departures,
  // then the owner's heartbeat. Returns the room afterwards, or nullopt for an unknown app or room.
  std::optional<OccupancyView> changeMembers(SdkAppId sdkappid, std::string_view room_id,
                                             const MemberEvents& events, Instant now);
  std::optional<OccupancyView> occupancy(SdkAppId sdkappid, std::string_view room_id) const;

  // The family's commands (docs/room-family.md): `change(room, occupancy, events)` runs under the
  // app's lock with the room, its parts included, and its occupancy as they are. It returns false
  // to refuse (nothing changes), or changes the room and fills `events` with members who enter or
  // leave (robots added or removed, banned members), applied at `now` as changeMembers applies
  // them. The room is recorded before the change takes effect. On kChanged, `after` (when given)
  // holds the room and its occupancy afterwards.
  using RoomChange = std::function<bool(Room&, const Occupancy&, MemberEvents&)>;
  ModifyResult modifyRoom(SdkAppId sdkappid, std::string_view room_id, Instant now, const RoomChange& change,
                          OccupancyView* after = nullptr);

  // The app's auto-dissolve rules in force (configured, or set by a scenario until reset).
  std::optional<AutoDissolveRules> rules(SdkAppId sdkappid) const;
  void setRules(SdkAppId sdkappid, const AutoDissolveRules& rules);

  // True when some room may be due to dissolve by `now`: one atomic load, for the hot path.
  bool anyDue(Instant now) const {
    return now.time_since_epoch().count() >= next_due_.load(std::memory_order_acquire);
  }
  // Removes every room whose time to dissolve by itself has come by `now`, each recorded first like
  // any removal, and returns them with when and why, earliest first.
  struct Dissolved {
    Room room;
    Dissolution dissolution;
  };
  std::vector<Dissolved> dissolveDue(Instant now);

  // The app's rooms sorted by room_id, or nullopt for an unknown app.
  std::optional<std::vector<Room>> list(SdkAppId sdkappid) const;
  // Every room of every app, sorted by (sdkappid, room_id).
  std::vector<Room> all() const;
  std::size_t size() const;
  // The number of rooms per app, in sdkappid order (the metrics' gauge; copies no room).
  std::vector<std::pair<SdkAppId, std::size_t>> sizes() const;

  // Replaces every room (for example with a state file's content).
  void replaceAll(const std::vector<Room>& rooms);
  void reset() override;
  // The app's rooms back to its initial ones, its auto-dissolve rules and repeat windows cleared.
  void resetApp(SdkAppId sdkappid) override;

  // From now on every change goes through `log` first. Call before other threads use the store;
  // `log` must outlive it.
  void attach(ChangeLog* log) { log_ = log; }
  // Rewrites the log as the current rooms, if it asks for that.
  void compactIfWanted();

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const {
      return std::hash<std::string_view>{}(text);
    }
  };
  // A room without its key. `name` is empty when it equals the room id (saves memory at scale).
  // `statistic` is null while every counter is 0, so a million idle rooms pay 8 bytes each for it.
  struct Record {
    std::string owner;
    std::string type;
    std::string name;
    std::int64_t create_time = 0;
    std::unique_ptr<RoomStatistic> statistic;
    std::unique_ptr<Occupancy> occupancy;  // null until a member enters
    std::unique_ptr<RoomInfo> info;        // null while every member has its default
    PackedParts parts;                     // empty while the room has no admin, ban, metadata or seat
  };
  // Applies member events at `now` to a room's occupancy (made when null) and to `room` itself: its
  // TotalViewers, and the seats of members who leave. Entries of banned members are skipped.
  static void applyMemberEvents(std::unique_ptr<Occupancy>& occupancy, Room& room, const MemberEvents& events,
                                Instant now);
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, Record, StringHash, std::equal_to<>> rooms;  // guarded by mutex
    AutoDissolveRules configured_rules;  // immutable
    AutoDissolveRules rules;             // guarded by mutex
    // When create() last created each room id, for its repeat window; pruned as it grows.
    std::unordered_map<std::string, Instant, StringHash, std::equal_to<>> created_at;  // guarded by mutex
    bool runtime = false;           // added at run time: not in the state file; immutable
    std::vector<Room> initial;      // a run-time app's initial rooms; immutable
  };
  // Where a change of this shard's rooms is recorded: nowhere for an app added at run time.
  ChangeLog* logFor(const Shard& shard) const { return shard.runtime ? nullptr : log_; }
  // Every shard, the run-time ones included (their pointers stay valid: removed shards are kept).
  std::vector<std::pair<SdkAppId, Shard*>> everyShard() const;
  // Puts `rooms` (of this shard's app) in place of the shard's rooms; shard->mutex held.
  void fill(Shard& shard, const std::vector<Room>& rooms);
  // When a room will dissolve by itself under `rules`, if ever.
  static std::optional<Dissolution> dissolutionOf(const Occupancy& occupancy,
                                                  const AutoDissolveRules& rules);
  // Remembers that the room may be due at `at` (entries are re-checked when they come due).
  void schedule(Instant at, SdkAppId sdkappid, std::string_view room_id);

  static Record toRecord(const Room& room);
  static Room toRoom(SdkAppId sdkappid, const std::string& room_id, const Record& record);
  Shard* shardFor(SdkAppId sdkappid) const;

  // Every shard, locked in this (address) order when all are needed.
  std::vector<std::unique_lock<std::mutex>> lockAll() const;

  const std::vector<Room> initial_rooms_;
  const AppClocks* app_clocks_;
  std::unordered_map<SdkAppId, std::unique_ptr<Shard>> shards_;  // immutable after construction
  mutable std::shared_mutex runtime_mutex_;
  std::map<SdkAppId, std::unique_ptr<Shard>> runtime_shards_;  // guarded by runtime_mutex_
  std::vector<std::unique_ptr<Shard>> retired_shards_;         // guarded by runtime_mutex_
  std::atomic<bool> any_runtime_{false};
  // The app's time when the emulator's clock reads `now`, and back.
  Instant appTime(SdkAppId sdkappid, Instant now) const {
    return app_clocks_ != nullptr ? app_clocks_->appTime(sdkappid, now) : now;
  }
  Instant emulatorTime(SdkAppId sdkappid, Instant app_time) const {
    return app_clocks_ != nullptr ? app_time - app_clocks_->offsetOf(sdkappid) : app_time;
  }
  ChangeLog* log_ = nullptr;  // set before serving, then read-only

  // Rooms that may dissolve by themselves, by time. An entry may be stale (the room was destroyed,
  // or its occupancy changed): it is re-checked against the room when it comes due.
  mutable std::mutex due_mutex_;
  std::multimap<Instant, std::pair<SdkAppId, std::string>> due_;  // guarded by due_mutex_
  // The earliest time in due_ (nanoseconds since the epoch), or the largest value when empty.
  std::atomic<std::int64_t> next_due_{std::numeric_limits<std::int64_t>::max()};
};

template <class Allow>
RoomStore::RemoveResult RoomStore::removeIf(SdkAppId sdkappid, std::string_view room_id,
                                            Allow&& allow) {
  Shard* shard = shardFor(sdkappid);
  if (shard == nullptr) return RemoveResult::kUnknownApp;
  std::unique_lock lock(shard->mutex);
  const auto it = shard->rooms.find(room_id);
  if (it == shard->rooms.end()) return RemoveResult::kAbsent;
  if (!allow(toRoom(sdkappid, it->first, it->second))) return RemoveResult::kRefused;
  if (ChangeLog* log = logFor(*shard)) log->recordRemove(sdkappid, room_id);
  shard->rooms.erase(it);
  lock.unlock();
  compactIfWanted();
  return RemoveResult::kRemoved;
}

template <class Change>
std::optional<Room> RoomStore::modify(SdkAppId sdkappid, std::string_view room_id, Change&& change) {
  Room changed;
  const auto result = modifyIf(sdkappid, room_id, [&](Room& room) {
    change(room);
    return true;
  }, &changed);
  if (result != ModifyResult::kChanged) return std::nullopt;
  return changed;
}

template <class Change>
RoomStore::ModifyResult RoomStore::modifyIf(SdkAppId sdkappid, std::string_view room_id, Change&& change,
                                            Room* changed) {
  Shard* shard = shardFor(sdkappid);
  if (shard == nullptr) return ModifyResult::kUnknownApp;
  std::unique_lock lock(shard->mutex);
  const auto it = shard->rooms.find(room_id);
  if (it == shard->rooms.end()) return ModifyResult::kAbsent;
  Room room = toRoom(sdkappid, it->first, it->second);
  if (!change(room)) return ModifyResult::kRefused;
  room.sdkappid = sdkappid;
  room.room_id = it->first;
  if (ChangeLog* log = logFor(*shard)) log->recordPut(room);
  auto occupancy = std::move(it->second.occupancy);
  it->second = toRecord(room);
  it->second.occupancy = std::move(occupancy);
  lock.unlock();
  compactIfWanted();
  if (changed != nullptr) *changed = std::move(room);
  return ModifyResult::kChanged;
}

}  // namespace live::domain
