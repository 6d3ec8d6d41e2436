// App status as it stands now: configured statuses, overridable at run time (scenarios use it to
// reproduce a disabled app or an expired package without another config file).
#pragma once

#include <mutex>
#include <unordered_map>

#include "domain/model.h"
#include "domain/resettable.h"

namespace live::domain {

class AppStatusBoard final : public Resettable {
 public:
  explicit AppStatusBoard(ResetRegistry& registry) : Resettable(registry, "app_status") {}

  AppStatus statusOf(const App& app) const {
    std::lock_guard lock(mutex_);
    const auto it = overrides_.find(app.sdkappid);
    return it == overrides_.end() ? app.status : it->second;
  }
  void set(SdkAppId sdkappid, AppStatus status) {
    std::lock_guard lock(mutex_);
    overrides_[sdkappid] = status;
  }
  void reset() override {
    std::lock_guard lock(mutex_);
    overrides_.clear();
  }

 private:
  mutable std::mutex mutex_;
  std::unordered_map<SdkAppId, AppStatus> overrides_;  // guarded by mutex_
};

}  // namespace live::domain
