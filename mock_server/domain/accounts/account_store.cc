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
  if (log_ != nullptr) log_->recordAccountPut(sdkappid, user_id, account);
  return accounts_[sdkappid].insert_or_assign(user_id, std::move(account)).second;
}

bool AccountStore::remove(SdkAppId sdkappid, std::string_view user_id) {
  std::lock_guard lock(mutex_);
  const auto app = accounts_.find(sdkappid);
  if (app == accounts_.end()) return false;
  const auto it = app->second.find(user_id);
  if (it == app->second.end()) return false;
  if (log_ != nullptr) log_->recordAccountRemove(sdkappid, user_id);
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

void AccountStore::reset() { replaceAll(initial_); }

}  // namespace live::domain
