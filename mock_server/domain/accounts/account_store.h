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
  // `initial` holds each app's configured accounts; they are also what reset() returns to.
  AccountStore(ResetRegistry& registry, std::map<SdkAppId, Accounts> initial);

  bool imported(SdkAppId sdkappid, std::string_view user_id) const;
  // Imports the account, or imports it again (its Nick and FaceUrl replaced). Returns true when it is new.
  bool put(SdkAppId sdkappid, const std::string& user_id, ImAccount account);
  // False when the app had no such account.
  bool remove(SdkAppId sdkappid, std::string_view user_id);
  Accounts list(SdkAppId sdkappid) const;
  void reset() override;

 private:
  const std::map<SdkAppId, Accounts> initial_;
  mutable std::mutex mutex_;
  std::map<SdkAppId, Accounts> accounts_;  // guarded by mutex_
};

}  // namespace live::domain
