// A room's parts (admins, bans, metadata, seats) as the room store keeps them: one allocation of
// length-prefixed bytes, or none for a room without parts. RoomParts, with its containers, is what
// the commands read and change; a million rooms with a metadata key and an admin each would hold
// four containers and their strings apiece (docs/performance.md, "Rooms with the family's parts").
#pragma once

#include <memory>

#include "domain/rooms/model.h"

namespace live::domain {

class PackedParts {
 public:
  PackedParts() = default;
  explicit PackedParts(const RoomParts& parts);  // empty parts take no allocation

  RoomParts unpack() const;
  bool empty() const { return data_ == nullptr; }

 private:
  std::unique_ptr<char[]> data_;  // a 4-byte size, then the fields (packed_parts.cc)
};

}  // namespace live::domain
