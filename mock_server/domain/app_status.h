// An app's run-time settings: its status and its response style as configured, overridable at run
// time (scenarios use it to reproduce a disabled app, an expired package or the vendor's current
// answer shape without another config file).
#pragma once

#include <mutex>
#include <optional>
#include <unordered_map>

#include "domain/rooms/model.h"
#include "domain/resettable.h"

namespace live::domain {

class AppStatusBoard final : public Resettable {
 public:
  explicit AppStatusBoard(ResetRegistry& registry) : Resettable(registry, "app_status") {}

  struct Settings {
    AppStatus status;
    protocol::ResponseStyle response_style;
    bool strict_members;
  };
  // Both settings in one look-up (row 10 of the check table takes both).
  Settings settingsOf(const App& app) const {
    std::lock_guard lock(mutex_);
    const auto it = overrides_.find(app.sdkappid);
    Settings settings{app.status, app.response_style, app.strict_members};
    if (it != overrides_.end()) {
      if (it->second.status) settings.status = *it->second.status;
      if (it->second.response_style) settings.response_style = *it->second.response_style;
      if (it->second.strict_members) settings.strict_members = *it->second.strict_members;
    }
    return settings;
  }
  AppStatus statusOf(const App& app) const { return settingsOf(app).status; }
  void set(SdkAppId sdkappid, AppStatus status) {
    std::lock_guard lock(mutex_);
    overrides_[sdkappid].status = status;
  }
  void set(SdkAppId sdkappid, protocol::ResponseStyle style) {
    std::lock_guard lock(mutex_);
    overrides_[sdkappid].response_style = style;
  }
  void setStrictMembers(SdkAppId sdkappid, bool strict) {
    std::lock_guard lock(mutex_);
    overrides_[sdkappid].strict_members = strict;
  }
  void reset() override {
    std::lock_guard lock(mutex_);
    overrides_.clear();
  }
  void resetApp(SdkAppId sdkappid) override {
    std::lock_guard lock(mutex_);
    overrides_.erase(sdkappid);
  }

 private:
  struct Override {
    std::optional<AppStatus> status;
    std::optional<protocol::ResponseStyle> response_style;
    std::optional<bool> strict_members;
  };
  mutable std::mutex mutex_;
  std::unordered_map<SdkAppId, Override> overrides_;  // guarded by mutex_
};

}  // namespace live::domain
