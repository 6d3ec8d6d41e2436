// The IM accounts each app has imported through v4/im_open_login_svc/ (docs/room-family.md, "IM
// accounts"). An app with require_imported_accounts lets only imported accounts own rooms, enter
// them as robots, or become admins. Thread-safe; reset returns every app to its configured accounts.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/resettable.h"
#include "domain/rooms/model.h"

namespace live::domain {

struct ImAccount {
  std::string nick;      // Nick
  std::string face_url;  // FaceUrl

  bool operator==(const ImAccount&) const = default;
};

class AccountStore final : public Resettable {
 public:
  using Accounts = std::map<std::string, ImAccount, std::less<>>;
  using AllAccounts = std::map<SdkAppId, Accounts>;
  // Where every change is written before it takes effect (--state-file); called under the store's
  // lock, so records are in the order the changes happen. A call that cannot make its record
  // durable throws, and the change does not happen.
  class ChangeLog {
   public:
    virtual ~ChangeLog() = default;
    virtual void recordAccountPut(SdkAppId sdkappid, const std::string& user_id, const ImAccount& account) = 0;
    virtual void recordAccountRemove(SdkAppId sdkappid, std::string_view user_id) = 0;
    virtual void recordAccountsReplaced(const AllAccounts& accounts) = 0;
  };
  // `initial` holds each app's configured accounts; they are also what reset() returns to.
  AccountStore(ResetRegistry& registry, AllAccounts initial);

  bool imported(SdkAppId sdkappid, std::string_view user_id) const;
  // Imports the account, or imports it again (its Nick and FaceUrl replaced). Returns true when it is new.
  bool put(SdkAppId sdkappid, const std::string& user_id, ImAccount account);
  // False when the app had no such account.
  bool remove(SdkAppId sdkappid, std::string_view user_id);
  Accounts list(SdkAppId sdkappid) const;
  AllAccounts all() const;
  // Replaces every app's accounts (a state file's content).
  void replaceAll(AllAccounts accounts);
  void reset() override;
  // The app's accounts back to its initial ones.
  void resetApp(SdkAppId sdkappid) override;
  // An app added at run time, with its initial accounts; its changes are not written to the state
  // file (chosen, as for its rooms). removeApp forgets it and its accounts.
  void addApp(SdkAppId sdkappid, Accounts initial);
  void removeApp(SdkAppId sdkappid);
  // From now on every change goes through `log` first. Call before other threads use the store.
  void attach(ChangeLog* log) { log_ = log; }

 private:
  const AllAccounts initial_;
  mutable std::mutex mutex_;
  std::map<SdkAppId, Accounts> accounts_;  // guarded by mutex_
  std::map<SdkAppId, Accounts> runtime_initial_;  // apps added at run time; guarded by mutex_
  ChangeLog* log_ = nullptr;               // set before serving, then read-only
  // Where a change of the app's accounts is recorded: nowhere for an app added at run time.
  ChangeLog* logFor(SdkAppId sdkappid) const { return runtime_initial_.count(sdkappid) != 0 ? nullptr : log_; }
};

}  // namespace live::domain
