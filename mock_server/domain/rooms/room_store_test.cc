// RoomStore: per-app rooms, atomic removeIf, reset to the initial rooms, and concurrent destroys.
#include "domain/rooms/room_store.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

using namespace live::domain;

namespace {

std::vector<App> twoApps() {
  return {App{1, "k1", "administrator", {"admin"}, AppStatus::kActive, {}, {}, false, false, {}},
          App{2, "k2", "administrator", {"admin"}, AppStatus::kActive, {}, {}, false, false, {}}};
}

}  // namespace

TEST_CASE("rooms are per app, and reset returns to the initial rooms") {
  ResetRegistry registry;
  RoomStore store(registry, twoApps(), {Room{1, "r", "admin", "Live", "r", 5, {}, {}, {}}});
  CHECK(store.add(Room{2, "r", "admin", "Live", "Other", 6, {}, {}, {}}) == RoomStore::AddResult::kAdded);
  CHECK(store.add(Room{2, "r", "admin", "Live", "r", 6, {}, {}, {}}) == RoomStore::AddResult::kAlreadyExists);
  CHECK(store.add(Room{3, "r", "admin", "Live", "r", 6, {}, {}, {}}) == RoomStore::AddResult::kUnknownApp);
  CHECK(store.list(2)->at(0).name == "Other");
  CHECK(store.remove(1, "r") == RoomStore::RemoveResult::kRemoved);
  CHECK(store.remove(1, "r") == RoomStore::RemoveResult::kAbsent);
  CHECK(store.size() == 1);
  store.reset();
  CHECK(store.all() == std::vector<Room>{Room{1, "r", "admin", "Live", "r", 5, {}, {}, {}}});
}

TEST_CASE("removeIf leaves the room when refused") {
  ResetRegistry registry;
  RoomStore store(registry, twoApps(), {Room{1, "r", "admin", "Live", "r", 5, {}, {}, {}}});
  CHECK(store.removeIf(1, "r", [](const Room&) { return false; }) ==
        RoomStore::RemoveResult::kRefused);
  CHECK(store.size() == 1);
}

TEST_CASE("many threads destroying the same rooms see exactly one success per room") {
  std::vector<Room> rooms;
  for (int i = 0; i < 200; ++i) rooms.push_back(Room{1, "room-" + std::to_string(i), "admin", "Live", "", 0, {}, {}, {}});
  ResetRegistry registry;
  RoomStore store(registry, twoApps(), rooms);
  std::vector<std::atomic<int>> successes(rooms.size());
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (std::size_t i = 0; i < rooms.size(); ++i) {
        if (store.remove(1, rooms[i].room_id) == RoomStore::RemoveResult::kRemoved) ++successes[i];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (auto& count : successes) CHECK(count.load() == 1);
  CHECK(store.size() == 0);
}
