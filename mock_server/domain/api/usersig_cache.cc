// UserSigCache: compute outside the lock, publish under it; a full memo is simply emptied.
#include "domain/api/usersig_cache.h"

namespace live::domain {

UserSigCache::Decoded UserSigCache::decode(std::string_view usersig) {
  {
    std::lock_guard lock(mutex_);
    if (const auto it = entries_.find(usersig); it != entries_.end()) return it->second.decoded;
  }
  Decoded decoded;
  auto claims = protocol::decodeUserSig(usersig);
  if (claims) {
    decoded.claims = std::make_shared<const protocol::UserSigClaims>(std::move(claims).value());
  } else {
    decoded.error = claims.error();
  }
  std::lock_guard lock(mutex_);
  if (entries_.size() >= capacity_) entries_.clear();
  entries_.try_emplace(std::string(usersig), Entry{decoded, {}});
  return decoded;
}

bool UserSigCache::signatureMatches(std::string_view usersig, const protocol::UserSigClaims& claims,
                                    std::string_view secret_key) {
  {
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(usersig);
    if (it != entries_.end() && !it->second.verified_with.empty() &&
        it->second.verified_with == secret_key) {
      return true;
    }
  }
  if (!protocol::userSigSignatureMatches(claims, secret_key)) return false;
  std::lock_guard lock(mutex_);
  if (const auto it = entries_.find(usersig); it != entries_.end()) {
    it->second.verified_with = std::string(secret_key);
  }
  return true;
}

}  // namespace live::domain
