// UserSig: the vectors of docs/usersig.md, every official dialect, and each way decoding can fail.
#include "protocol/usersig.h"

#include <zlib.h>

#include <catch2/catch.hpp>

#include "protocol/base64.h"

using namespace live::protocol;

namespace {

constexpr const char* kFirstKey = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";

// Builds a token from raw JSON text, so tests can send exactly the defect they name.
std::string tokenFromJson(const std::string& text, int level = Z_DEFAULT_COMPRESSION) {
  uLongf size = compressBound(static_cast<uLong>(text.size()));
  std::string out(size, '\0');
  REQUIRE(compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                    reinterpret_cast<const Bytef*>(text.data()), static_cast<uLong>(text.size()),
                    level) == Z_OK);
  out.resize(size);
  std::string token = base64Encode(out);
  for (char& c : token) {
    if (c == '+') c = '*';
    if (c == '/') c = '-';
    if (c == '=') c = '_';
  }
  return token;
}

UserSigRequest firstRow() {
  return {1400000000, kFirstKey, "xiaojun", 1700000000, 15552000, std::nullopt};
}

}  // namespace

TEST_CASE("signature test vectors from docs/usersig.md") {
  SECTION("row 1") {
    CHECK(userSigSignature(kFirstKey, userSigSignedText("xiaojun", 1400000000, 1700000000,
                                                        15552000)) ==
          "LvA7d/Iw7gSsnskvVzBDPOCCDbuNCw4GHwTC0bip+B4=");
  }
  SECTION("row 2") {
    CHECK(userSigSignature("secretkey", userSigSignedText("admin", 88888888, 1700000000, 86400)) ==
          "OAeJff0rlkSr2JHcOboMCke0fVEHXa46vmN7Z04y98U=");
  }
  SECTION("row 3, with userbuf") {
    CHECK(userSigSignedText("xiaojun", 1400000000, 1700000000, 15552000, std::string("YWJj")) ==
          "TLS.identifier:xiaojun\nTLS.sdkappid:1400000000\nTLS.time:1700000000\n"
          "TLS.expire:15552000\nTLS.userbuf:YWJj\n");
    CHECK(userSigSignature(kFirstKey, userSigSignedText("xiaojun", 1400000000, 1700000000,
                                                        15552000, std::string("YWJj"))) ==
          "QjT201xPkXk/aM1e+y0vakZb0K2iPrFue++0s5y6bFM=");
    auto request = firstRow();
    request.userbuf = "abc";
    auto claims = decodeUserSig(generateUserSig(request));
    REQUIRE(claims.ok());
    CHECK(claims.value().userbuf == "YWJj");
    CHECK(claims.value().signature == "QjT201xPkXk/aM1e+y0vakZb0K2iPrFue++0s5y6bFM=");
    CHECK(userSigSignatureMatches(claims.value(), kFirstKey));
  }
}

TEST_CASE("whole UserSig from the official Python library decodes and verifies") {
  const auto claims = decodeUserSig(
      "eJyrVgrxCdYrSy1SslJQMtIzUNJRAItkpqTmlWSmZUIkKjIT87NK82CSxSnZiQUFmSlAKUMTAyiAyqVWFGQWpYJkTE1N"
      "jRDiJZm5YFFzNPXFmekgG3zKHM1T9D3LzdODi-OKs8vCqpxcAvydnV2SSv2cy03cPcpDnA2SMgu0nUxslWoBHdYzUg__");
  REQUIRE(claims.ok());
  CHECK(claims.value().version == "2.0");
  CHECK(claims.value().identifier == "xiaojun");
  CHECK(claims.value().sdkappid == 1400000000);
  CHECK(claims.value().time == 1700000000);
  CHECK(claims.value().expire == 15552000);
  CHECK(claims.value().signature == "LvA7d/Iw7gSsnskvVzBDPOCCDbuNCw4GHwTC0bip+B4=");
  CHECK(userSigSignatureMatches(claims.value(), kFirstKey));
  CHECK_FALSE(userSigSignatureMatches(claims.value(), "another-key"));
  CHECK_FALSE(claims.value().expiredAt(1700000000 + 15552000));
  CHECK(claims.value().expiredAt(1700000000 + 15552000 + 1));
}

TEST_CASE("whole UserSig from the official npm package decodes and verifies") {
  const auto claims = decodeUserSig(
      "eJyrVgrxCdYrSy1SslIy0jNQ0gHzM1NS80oy0zLBwokpuZl5UInilOzEgoLMFCUrCyiAiJdk5qYqWRmaG0ABRDS1oiC"
      "zKFXJysLMBCZUnJmuZKXk75jqlZZmUJSTHVxk5OWR7J*U7*ucnWqQFubqEZFoYlaW62ceZWBSaWkRaqtUCwBXdTAL");
  REQUIRE(claims.ok());
  CHECK(claims.value().identifier == "admin");
  CHECK(claims.value().sdkappid == 88888888);
  CHECK(claims.value().expire == 86400);
  CHECK(claims.value().signature == "OAeJff0rlkSr2JHcOboMCke0fVEHXa46vmN7Z04y98U=");
  CHECK(userSigSignatureMatches(claims.value(), "secretkey"));
}

TEST_CASE("every official generator dialect round-trips") {
  UserSigDialect dialect;
  std::string expected_prefix;
  SECTION("zlib default level (Python, Java, Node)") {
    dialect.compression_level = Z_DEFAULT_COMPRESSION;
    expected_prefix = "eJ";
  }
  SECTION("zlib level 1 (C++ library)") {
    // Header 78 01; the third character already depends on the deflate data.
    dialect.compression_level = 1;
    expected_prefix = "eA";
  }
  SECTION("stored blocks, trailing newline, padding (Go library)") {
    dialect.compression_level = 0;
    dialect.trailing_newline = true;
    dialect.keep_padding = true;
    expected_prefix = "eAEB";
  }
  SECTION("escaped slashes and another field order (PHP library)") {
    dialect.escape_slashes = true;
    dialect.field_order = {"TLS.sig", "TLS.time", "TLS.expire", "TLS.sdkappid", "TLS.identifier",
                           "TLS.ver"};
    expected_prefix = "eJ";
  }
  SECTION("Python spacing, padding stripped") {
    dialect.spaced_json = true;
    dialect.keep_padding = false;
    expected_prefix = "eJ";
  }
  const std::string token = generateUserSig(firstRow(), dialect);
  CHECK(token.rfind(expected_prefix, 0) == 0);
  const auto claims = decodeUserSig(token);
  REQUIRE(claims.ok());
  CHECK(claims.value().signature == "LvA7d/Iw7gSsnskvVzBDPOCCDbuNCw4GHwTC0bip+B4=");
  CHECK(userSigSignatureMatches(claims.value(), kFirstKey));
}

TEST_CASE("escaped slashes really are present in the PHP dialect") {
  UserSigDialect dialect;
  dialect.escape_slashes = true;
  // The signature of row 1 contains '/', so the JSON must carry "\/" and still decode.
  const auto claims = decodeUserSig(generateUserSig(firstRow(), dialect));
  REQUIRE(claims.ok());
  CHECK(claims.value().signature.find('/') != std::string::npos);
}

TEST_CASE("decoding failures name the step and the field") {
  struct Case {
    std::string token;
    std::string expected_fragment;
  };
  const std::string valid_fields =
      R"("TLS.identifier":"xiaojun","TLS.sdkappid":1400000000,"TLS.time":1700000000,"TLS.expire":10,"TLS.sig":"x")";
  const std::vector<Case> cases = {
      {"not base64 at all!", "not URL-safe base64"},
      {"eJyr", "truncated"},
      {"AAAA", "not a valid zlib stream"},
      {tokenFromJson("not json"), "not valid JSON"},
      {tokenFromJson("[1,2]"), "expected an object"},
      {tokenFromJson("{" + valid_fields + "}"), "no \"TLS.ver\""},
      {tokenFromJson(R"({"TLS.ver":"3.0",)" + valid_fields + "}"), "expected \"2.0\""},
      {tokenFromJson(R"({"TLS.ver":2.0,)" + valid_fields + "}"), "expected a string"},
      {tokenFromJson(
           R"({"TLS.ver":"2.0","TLS.identifier":"a","TLS.sdkappid":"1400000000","TLS.time":1,"TLS.expire":1,"TLS.sig":"x"})"),
       "\"TLS.sdkappid\" is a string, expected an integer"},
      {tokenFromJson(
           R"({"TLS.ver":"2.0","TLS.identifier":"a","TLS.sdkappid":1,"TLS.time":1.5,"TLS.expire":1,"TLS.sig":"x"})"),
       "\"TLS.time\" is a fractional number"},
      {tokenFromJson(
           R"({"TLS.ver":"2.0","TLS.identifier":"a","TLS.sdkappid":1,"TLS.time":1,"TLS.sig":"x"})"),
       "no \"TLS.expire\""},
      {tokenFromJson(
           R"({"TLS.ver":"2.0","TLS.identifier":7,"TLS.sdkappid":1,"TLS.time":1,"TLS.expire":1,"TLS.sig":"x"})"),
       "\"TLS.identifier\" is a number"},
      {tokenFromJson(
           R"({"TLS.ver":"2.0","TLS.identifier":"a","TLS.sdkappid":-1,"TLS.time":1,"TLS.expire":1,"TLS.sig":"x"})"),
       "negative"},
      {tokenFromJson(
           R"({"TLS.ver":"2.0","TLS.identifier":"a","TLS.sdkappid":1,"TLS.time":18446744073709551615,"TLS.expire":1,"TLS.sig":"x"})"),
       "out of range"},
      {tokenFromJson(std::string(100, '[') + std::string(100, ']')), "nested deeper"},
      {tokenFromJson("{\"pad\":\"" + std::string(20000, 'a') + "\"}"), "more than 16384 bytes"},
  };
  for (const auto& test : cases) {
    INFO(test.expected_fragment);
    const auto result = decodeUserSig(test.token);
    REQUIRE_FALSE(result.ok());
    CHECK_THAT(result.error(), Catch::Contains(test.expected_fragment));
  }
}

TEST_CASE("a UserSig that inflates to megabytes is refused without inflating it all") {
  // 8 MiB of zeros compress to about 8 KiB; the decoder must stop at its 16 KiB bound.
  const auto result = decodeUserSig(tokenFromJson(std::string(8 * 1024 * 1024, ' ')));
  REQUIRE_FALSE(result.ok());
  CHECK_THAT(result.error(), Catch::Contains("more than 16384 bytes"));
}

TEST_CASE("expiry is inclusive of time + expire and saturates instead of overflowing") {
  UserSigClaims claims;
  claims.time = 100;
  claims.expire = 60;
  CHECK_FALSE(claims.expiredAt(160));
  CHECK(claims.expiredAt(161));
  claims.time = INT64_MAX - 1;
  claims.expire = 10;
  CHECK(claims.validUntil() == INT64_MAX);
  CHECK_FALSE(claims.expiredAt(INT64_MAX));
}

TEST_CASE("a signature of the wrong length or alphabet never matches") {
  auto claims = decodeUserSig(generateUserSig(firstRow()));
  REQUIRE(claims.ok());
  claims.value().signature = "AAAA";
  CHECK_FALSE(userSigSignatureMatches(claims.value(), kFirstKey));
  claims.value().signature = "!!!!";
  CHECK_FALSE(userSigSignatureMatches(claims.value(), kFirstKey));
}
