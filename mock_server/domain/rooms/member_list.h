// The members of a room, sorted by account, each marked a robot or not: a sorted vector rather than
// a std::map, because a million rooms with a member each is the scale the emulator holds, and a map
// node costs twice a vector slot (docs/performance.md, "Rooms with the family's parts"). It offers
// the part of std::map's interface the store and the commands use. Not thread-safe: the room
// store's shard lock guards it.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace live::domain {

class MemberList {
 public:
  using value_type = std::pair<std::string, bool>;  // account, is a robot
  using const_iterator = std::vector<value_type>::const_iterator;
  using iterator = std::vector<value_type>::iterator;

  MemberList() = default;
  MemberList(std::initializer_list<value_type> members) {
    for (const auto& [id, robot] : members) emplace(id, robot);
  }

  const_iterator begin() const { return members_.begin(); }
  const_iterator end() const { return members_.end(); }
  std::size_t size() const { return members_.size(); }
  bool empty() const { return members_.empty(); }

  const_iterator find(std::string_view id) const {
    const auto it = lowerBound(id);
    return it != members_.end() && it->first == id ? it : members_.end();
  }
  std::size_t count(std::string_view id) const { return find(id) == end() ? 0 : 1; }
  // The first member after `id` in account order.
  const_iterator upper_bound(std::string_view id) const {
    return std::upper_bound(members_.begin(), members_.end(), id,
                            [](std::string_view key, const value_type& member) { return key < member.first; });
  }
  // Adds the member, or finds it: (where it is, whether it was added), as std::map::emplace.
  std::pair<iterator, bool> emplace(std::string id, bool robot) {
    auto it = members_.begin() + (lowerBound(id) - members_.cbegin());
    if (it != members_.end() && it->first == id) return {it, false};
    return {members_.emplace(it, std::move(id), robot), true};
  }
  std::size_t erase(std::string_view id) {
    const auto it = find(id);
    if (it == end()) return 0;
    members_.erase(it);
    return 1;
  }

  bool operator==(const MemberList&) const = default;

 private:
  const_iterator lowerBound(std::string_view id) const {
    return std::lower_bound(members_.begin(), members_.end(), id,
                            [](const value_type& member, std::string_view key) { return member.first < key; });
  }
  std::vector<value_type> members_;  // sorted by account, no duplicates
};

}  // namespace live::domain
