// TLSSigAPIv2 UserSig: generating, decoding and verifying, as docs/usersig.md describes.
// Pure functions, no state: safe to call from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/result.h"

namespace live::protocol {

// A decoded UserSig never inflates beyond this; real ones are under 400 bytes (chosen limit).
inline constexpr std::size_t kMaxInflatedUserSigBytes = 16 * 1024;

// The claims carried by a UserSig, as decoded. Field names follow the vendor's "TLS.*" keys.
struct UserSigClaims {
  std::string version;               // TLS.ver, always "2.0" once decoded
  std::string identifier;            // TLS.identifier
  std::uint64_t sdkappid = 0;        // TLS.sdkappid
  std::int64_t time = 0;             // TLS.time, Unix seconds when it was issued
  std::int64_t expire = 0;           // TLS.expire, validity in seconds
  std::string signature;             // TLS.sig, standard base64 of the HMAC-SHA256
  std::optional<std::string> userbuf;  // TLS.userbuf as sent (standard base64), if present

  // The last Unix second at which the UserSig is still valid (time + expire, saturating).
  std::int64_t validUntil() const;
  // Expired when `now_seconds` (whole seconds) is past validUntil(); equality is still valid.
  bool expiredAt(std::int64_t now_seconds) const { return now_seconds > validUntil(); }
};

// Decodes a UserSig as sent in the `usersig` query parameter: URL-safe base64, zlib, JSON. Accepts
// every official generator's dialect (any field order, escaped slashes, any zlib level, trailing
// newline, padding present or not). The failure message names the step and the field that failed.
// Does not check the signature.
Result<UserSigClaims> decodeUserSig(std::string_view usersig);

// The exact text that TLSSigAPIv2 signs, every line ending in '\n'. `userbuf_base64` is the
// TLS.userbuf value (already base64) when one is used.
std::string userSigSignedText(std::string_view identifier, std::uint64_t sdkappid, std::int64_t time,
                              std::int64_t expire,
                              const std::optional<std::string>& userbuf_base64 = std::nullopt);
std::string userSigSignedText(const UserSigClaims& claims);

// Standard base64 of HMAC-SHA256(secret_key, signed_text).
std::string userSigSignature(std::string_view secret_key, std::string_view signed_text);

// True when the claims' TLS.sig is the HMAC of their signed text under `secret_key`. The comparison
// takes the same time wherever the bytes differ.
bool userSigSignatureMatches(const UserSigClaims& claims, std::string_view secret_key);

// What to sign.
struct UserSigRequest {
  std::uint64_t sdkappid = 0;
  std::string secret_key;
  std::string identifier;
  std::int64_t time = 0;    // Unix seconds
  std::int64_t expire = 0;  // seconds of validity
  std::optional<std::string> userbuf;  // raw bytes; base64-encoded into the token when present
};

// How to write the token. The default is what the official Python library writes; the other
// switches reproduce the other official generators (see docs/usersig.md) or deliberate damage for tests.
struct UserSigDialect {
  int compression_level = -1;  // zlib level: -1 default ("eJ"), 1 ("eAE"), 0 stored ("eAEB")
  bool escape_slashes = false;      // PHP writes "/" as "\/"
  bool spaced_json = false;         // Python's json.dumps separators ", " and ": "
  bool trailing_newline = false;    // Go appends "\n" to the JSON before compressing
  bool keep_padding = true;         // base64 '=' padding kept (as '_') or stripped
  std::vector<std::string> field_order = {"TLS.ver",    "TLS.identifier", "TLS.sdkappid",
                                          "TLS.expire", "TLS.time",       "TLS.sig"};
  std::optional<std::string> signature_override;  // replaces TLS.sig (tampering in tests)
  std::optional<std::string> version_override;    // replaces TLS.ver's "2.0" (tampering in tests)
};

// Generates a UserSig. The result verifies with any official verifier. Throws
// std::invalid_argument when the identifier is not valid UTF-8: a UserSig is JSON and cannot carry
// it (check with isValidUtf8 first).
std::string generateUserSig(const UserSigRequest& request, const UserSigDialect& dialect = {});

}  // namespace live::protocol
