// The apps the emulator serves: those of its configuration, fixed, and those added at run time
// (POST /__emulator/apps), which parallel tests use to keep apart on one emulator
// (docs/control-api.md, "Apps at run time").
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "domain/resettable.h"
#include "domain/rooms/model.h"

namespace live::domain {

class AppDirectory final : public Resettable {
 public:
  // `configured` must outlive the directory.
  AppDirectory(ResetRegistry& registry, const std::vector<App>& configured);

  // The app, or null. A configured app is found without a lock; an app added at run time under a
  // shared lock, taken only once one was added. The pointer stays valid for the emulator's life,
  // even after the app is removed (a call in flight may still hold it).
  const App* find(SdkAppId sdkappid) const {
    if (const auto it = configured_.find(sdkappid); it != configured_.end()) return it->second;
    if (!any_runtime_.load(std::memory_order_acquire)) return nullptr;
    return findRuntime(sdkappid);
  }
  bool isConfigured(SdkAppId sdkappid) const { return configured_.count(sdkappid) != 0; }
  // Every app: the configured ones in configuration order, then those added, by sdkappid.
  std::vector<App> all() const;

  // The SDKAppID a new app gets when its request names none: the next of a counter that starts at
  // kFirstRuntimeSdkAppId and skips ids in use (chosen).
  static constexpr SdkAppId kFirstRuntimeSdkAppId = 1'900'000'001;
  SdkAppId nextFreeSdkAppId();
  // False when an app with that id exists.
  bool add(const App& app);
  enum class RemoveResult { kRemoved, kAbsent, kConfigured };
  RemoveResult remove(SdkAppId sdkappid);

  // A global reset removes every app added at run time: the emulator is back to its configuration.
  void reset() override;
  // Resetting one app keeps it: it is what its test works on.
  void resetApp(SdkAppId) override {}

 private:
  const App* findRuntime(SdkAppId sdkappid) const;

  std::unordered_map<SdkAppId, const App*> configured_;  // immutable after construction
  mutable std::shared_mutex mutex_;
  std::map<SdkAppId, std::unique_ptr<const App>> runtime_;  // guarded by mutex_
  // Removed apps, kept so that pointers handed out stay valid; a few hundred bytes each.
  std::vector<std::unique_ptr<const App>> retired_;  // guarded by mutex_
  SdkAppId next_id_ = kFirstRuntimeSdkAppId;          // guarded by mutex_
  std::atomic<bool> any_runtime_{false};
};

}  // namespace live::domain
