// RoomStore: shards built once from the app list; every operation locks one shard at most.
#include "domain/room_store.h"

#include <algorithm>
#include <exception>

namespace live::domain {

RoomStore::RoomStore(ResetRegistry& registry, const std::vector<App>& apps,
                     std::vector<Room> initial_rooms)
    : Resettable(registry, "rooms"), initial_rooms_(std::move(initial_rooms)) {
  for (const auto& app : apps) shards_.emplace(app.sdkappid, std::make_unique<Shard>());
  replaceAll(initial_rooms_);
}

RoomStore::Record RoomStore::toRecord(const Room& room) {
  return Record{room.owner, room.type, room.name == room.room_id ? std::string() : room.name,
                room.create_time,
                room.statistic.isZero() ? nullptr : std::make_unique<RoomStatistic>(room.statistic)};
}

Room RoomStore::toRoom(SdkAppId sdkappid, const std::string& room_id, const Record& record) {
  return Room{sdkappid,
              room_id,
              record.owner,
              record.type,
              record.name.empty() ? room_id : record.name,
              record.create_time,
              record.statistic ? *record.statistic : RoomStatistic{}};
}

RoomStore::Shard* RoomStore::shardFor(SdkAppId sdkappid) const {
  const auto it = shards_.find(sdkappid);
  return it == shards_.end() ? nullptr : it->second.get();
}

RoomStore::AddResult RoomStore::add(const Room& room) {
  Shard* shard = shardFor(room.sdkappid);
  if (shard == nullptr) return AddResult::kUnknownApp;
  {
    std::lock_guard lock(shard->mutex);
    if (shard->rooms.find(room.room_id) != shard->rooms.end()) return AddResult::kAlreadyExists;
    if (log_ != nullptr) log_->recordPut(room);
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
    if (log_ != nullptr) log_->recordPut(room);
    shard->rooms.insert_or_assign(room.room_id, toRecord(room));
  }
  compactIfWanted();
  return true;
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
  for (const auto& [sdkappid, shard] : shards_) apps.push_back(sdkappid);
  std::sort(apps.begin(), apps.end());
  std::vector<Room> rooms;
  for (const SdkAppId sdkappid : apps) {
    auto app_rooms = list(sdkappid);
    rooms.insert(rooms.end(), app_rooms->begin(), app_rooms->end());
  }
  return rooms;
}

std::size_t RoomStore::size() const {
  std::size_t total = 0;
  for (const auto& [sdkappid, shard] : shards_) {
    std::lock_guard lock(shard->mutex);
    total += shard->rooms.size();
  }
  return total;
}

std::vector<std::unique_lock<std::mutex>> RoomStore::lockAll() const {
  // A fixed (address) order, so two callers never wait on each other crosswise.
  std::vector<Shard*> ordered;
  for (const auto& [sdkappid, shard] : shards_) ordered.push_back(shard.get());
  std::sort(ordered.begin(), ordered.end());
  std::vector<std::unique_lock<std::mutex>> locks;
  for (Shard* shard : ordered) locks.emplace_back(shard->mutex);
  return locks;
}

void RoomStore::replaceAll(const std::vector<Room>& rooms) {
  // Every shard locked: a concurrent reader sees all-old or all-new.
  const auto locks = lockAll();
  std::vector<Room> kept;
  for (const auto& room : rooms) {
    if (shardFor(room.sdkappid) != nullptr) kept.push_back(room);
  }
  if (log_ != nullptr) log_->recordReplaceAll(kept);
  for (const auto& [sdkappid, shard] : shards_) shard->rooms.clear();
  for (const auto& room : kept) {
    shardFor(room.sdkappid)->rooms.insert_or_assign(room.room_id, toRecord(room));
  }
}

void RoomStore::compactIfWanted() {
  if (log_ == nullptr || !log_->wantsCompaction()) return;
  const auto locks = lockAll();
  if (!log_->wantsCompaction()) return;  // another thread compacted while we waited
  std::vector<Room> rooms;
  for (const auto& [sdkappid, shard] : shards_) {
    for (const auto& [room_id, record] : shard->rooms) rooms.push_back(toRoom(sdkappid, room_id, record));
  }
  try {
    log_->recordReplaceAll(rooms);
  } catch (const std::exception&) {
    // The change that triggered this is already durable and the uncompacted log is still
    // correct; compaction is retried after the next change.
  }
}

void RoomStore::reset() { replaceAll(initial_rooms_); }

}  // namespace live::domain
