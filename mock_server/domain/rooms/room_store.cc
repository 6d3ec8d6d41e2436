// RoomStore: shards built once from the app list; every operation locks one shard at most.
#include "domain/rooms/room_store.h"

#include <algorithm>
#include <exception>

namespace live::domain {

RoomStore::RoomStore(ResetRegistry& registry, const std::vector<App>& apps,
                     std::vector<Room> initial_rooms, const AppClocks* app_clocks)
    : Resettable(registry, "rooms"), initial_rooms_(std::move(initial_rooms)), app_clocks_(app_clocks) {
  for (const auto& app : apps) {
    auto shard = std::make_unique<Shard>();
    shard->configured_rules = shard->rules = app.auto_dissolve;
    shards_.emplace(app.sdkappid, std::move(shard));
  }
  replaceAll(initial_rooms_);
}

RoomStore::Record RoomStore::toRecord(const Room& room) {
  return Record{room.owner, room.type, room.name == room.room_id ? std::string() : room.name,
                room.create_time,
                room.statistic.isZero() ? nullptr : std::make_unique<RoomStatistic>(room.statistic),
                nullptr, room.info.isDefault() ? nullptr : std::make_unique<RoomInfo>(room.info),
                PackedParts(room.parts)};
}

Room RoomStore::toRoom(SdkAppId sdkappid, const std::string& room_id, const Record& record) {
  return Room{sdkappid,
              room_id,
              record.owner,
              record.type,
              record.name.empty() ? room_id : record.name,
              record.create_time,
              record.statistic ? *record.statistic : RoomStatistic{},
              record.info ? *record.info : RoomInfo{},
              record.parts.unpack()};
}

RoomStore::Shard* RoomStore::shardFor(SdkAppId sdkappid) const {
  if (const auto it = shards_.find(sdkappid); it != shards_.end()) return it->second.get();
  if (!any_runtime_.load(std::memory_order_acquire)) return nullptr;
  std::shared_lock lock(runtime_mutex_);
  const auto it = runtime_shards_.find(sdkappid);
  return it == runtime_shards_.end() ? nullptr : it->second.get();
}

std::vector<std::pair<SdkAppId, RoomStore::Shard*>> RoomStore::everyShard() const {
  std::vector<std::pair<SdkAppId, Shard*>> shards;
  for (const auto& [sdkappid, shard] : shards_) shards.emplace_back(sdkappid, shard.get());
  std::shared_lock lock(runtime_mutex_);
  for (const auto& [sdkappid, shard] : runtime_shards_) shards.emplace_back(sdkappid, shard.get());
  return shards;
}

void RoomStore::fill(Shard& shard, const std::vector<Room>& rooms) {
  shard.rooms.clear();
  for (const auto& room : rooms) shard.rooms.insert_or_assign(room.room_id, toRecord(room));
}

bool RoomStore::addApp(const App& app, std::vector<Room> rooms) {
  auto shard = std::make_unique<Shard>();
  shard->configured_rules = shard->rules = app.auto_dissolve;
  shard->runtime = true;
  shard->initial = std::move(rooms);
  fill(*shard, shard->initial);
  std::unique_lock lock(runtime_mutex_);
  if (shards_.count(app.sdkappid) != 0 || runtime_shards_.count(app.sdkappid) != 0) return false;
  runtime_shards_.emplace(app.sdkappid, std::move(shard));
  any_runtime_.store(true, std::memory_order_release);
  return true;
}

bool RoomStore::removeApp(SdkAppId sdkappid) {
  std::unique_lock lock(runtime_mutex_);
  const auto it = runtime_shards_.find(sdkappid);
  if (it == runtime_shards_.end()) return false;
  {
    std::lock_guard shard_lock(it->second->mutex);
    it->second->rooms.clear();  // a call in flight that still holds the shard finds no room
    it->second->created_at.clear();
  }
  retired_shards_.push_back(std::move(it->second));
  runtime_shards_.erase(it);
  return true;
}

void RoomStore::resetApp(SdkAppId sdkappid) {
  Shard* shard = shardFor(sdkappid);
  if (shard == nullptr) return;
  std::vector<Room> initial = shard->initial;
  if (!shard->runtime) {
    initial.clear();
    for (const auto& room : initial_rooms_) {
      if (room.sdkappid == sdkappid) initial.push_back(room);
    }
  }
  {
    std::lock_guard lock(shard->mutex);
    shard->rules = shard->configured_rules;
    shard->created_at.clear();
    if (ChangeLog* log = logFor(*shard)) {
      for (const auto& [room_id, record] : shard->rooms) log->recordRemove(sdkappid, room_id);
      for (const auto& room : initial) log->recordPut(room);
    }
    fill(*shard, initial);
  }
  // Entries left in the schedule for the app's rooms are stale: they are re-checked when due.
  compactIfWanted();
}

void RoomStore::appClockMoved(SdkAppId sdkappid) {
  // What setRules does: the rooms' due times are computed again, and scheduled by the new offset.
  if (const auto rules = this->rules(sdkappid)) setRules(sdkappid, *rules);
}

RoomStore::AddResult RoomStore::add(const Room& room) {
  Shard* shard = shardFor(room.sdkappid);
  if (shard == nullptr) return AddResult::kUnknownApp;
  {
    std::lock_guard lock(shard->mutex);
    if (shard->rooms.find(room.room_id) != shard->rooms.end()) return AddResult::kAlreadyExists;
    if (ChangeLog* log = logFor(*shard)) log->recordPut(room);
    shard->rooms.emplace(room.room_id, toRecord(room));
  }
  compactIfWanted();
  return AddResult::kAdded;
}

bool RoomStore::put(const Room& room) {
  Shard* shard = shardFor(room.sdkappid);
  if (shard == nullptr) return false;
  {
    std::lock_guard lock(shard->mutex);
    if (ChangeLog* log = logFor(*shard)) log->recordPut(room);
    shard->rooms.insert_or_assign(room.room_id, toRecord(room));
  }
  compactIfWanted();
  return true;
}

RoomStore::CreateResult RoomStore::create(const Room& room, Instant now,
                                          std::chrono::nanoseconds repeat_window, Room* existing) {
  Shard* shard = shardFor(room.sdkappid);
  if (shard == nullptr) return CreateResult::kUnknownApp;
  {
    std::lock_guard lock(shard->mutex);
    auto& created_at = shard->created_at;
    if (const auto it = created_at.find(room.room_id); it != created_at.end() && now - it->second < repeat_window) {
      return CreateResult::kTooSoon;
    }
    if (const auto it = shard->rooms.find(room.room_id); it != shard->rooms.end()) {
      if (existing != nullptr) *existing = toRoom(room.sdkappid, it->first, it->second);
      return CreateResult::kInUse;
    }
    if (ChangeLog* log = logFor(*shard)) log->recordPut(room);
    shard->rooms.emplace(room.room_id, toRecord(room));
    // Entries outside the window only matter while they are in it; drop them before they pile up.
    if (created_at.size() >= 1024) {
      std::erase_if(created_at, [&](const auto& entry) { return now - entry.second >= repeat_window; });
    }
    created_at.insert_or_assign(room.room_id, now);
  }
  compactIfWanted();
  return CreateResult::kCreated;
}

std::optional<Room> RoomStore::find(SdkAppId sdkappid, std::string_view room_id) const {
  Shard* shard = shardFor(sdkappid);
  if (shard == nullptr) return std::nullopt;
  std::lock_guard lock(shard->mutex);
  const auto it = shard->rooms.find(room_id);
  if (it == shard->rooms.end()) return std::nullopt;
  return toRoom(sdkappid, it->first, it->second);
}

RoomStore::RemoveResult RoomStore::remove(SdkAppId sdkappid, std::string_view room_id) {
  return removeIf(sdkappid, room_id, [](const Room&) { return true; });
}

std::optional<std::vector<Room>> RoomStore::list(SdkAppId sdkappid) const {
  Shard* shard = shardFor(sdkappid);
  if (shard == nullptr) return std::nullopt;
  std::vector<Room> rooms;
  {
    std::lock_guard lock(shard->mutex);
    rooms.reserve(shard->rooms.size());
    for (const auto& [room_id, record] : shard->rooms) {
      rooms.push_back(toRoom(sdkappid, room_id, record));
    }
  }
  std::sort(rooms.begin(), rooms.end(),
            [](const Room& a, const Room& b) { return a.room_id < b.room_id; });
  return rooms;
}

std::vector<Room> RoomStore::all() const {
  std::vector<SdkAppId> apps;
  for (const auto& [sdkappid, shard] : everyShard()) apps.push_back(sdkappid);
  std::sort(apps.begin(), apps.end());
  std::vector<Room> rooms;
  for (const SdkAppId sdkappid : apps) {
    auto app_rooms = list(sdkappid);
    rooms.insert(rooms.end(), app_rooms->begin(), app_rooms->end());
  }
  return rooms;
}

std::vector<std::pair<SdkAppId, std::size_t>> RoomStore::sizes() const {
  std::vector<std::pair<SdkAppId, std::size_t>> out;
  for (const auto& [sdkappid, shard] : everyShard()) {
    std::lock_guard lock(shard->mutex);
    out.emplace_back(sdkappid, shard->rooms.size());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::size_t RoomStore::size() const {
  std::size_t total = 0;
  for (const auto& [sdkappid, shard] : everyShard()) {
    std::lock_guard lock(shard->mutex);
    total += shard->rooms.size();
  }
  return total;
}

std::vector<std::unique_lock<std::mutex>> RoomStore::lockAll() const {
  // A fixed (address) order, so two callers never wait on each other crosswise.
  std::vector<Shard*> ordered;
  for (const auto& [sdkappid, shard] : everyShard()) ordered.push_back(shard);
  std::sort(ordered.begin(), ordered.end());
  std::vector<std::unique_lock<std::mutex>> locks;
  for (Shard* shard : ordered) locks.emplace_back(shard->mutex);
  return locks;
}

void RoomStore::replaceAll(const std::vector<Room>& rooms) {
  // Every shard locked: a concurrent reader sees all-old or all-new.
  const auto locks = lockAll();
  std::vector<Room> kept;
  std::vector<Room> recorded;  // the configured apps' rooms: run-time apps are not in the state file
  for (const auto& room : rooms) {
    const Shard* shard = shardFor(room.sdkappid);
    if (shard == nullptr) continue;
    kept.push_back(room);
    if (!shard->runtime) recorded.push_back(room);
  }
  if (log_ != nullptr) log_->recordReplaceAll(recorded);
  for (const auto& [sdkappid, shard] : everyShard()) shard->rooms.clear();
  for (const auto& room : kept) {
    shardFor(room.sdkappid)->rooms.insert_or_assign(room.room_id, toRecord(room));
  }
}

void RoomStore::compactIfWanted() {
  if (log_ == nullptr || !log_->wantsCompaction()) return;
  const auto locks = lockAll();
  if (!log_->wantsCompaction()) return;  // another thread compacted while we waited
  std::vector<Room> rooms;
  for (const auto& [sdkappid, shard] : shards_) {  // the configured apps: those the state file keeps
    for (const auto& [room_id, record] : shard->rooms) rooms.push_back(toRoom(sdkappid, room_id, record));
  }
  try {
    log_->recordReplaceAll(rooms);
  } catch (const std::exception&) {
    // The change that triggered this is already durable and the uncompacted log is still
    // correct; compaction is retried after the next change.
  }
}

void RoomStore::reset() {
  {
    // Apps added at run time are gone after a global reset (docs/control-api.md).
    std::unique_lock lock(runtime_mutex_);
    for (auto& [sdkappid, shard] : runtime_shards_) {
      std::lock_guard shard_lock(shard->mutex);
      shard->rooms.clear();
      retired_shards_.push_back(std::move(shard));
    }
    runtime_shards_.clear();
  }
  {
    std::lock_guard lock(due_mutex_);
    due_.clear();
    next_due_.store(std::numeric_limits<std::int64_t>::max(), std::memory_order_release);
  }
  for (const auto& [sdkappid, shard] : shards_) {
    std::lock_guard lock(shard->mutex);
    shard->rules = shard->configured_rules;
    shard->created_at.clear();
  }
  replaceAll(initial_rooms_);
}

std::optional<RoomStore::Dissolution> RoomStore::dissolutionOf(const Occupancy& occupancy,
                                                               const AutoDissolveRules& rules) {
  for (const auto& [member, robot] : occupancy.members) {
    if (robot) return std::nullopt;  // rooms with a robot member never dissolve by themselves
  }
  std::optional<Dissolution> earliest;
  const auto consider = [&](const std::optional<Instant>& since, std::chrono::minutes after,
                            DissolveReason reason) {
    if (!since) return;
    const Instant at = *since + after;
    if (!earliest || at < earliest->at) earliest = Dissolution{at, reason};
  };
  // Set when the last member left, cleared when someone enters: the room is empty since then.
  consider(occupancy.empty_since, rules.empty_room, DissolveReason::kEmptyRoom);
  if (rules.owner_left_enabled) consider(occupancy.owner_left_at, rules.owner_left, DissolveReason::kOwnerLeft);
  if (rules.owner_heartbeat_lost_enabled) {
    consider(occupancy.owner_heartbeat_lost_at, rules.owner_heartbeat_lost,
             DissolveReason::kOwnerHeartbeatLost);
  }
  return earliest;
}

void RoomStore::schedule(Instant at, SdkAppId sdkappid, std::string_view room_id) {
  const Instant due = emulatorTime(sdkappid, at);  // the schedule runs on the emulator's clock
  std::lock_guard lock(due_mutex_);
  due_.emplace(due, std::make_pair(sdkappid, std::string(room_id)));
  next_due_.store(due_.begin()->first.time_since_epoch().count(), std::memory_order_release);
}

std::optional<RoomStore::OccupancyView> RoomStore::changeMembers(SdkAppId sdkappid,
                                                                 std::string_view room_id,
                                                                 const MemberEvents& events,
                                                                 Instant now) {
  Shard* shard = shardFor(sdkappid);
  if (shard == nullptr) return std::nullopt;
  std::unique_lock lock(shard->mutex);
  const auto it = shard->rooms.find(room_id);
  if (it == shard->rooms.end()) return std::nullopt;
  Record& record = it->second;
  Room room = toRoom(sdkappid, it->first, record);
  const Room before = room;
  applyMemberEvents(record.occupancy, room, events, now);
  const bool changed = room != before;
  if (changed) {
    if (ChangeLog* log = logFor(*shard)) log->recordPut(room);
    auto occupancy = std::move(record.occupancy);
    record = toRecord(room);
    record.occupancy = std::move(occupancy);
  }
  OccupancyView view{room, *record.occupancy, dissolutionOf(*record.occupancy, shard->rules)};
  lock.unlock();
  if (view.dissolves) schedule(view.dissolves->at, sdkappid, room_id);
  if (changed) compactIfWanted();
  return view;
}

void RoomStore::applyMemberEvents(std::unique_ptr<Occupancy>& occupied, Room& room, const MemberEvents& events,
                                  Instant now) {
  if (!occupied) occupied = std::make_unique<Occupancy>();
  Occupancy& occupancy = *occupied;
  const std::int64_t seconds = unixSeconds(now);
  std::uint64_t entries = 0;
  for (const auto& [member, robot] : events.enter) {
    // A banned member cannot enter until the ban ends (docs/room-family.md, "Bans").
    if (const auto ban = room.parts.bans.find(member); ban != room.parts.bans.end() && ban->second > seconds) continue;
    const auto [inside, entered] = occupancy.members.emplace(member, robot);
    if (!entered) {  // already inside; add_robot makes a member a robot
      inside->second = inside->second || robot;
      continue;
    }
    ++entries;
    occupancy.empty_since.reset();
    if (member == room.owner) occupancy.owner_left_at.reset();
  }
  for (const auto& member : events.leave) {
    if (occupancy.members.erase(member) == 0) continue;
    for (auto& seat : room.parts.seats) {
      if (seat.member == member) seat.member.clear();
    }
    if (member == room.owner) occupancy.owner_left_at = now;
    if (occupancy.members.empty()) occupancy.empty_since = now;
  }
  if (events.owner_heartbeat_lost) {
    occupancy.owner_heartbeat_lost_at =
        *events.owner_heartbeat_lost ? std::optional<Instant>(now) : std::nullopt;
  }
  // TotalViewers counts room entries: one user entering N times counts N.
  room.statistic.total_viewers += entries;
}

RoomStore::ModifyResult RoomStore::modifyRoom(SdkAppId sdkappid, std::string_view room_id, Instant now,
                                              const RoomChange& change, OccupancyView* after) {
  Shard* shard = shardFor(sdkappid);
  if (shard == nullptr) return ModifyResult::kUnknownApp;
  std::unique_lock lock(shard->mutex);
  const auto it = shard->rooms.find(room_id);
  if (it == shard->rooms.end()) return ModifyResult::kAbsent;
  Record& record = it->second;
  Room room = toRoom(sdkappid, it->first, record);
  MemberEvents events;
  {
    static const Occupancy kNobody;
    if (!change(room, record.occupancy ? *record.occupancy : kNobody, events)) return ModifyResult::kRefused;
  }
  room.sdkappid = sdkappid;
  room.room_id = it->first;
  // The record is replaced only after the log has the room: a change that is not durable is not made.
  auto occupancy = record.occupancy ? std::make_unique<Occupancy>(*record.occupancy) : nullptr;
  applyMemberEvents(occupancy, room, events, now);
  Record changed = toRecord(room);
  changed.occupancy = std::move(occupancy);
  if (ChangeLog* log = logFor(*shard)) log->recordPut(room);
  record = std::move(changed);
  OccupancyView view{room, *record.occupancy, dissolutionOf(*record.occupancy, shard->rules)};
  lock.unlock();
  if (view.dissolves) schedule(view.dissolves->at, sdkappid, room_id);
  compactIfWanted();
  if (after != nullptr) *after = std::move(view);
  return ModifyResult::kChanged;
}

std::optional<RoomStore::OccupancyView> RoomStore::occupancy(SdkAppId sdkappid,
                                                             std::string_view room_id) const {
  Shard* shard = shardFor(sdkappid);
  if (shard == nullptr) return std::nullopt;
  std::lock_guard lock(shard->mutex);
  const auto it = shard->rooms.find(room_id);
  if (it == shard->rooms.end()) return std::nullopt;
  OccupancyView view{toRoom(sdkappid, it->first, it->second), {}, std::nullopt};
  if (it->second.occupancy) {
    view.occupancy = *it->second.occupancy;
    view.dissolves = dissolutionOf(view.occupancy, shard->rules);
  }
  return view;
}

std::optional<AutoDissolveRules> RoomStore::rules(SdkAppId sdkappid) const {
  Shard* shard = shardFor(sdkappid);
  if (shard == nullptr) return std::nullopt;
  std::lock_guard lock(shard->mutex);
  return shard->rules;
}

void RoomStore::setRules(SdkAppId sdkappid, const AutoDissolveRules& rules) {
  Shard* shard = shardFor(sdkappid);
  if (shard == nullptr) return;
  std::vector<std::pair<Instant, std::string>> due;
  {
    std::lock_guard lock(shard->mutex);
    shard->rules = rules;
    // Occupied rooms may come due sooner (or later: a stale entry is re-checked when due).
    for (const auto& [room_id, record] : shard->rooms) {
      if (!record.occupancy) continue;
      if (const auto dissolution = dissolutionOf(*record.occupancy, rules)) {
        due.emplace_back(dissolution->at, room_id);
      }
    }
  }
  for (const auto& [at, room_id] : due) schedule(at, sdkappid, room_id);
}

std::vector<RoomStore::Dissolved> RoomStore::dissolveDue(Instant now) {
  std::vector<std::pair<SdkAppId, std::string>> candidates;
  {
    std::lock_guard lock(due_mutex_);
    while (!due_.empty() && due_.begin()->first <= now) {
      candidates.push_back(std::move(due_.begin()->second));
      due_.erase(due_.begin());
    }
    next_due_.store(due_.empty() ? std::numeric_limits<std::int64_t>::max()
                                 : due_.begin()->first.time_since_epoch().count(),
                    std::memory_order_release);
  }
  std::vector<Dissolved> dissolved;
  for (const auto& [sdkappid, room_id] : candidates) {
    Shard* shard = shardFor(sdkappid);
    if (shard == nullptr) continue;  // the app was removed
    const Instant app_now = appTime(sdkappid, now);
    std::unique_lock lock(shard->mutex);
    const auto it = shard->rooms.find(room_id);
    if (it == shard->rooms.end() || !it->second.occupancy) continue;  // gone, or re-created
    const auto dissolution = dissolutionOf(*it->second.occupancy, shard->rules);
    if (!dissolution) continue;
    if (dissolution->at > app_now) {  // the occupancy or the rules changed: not yet
      lock.unlock();
      schedule(dissolution->at, sdkappid, room_id);
      continue;
    }
    Room room = toRoom(sdkappid, it->first, it->second);
    try {
      if (ChangeLog* log = logFor(*shard)) log->recordRemove(sdkappid, room_id);
    } catch (const std::exception&) {
      // Not durable, so not done: tried again at the next look.
      lock.unlock();
      schedule(dissolution->at, sdkappid, room_id);
      continue;
    }
    shard->rooms.erase(it);
    dissolved.push_back({std::move(room), *dissolution});
  }
  std::sort(dissolved.begin(), dissolved.end(),
            [](const Dissolved& a, const Dissolved& b) { return a.dissolution.at < b.dissolution.at; });
  if (!dissolved.empty()) compactIfWanted();
  return dissolved;
}

}  // namespace live::domain
