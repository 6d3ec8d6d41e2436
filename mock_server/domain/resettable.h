// The one interface through which every stateful part of the emulator returns to its initial state,
// so that POST /__emulator/reset cannot fall behind when a new part is added.
#pragma once

namespace live::domain {

class Resettable {
 public:
  virtual ~Resettable() = default;
  // Returns the part to the state it had right after configuration. Thread-safe.
  virtual void reset() = 0;
};

}  // namespace live::domain
