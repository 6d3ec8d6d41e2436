#include "domain/accounts/app_directory.h"

#include <algorithm>
#include <mutex>

namespace live::domain {

AppDirectory::AppDirectory(ResetRegistry& registry, const std::vector<App>& configured)
    : Resettable(registry, "apps") {
  for (const auto& app : configured) configured_.emplace(app.sdkappid, &app);
}

const App* AppDirectory::findRuntime(SdkAppId sdkappid) const {
  std::shared_lock lock(mutex_);
  const auto it = runtime_.find(sdkappid);
  return it == runtime_.end() ? nullptr : it->second.get();
}

std::vector<App> AppDirectory::all() const {
  std::vector<const App*> configured;
  for (const auto& [sdkappid, app] : configured_) configured.push_back(app);
  // Configuration order: the apps are one vector.
  std::sort(configured.begin(), configured.end());
  std::vector<App> apps;
  for (const App* app : configured) apps.push_back(*app);
  std::shared_lock lock(mutex_);
  for (const auto& [sdkappid, app] : runtime_) apps.push_back(*app);
  return apps;
}

SdkAppId AppDirectory::nextFreeSdkAppId() {
  std::unique_lock lock(mutex_);
  while (configured_.count(next_id_) != 0 || runtime_.count(next_id_) != 0) ++next_id_;
  return next_id_++;
}

bool AppDirectory::add(const App& app) {
  std::unique_lock lock(mutex_);
  if (configured_.count(app.sdkappid) != 0 || runtime_.count(app.sdkappid) != 0) return false;
  runtime_.emplace(app.sdkappid, std::make_unique<const App>(app));
  any_runtime_.store(true, std::memory_order_release);
  return true;
}

AppDirectory::RemoveResult AppDirectory::remove(SdkAppId sdkappid) {
  if (configured_.count(sdkappid) != 0) return RemoveResult::kConfigured;
  std::unique_lock lock(mutex_);
  const auto it = runtime_.find(sdkappid);
  if (it == runtime_.end()) return RemoveResult::kAbsent;
  retired_.push_back(std::move(it->second));
  runtime_.erase(it);
  return RemoveResult::kRemoved;
}

void AppDirectory::reset() {
  std::unique_lock lock(mutex_);
  for (auto& [sdkappid, app] : runtime_) retired_.push_back(std::move(app));
  runtime_.clear();
}

}  // namespace live::domain
