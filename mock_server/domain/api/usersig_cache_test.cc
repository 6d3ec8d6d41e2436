// UserSigCache gives exactly what the uncached functions give, for hits, misses, other keys and
// failures, and stays bounded.
#include "domain/api/usersig_cache.h"

#include <catch2/catch.hpp>

using namespace live;
using domain::UserSigCache;

TEST_CASE("the memo answers exactly as the uncached functions") {
  UserSigCache cache(8);
  const auto usersig = protocol::generateUserSig({1, "right", "admin", 1700000000, 60, std::nullopt});
  for (int round = 0; round < 3; ++round) {
    const auto decoded = cache.decode(usersig);
    REQUIRE(decoded.claims != nullptr);
    CHECK(decoded.claims->identifier == "admin");
    CHECK(cache.signatureMatches(usersig, *decoded.claims, "right"));
    CHECK_FALSE(cache.signatureMatches(usersig, *decoded.claims, "wrong"));  // another key: no
    CHECK_FALSE(cache.signatureMatches(usersig, *decoded.claims, "righ"));
  }
  const auto broken = cache.decode("garbage!");
  CHECK(broken.claims == nullptr);
  CHECK(broken.error == protocol::decodeUserSig("garbage!").error());
  CHECK(cache.decode("garbage!").error == broken.error);
}

TEST_CASE("the memo stays bounded and keeps answering correctly after it empties") {
  UserSigCache cache(4);
  for (int i = 0; i < 50; ++i) {
    const auto usersig =
        protocol::generateUserSig({1, "key", "user-" + std::to_string(i), 1700000000, 60, std::nullopt});
    const auto decoded = cache.decode(usersig);
    REQUIRE(decoded.claims != nullptr);
    CHECK(decoded.claims->identifier == "user-" + std::to_string(i));
    CHECK(cache.signatureMatches(usersig, *decoded.claims, "key"));
  }
}
