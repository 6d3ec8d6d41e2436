// RoomStore: shards built once from the app list; every operation locks one shard at most.
#include "domain/room_store.h"

#include <algorithm>

namespace live::domain {

RoomStore::RoomStore(ResetRegistry& registry, const std::vector<App>& apps,
                     std::vector<Room> initial_rooms)
    : Resettable(registry, "rooms"), initial_rooms_(std::move(initial_rooms)) {
  for (const auto& app : apps) shards_.emplace(app.sdkappid, std::make_unique<Shard>());
  replaceAll(initial_rooms_);
}

RoomStore::Record RoomStore::toRecord(const Room& room) {
  return Record{room.owner, room.type, room.name == room.room_id ? std::string() : room.name,
                room.create_time};
}

Room RoomStore::toRoom(SdkAppId sdkappid, const std::string& room_id, const Record& record) {
  return Room{sdkappid,    room_id, record.owner, record.type,
              record.name.empty() ? room_id : record.name, record.create_time};
}

RoomStore::Shard* RoomStore::shardFor(SdkAppId sdkappid) const {
  const auto it = shards_.find(sdkappid);
  return it == shards_.end() ? nullptr : it->second.get();
}

RoomStore::AddResult RoomStore::add(const Room& room) {
  Shard* shard = shardFor(room.sdkappid);
  if (shard == nullptr) return AddResult::kUnknownApp;
  std::lock_guard lock(shard->mutex);
  const bool inserted = shard->rooms.try_emplace(room.room_id, toRecord(room)).second;
  return inserted ? AddResult::kAdded : AddResult::kAlreadyExists;
}

bool RoomStore::put(const Room& room) {
  Shard* shard = shardFor(room.sdkappid);
  if (shard == nullptr) return false;
  std::lock_guard lock(shard->mutex);
  shard->rooms.insert_or_assign(room.room_id, toRecord(room));
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

void RoomStore::replaceAll(const std::vector<Room>& rooms) {
  // Lock every shard in a fixed (address) order, so a concurrent reader sees all-old or all-new.
  std::vector<Shard*> ordered;
  for (const auto& [sdkappid, shard] : shards_) ordered.push_back(shard.get());
  std::sort(ordered.begin(), ordered.end());
  std::vector<std::unique_lock<std::mutex>> locks;
  for (Shard* shard : ordered) locks.emplace_back(shard->mutex);
  for (Shard* shard : ordered) shard->rooms.clear();
  for (const auto& room : rooms) {
    if (Shard* shard = shardFor(room.sdkappid)) shard->rooms.insert_or_assign(room.room_id, toRecord(room));
  }
}

void RoomStore::reset() { replaceAll(initial_rooms_); }

}  // namespace live::domain
