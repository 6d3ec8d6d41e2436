#include "protocol/text.h"

#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>

#include "protocol/usersig.h"

using live::protocol::isValidUtf8;

TEST_CASE("isValidUtf8 accepts well-formed UTF-8 and refuses every malformed kind") {
  CHECK(isValidUtf8(""));
  CHECK(isValidUtf8("admin"));
  CHECK(isValidUtf8("\xC3\xA9"));                    // é
  CHECK(isValidUtf8("\xE4\xB8\xAD\xE6\x96\x87"));    // 中文
  CHECK(isValidUtf8("\xF0\x9F\x8E\xA5"));            // U+1F3A5
  CHECK(isValidUtf8(std::string("a\0b", 3)));        // NUL is valid UTF-8 (JSON escapes it)
  CHECK_FALSE(isValidUtf8("\xFF"));
  CHECK_FALSE(isValidUtf8("\xBC" "admin"));          // stray continuation byte
  CHECK_FALSE(isValidUtf8("\xC3"));                  // truncated
  CHECK_FALSE(isValidUtf8("\xC0\xAF"));              // overlong '/'
  CHECK_FALSE(isValidUtf8("\xE0\x80\xAF"));          // overlong
  CHECK_FALSE(isValidUtf8("\xED\xA0\x80"));          // surrogate U+D800
  CHECK_FALSE(isValidUtf8("\xF4\x90\x80\x80"));      // past U+10FFFF
}

TEST_CASE("generateUserSig refuses an identifier that is not UTF-8 instead of crashing") {
  // Found by fuzz_handler (regressions/fuzz_handler/invalid_utf8_identifier).
  CHECK_THROWS_AS(live::protocol::generateUserSig(
                      {88888888, "emulator-secret-key", "\xBC" "admin", 1700000000, 60, std::nullopt}),
                  std::invalid_argument);
}
