// TLSSigAPIv2 on OpenSSL (HMAC, base64) and zlib (deflate/inflate) with nlohmann::json for the
// token body. Decoding is bounded: inflate stops at kMaxInflatedUserSigBytes, JSON depth is capped.
#include "protocol/usersig.h"

#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <zlib.h>

#include <array>
#include <limits>
#include <nlohmann/json.hpp>

#include <fmt/format.h>
#include "protocol/base64.h"
#include "protocol/text.h"
#include "protocol/json_limits.h"

namespace live::protocol {
namespace {

using json = nlohmann::json;

// The vendor's URL-safe alphabet: '+' -> '*', '/' -> '-', '=' -> '_'.
std::string fromUrlSafe(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '*') {
      c = '+';
    } else if (c == '-') {
      c = '/';
    } else if (c == '_') {
      c = '=';
    }
  }
  return out;
}

std::string toUrlSafe(std::string text, bool keep_padding) {
  if (!keep_padding) {
    while (!text.empty() && text.back() == '=') text.pop_back();
  }
  for (char& c : text) {
    if (c == '+') {
      c = '*';
    } else if (c == '/') {
      c = '-';
    } else if (c == '=') {
      c = '_';
    }
  }
  return text;
}

// Inflates a complete zlib stream, refusing to produce more than `limit` bytes.
Result<std::string> inflateBounded(std::string_view compressed, std::size_t limit) {
  z_stream stream{};
  if (inflateInit(&stream) != Z_OK) return Failure{"zlib could not be initialised"};
  std::string out(limit + 1, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int status = inflate(&stream, Z_FINISH);
  const std::size_t produced = out.size() - stream.avail_out;
  const std::size_t unread = stream.avail_in;
  const std::string zlib_message = stream.msg != nullptr ? stream.msg : "";
  inflateEnd(&stream);

  if (produced > limit) {
    return Failure{fmt::format("the UserSig inflates to more than {} bytes", limit)};
  }
  if (status != Z_STREAM_END) {
    if (status == Z_BUF_ERROR || status == Z_OK) {
      return Failure{"the UserSig's zlib stream is truncated"};
    }
    return Failure{fmt::format("the UserSig is not a valid zlib stream ({})",
                               zlib_message.empty() ? "corrupt data" : zlib_message)};
  }
  if (unread != 0) return Failure{"the UserSig has bytes after the end of its zlib stream"};
  out.resize(produced);
  return out;
}

Result<std::string> deflate(std::string_view text, int level) {
  uLongf capacity = compressBound(static_cast<uLong>(text.size()));
  std::string out(capacity, '\0');
  const int status = compress2(reinterpret_cast<Bytef*>(out.data()), &capacity,
                               reinterpret_cast<const Bytef*>(text.data()),
                               static_cast<uLong>(text.size()), level);
  if (status != Z_OK) return Failure{"zlib could not compress the UserSig"};
  out.resize(capacity);
  return out;
}

const char* jsonTypeName(const json& value) { return value.type_name(); }

// Reads a required string field of the token.
Result<std::string> stringField(const json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end()) return Failure{fmt::format("the UserSig has no \"{}\" field", name)};
  if (!it->is_string()) {
    return Failure{fmt::format("the UserSig's \"{}\" is a {}, expected a string", name,
                               jsonTypeName(*it))};
  }
  return it->get<std::string>();
}

// Reads a required integer field of the token that must fit in int64.
Result<std::int64_t> integerField(const json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end()) return Failure{fmt::format("the UserSig has no \"{}\" field", name)};
  if (it->is_number_unsigned()) {
    const auto value = it->get<std::uint64_t>();
    if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return Failure{fmt::format("the UserSig's \"{}\" is out of range", name)};
    }
    return static_cast<std::int64_t>(value);
  }
  if (it->is_number_integer()) return it->get<std::int64_t>();
  return Failure{fmt::format("the UserSig's \"{}\" is a {}, expected an integer", name,
                             it->is_number_float() ? "fractional number" : jsonTypeName(*it))};
}

}  // namespace

std::int64_t UserSigClaims::validUntil() const {
  std::int64_t until = 0;
  if (__builtin_add_overflow(time, expire, &until)) {
    return expire > 0 ? std::numeric_limits<std::int64_t>::max()
                      : std::numeric_limits<std::int64_t>::min();
  }
  return until;
}

Result<UserSigClaims> decodeUserSig(std::string_view usersig) {
  const auto compressed = base64Decode(fromUrlSafe(usersig));
  if (!compressed) {
    return Failure{"the UserSig is not URL-safe base64 (alphabet A-Z a-z 0-9 * - with _ padding)"};
  }
  auto inflated = inflateBounded(*compressed, kMaxInflatedUserSigBytes);
  if (!inflated) return Failure{inflated.error()};
  const std::string& text = inflated.value();

  const auto parsed = parseUntrustedJson(text);
  if (!parsed) return Failure{"the UserSig's content is " + parsed.error()};
  const json& object = parsed.value();
  if (!object.is_object()) {
    return Failure{fmt::format("the UserSig's JSON is a {}, expected an object",
                               jsonTypeName(object))};
  }

  UserSigClaims claims;
  auto version = stringField(object, "TLS.ver");
  if (!version) return Failure{version.error()};
  if (version.value() != "2.0") {
    return Failure{fmt::format("the UserSig's \"TLS.ver\" is \"{}\", expected \"2.0\"",
                               version.value())};
  }
  claims.version = std::move(version).value();

  auto identifier = stringField(object, "TLS.identifier");
  if (!identifier) return Failure{identifier.error()};
  claims.identifier = std::move(identifier).value();

  auto sdkappid = integerField(object, "TLS.sdkappid");
  if (!sdkappid) return Failure{sdkappid.error()};
  if (sdkappid.value() < 0) return Failure{"the UserSig's \"TLS.sdkappid\" is negative"};
  claims.sdkappid = static_cast<std::uint64_t>(sdkappid.value());

  auto issued = integerField(object, "TLS.time");
  if (!issued) return Failure{issued.error()};
  claims.time = issued.value();

  auto expire = integerField(object, "TLS.expire");
  if (!expire) return Failure{expire.error()};
  claims.expire = expire.value();

  auto signature = stringField(object, "TLS.sig");
  if (!signature) return Failure{signature.error()};
  claims.signature = std::move(signature).value();

  if (const auto it = object.find("TLS.userbuf"); it != object.end()) {
    if (!it->is_string()) {
      return Failure{fmt::format("the UserSig's \"TLS.userbuf\" is a {}, expected a string",
                                 jsonTypeName(*it))};
    }
    claims.userbuf = it->get<std::string>();
  }
  return claims;
}

std::string userSigSignedText(std::string_view identifier, std::uint64_t sdkappid, std::int64_t time,
                              std::int64_t expire, const std::optional<std::string>& userbuf_base64) {
  std::string text = fmt::format("TLS.identifier:{}\nTLS.sdkappid:{}\nTLS.time:{}\nTLS.expire:{}\n",
                                 identifier, sdkappid, time, expire);
  if (userbuf_base64) text += fmt::format("TLS.userbuf:{}\n", *userbuf_base64);
  return text;
}

std::string userSigSignedText(const UserSigClaims& claims) {
  return userSigSignedText(claims.identifier, claims.sdkappid, claims.time, claims.expire,
                           claims.userbuf);
}

namespace {

std::array<unsigned char, 32> hmacSha256(std::string_view key, std::string_view text) {
  std::array<unsigned char, 32> digest{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data(), &length);
  return digest;
}

}  // namespace

std::string userSigSignature(std::string_view secret_key, std::string_view signed_text) {
  const auto digest = hmacSha256(secret_key, signed_text);
  return base64Encode(
      std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

bool userSigSignatureMatches(const UserSigClaims& claims, std::string_view secret_key) {
  const auto expected = hmacSha256(secret_key, userSigSignedText(claims));
  const auto presented = base64Decode(claims.signature);
  if (!presented || presented->size() != expected.size()) return false;
  return CRYPTO_memcmp(presented->data(), expected.data(), expected.size()) == 0;
}

std::string generateUserSig(const UserSigRequest& request, const UserSigDialect& dialect) {
  if (!isValidUtf8(request.identifier)) {
    throw std::invalid_argument("a UserSig's identifier must be valid UTF-8");
  }
  std::optional<std::string> userbuf_base64;
  if (request.userbuf) userbuf_base64 = base64Encode(*request.userbuf);
  const std::string signature =
      dialect.signature_override.value_or(userSigSignature(
          request.secret_key, userSigSignedText(request.identifier, request.sdkappid, request.time,
                                                request.expire, userbuf_base64)));

  const auto value_of = [&](const std::string& field) -> json {
    if (field == "TLS.ver") return dialect.version_override.value_or("2.0");
    if (field == "TLS.identifier") return request.identifier;
    if (field == "TLS.sdkappid") return request.sdkappid;
    if (field == "TLS.time") return request.time;
    if (field == "TLS.expire") return request.expire;
    if (field == "TLS.sig") return signature;
    return nullptr;
  };
  const std::string separator = dialect.spaced_json ? ", " : ",";
  const std::string colon = dialect.spaced_json ? ": " : ":";
  std::string text = "{";
  bool first = true;
  std::vector<std::string> fields = dialect.field_order;
  if (userbuf_base64) fields.emplace_back("TLS.userbuf");
  for (const auto& field : fields) {
    const json value = field == "TLS.userbuf" ? json(*userbuf_base64) : value_of(field);
    if (!first) text += separator;
    first = false;
    text += json(field).dump() + colon + value.dump();
  }
  text += "}";
  if (dialect.escape_slashes) {
    std::string escaped;
    for (const char c : text) {
      if (c == '/') escaped += '\\';
      escaped += c;
    }
    text = std::move(escaped);
  }
  if (dialect.trailing_newline) text += '\n';

  auto compressed = deflate(text, dialect.compression_level);
  if (!compressed) return std::string();
  return toUrlSafe(base64Encode(compressed.value()), dialect.keep_padding);
}

}  // namespace live::protocol
