// AccountStore: one map per app behind one mutex (account calls are rare next to room calls).
#include "domain/accounts/account_store.h"

namespace live::domain {

AccountStore::AccountStore(ResetRegistry& registry, AllAccounts initial)
    : Resettable(registry, "accounts"), initial_(std::move(initial)), accounts_(initial_) {}

bool AccountStore::imported(SdkAppId sdkappid, std::string_view user_id) const {
  std::lock_guard lock(mutex_);
  const auto app = accounts_.find(sdkappid);
  return app != accounts_.end() && app->second.find(user_id) != app->second.end();
}

bool AccountStore::put(SdkAppId sdkappid, const std::string& user_id, ImAccount account) {
  std::lock_guard lock(mutex_);
  if (ChangeLog* log = logFor(sdkappid)) log->recordAccountPut(sdkappid, user_id, account);
  return accounts_[sdkappid].insert_or_assign(user_id, std::move(account)).second;
}

bool AccountStore::remove(SdkAppId sdkappid, std::string_view user_id) {
  std::lock_guard lock(mutex_);
  const auto app = accounts_.find(sdkappid);
  if (app == accounts_.end()) return false;
  const auto it = app->second.find(user_id);
  if (it == app->second.end()) return false;
  if (ChangeLog* log = logFor(sdkappid)) log->recordAccountRemove(sdkappid, user_id);
  app->second.erase(it);
  return true;
}

AccountStore::Accounts AccountStore::list(SdkAppId sdkappid) const {
  std::lock_guard lock(mutex_);
  const auto app = accounts_.find(sdkappid);
  return app == accounts_.end() ? Accounts{} : app->second;
}

AccountStore::AllAccounts AccountStore::all() const {
  std::lock_guard lock(mutex_);
  return accounts_;
}

void AccountStore::replaceAll(AllAccounts accounts) {
  std::lock_guard lock(mutex_);
  if (log_ != nullptr) log_->recordAccountsReplaced(accounts);
  accounts_ = std::move(accounts);
}

void AccountStore::reset() {
  {
    std::lock_guard lock(mutex_);
    runtime_initial_.clear();
  }
  replaceAll(initial_);
}

void AccountStore::resetApp(SdkAppId sdkappid) {
  std::lock_guard lock(mutex_);
  Accounts initial;
  if (const auto it = initial_.find(sdkappid); it != initial_.end()) initial = it->second;
  if (const auto it = runtime_initial_.find(sdkappid); it != runtime_initial_.end()) initial = it->second;
  if (ChangeLog* log = logFor(sdkappid)) {
    for (const auto& [user_id, account] : accounts_[sdkappid]) log->recordAccountRemove(sdkappid, user_id);
    for (const auto& [user_id, account] : initial) log->recordAccountPut(sdkappid, user_id, account);
  }
  accounts_[sdkappid] = std::move(initial);
}

void AccountStore::addApp(SdkAppId sdkappid, Accounts initial) {
  std::lock_guard lock(mutex_);
  runtime_initial_[sdkappid] = initial;
  accounts_[sdkappid] = std::move(initial);
}

void AccountStore::removeApp(SdkAppId sdkappid) {
  std::lock_guard lock(mutex_);
  runtime_initial_.erase(sdkappid);
  accounts_.erase(sdkappid);
}

}  // namespace live::domain
