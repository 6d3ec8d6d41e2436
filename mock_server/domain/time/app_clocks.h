// Each app's own time: the emulator's clock plus an offset that moves only that app
// (docs/control-api.md, "Apps at run time"). Parallel tests each advance their own app's clock, so
// one test's hour does not expire another's UserSigs, empty its rate windows or dissolve its rooms.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <unordered_map>

#include "domain/resettable.h"
#include "domain/rooms/model.h"
#include "domain/time/clock.h"

namespace live::domain {

class AppClocks final : public Resettable {
 public:
  explicit AppClocks(ResetRegistry& registry) : Resettable(registry, "app_clocks") {}

  // How far app `sdkappid` is ahead of the emulator's clock. One atomic load while no app was
  // advanced on its own (the destroy hot path pays nothing for the feature it does not use).
  Duration offsetOf(SdkAppId sdkappid) const {
    if (!any_.load(std::memory_order_acquire)) return Duration::zero();
    std::lock_guard lock(mutex_);
    const auto it = offsets_.find(sdkappid);
    return it == offsets_.end() ? Duration::zero() : it->second;
  }
  // The app's time when the emulator's clock reads `now`.
  Instant appTime(SdkAppId sdkappid, Instant now) const { return now + offsetOf(sdkappid); }
  // Moves only this app forward by `by` (>= 0).
  void advance(SdkAppId sdkappid, Duration by) {
    std::lock_guard lock(mutex_);
    offsets_[sdkappid] += by;
    any_.store(true, std::memory_order_release);
  }
  void reset() override {
    std::lock_guard lock(mutex_);
    offsets_.clear();
    any_.store(false, std::memory_order_release);
  }
  void resetApp(SdkAppId sdkappid) override {
    std::lock_guard lock(mutex_);
    offsets_.erase(sdkappid);
    any_.store(!offsets_.empty(), std::memory_order_release);
  }

 private:
  mutable std::mutex mutex_;
  std::unordered_map<SdkAppId, Duration> offsets_;  // guarded by mutex_
  std::atomic<bool> any_{false};
};

}  // namespace live::domain
