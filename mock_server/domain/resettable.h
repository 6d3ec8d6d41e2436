// The one interface through which every stateful part of the emulator returns to its initial state.
// A part joins a ResetRegistry in its constructor, so it cannot exist without being reachable by
// POST /__emulator/reset; adding a part cannot leave reset behind.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace live::domain {

class Resettable;

// The stateful parts of one emulator. Parts must outlive the registry's use.
class ResetRegistry {
 public:
  // Resets every part, in the order they registered. Thread-safe.
  void resetAll();
  // Resets every part's state of one app (docs/control-api.md, "Apps at run time"). Thread-safe.
  void resetApp(std::uint32_t sdkappid);
  // The registered parts' names, in registration order.
  std::vector<std::string> names() const;

 private:
  friend class Resettable;
  void add(Resettable* part);
  mutable std::mutex mutex_;
  std::vector<Resettable*> parts_;  // guarded by mutex_
};

class Resettable {
 public:
  Resettable(ResetRegistry& registry, std::string name) : name_(std::move(name)) {
    registry.add(this);
  }
  virtual ~Resettable() = default;
  Resettable(const Resettable&) = delete;
  Resettable& operator=(const Resettable&) = delete;

  // Returns the part to the state it had right after configuration. Thread-safe.
  virtual void reset() = 0;
  // Returns what the part holds of app `sdkappid` to that app's initial state (what the config, or
  // POST /__emulator/apps, gave it) and leaves every other app's alone. A part that holds nothing
  // per app does nothing, and says so. Thread-safe.
  virtual void resetApp(std::uint32_t sdkappid) = 0;
  const std::string& partName() const { return name_; }

 private:
  std::string name_;
};

inline void ResetRegistry::add(Resettable* part) {
  std::lock_guard lock(mutex_);
  parts_.push_back(part);
}

inline void ResetRegistry::resetAll() {
  std::lock_guard lock(mutex_);
  for (Resettable* part : parts_) part->reset();
}

inline void ResetRegistry::resetApp(std::uint32_t sdkappid) {
  std::lock_guard lock(mutex_);
  for (Resettable* part : parts_) part->resetApp(sdkappid);
}

inline std::vector<std::string> ResetRegistry::names() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> names;
  for (const Resettable* part : parts_) names.push_back(part->partName());
  return names;
}

}  // namespace live::domain
