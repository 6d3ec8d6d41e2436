// A bounded memo of the two expensive UserSig steps: decoding (row 11: base64, inflate, JSON) and
// the HMAC check (row 15). Both are pure functions, of the UserSig and of (UserSig, secret key), so
// memoising them cannot change an answer; expiry (row 14) is still checked against the clock on
// every call, and a different key is a different memo entry. Having no observable state, it is not
// a Resettable part. Thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "protocol/result.h"
#include "protocol/usersig.h"

namespace live::domain {

class UserSigCache {
 public:
  // Entries kept before the memo is emptied and starts again (a client reuses one UserSig for
  // days, so a handful of entries serve almost every call).
  explicit UserSigCache(std::size_t capacity = 4096) : capacity_(capacity) {}

  struct Decoded {
    std::shared_ptr<const protocol::UserSigClaims> claims;  // null when decoding failed
    std::string error;                                       // why it failed
  };
  // decodeUserSig(usersig), memoised.
  Decoded decode(std::string_view usersig);
  // userSigSignatureMatches(claims, secret_key), memoised for matches. `claims` must come from
  // decode(usersig).
  bool signatureMatches(std::string_view usersig, const protocol::UserSigClaims& claims,
                        std::string_view secret_key);

 private:
  struct Entry {
    Decoded decoded;
    std::string verified_with;  // the secret key the HMAC matched under; empty if none yet
  };
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };

  const std::size_t capacity_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry, StringHash, std::equal_to<>> entries_;  // guarded by mutex_
};

}  // namespace live::domain
