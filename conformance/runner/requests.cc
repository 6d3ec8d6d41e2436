// Building a vendor-API request from a server fixture's description (docs/conformance.md, "Server
// suite"): the query with parameters set, omitted or repeated, a UserSig generated from claims, the
// body. Shared by the server suite and parity.
#include "requests.h"

#include <fmt/format.h>

#include <random>

#include "protocol/endpoints.h"
#include "protocol/json_limits.h"
#include "protocol/usersig.h"

namespace live::conformance {
namespace {

using json = nlohmann::json;

std::string encode(const std::string& text) { return httplib::detail::encode_query_param(text); }

std::uint32_t randomUint32() {
  static thread_local std::mt19937 generator{std::random_device{}()};
  return static_cast<std::uint32_t>(generator());
}

protocol::UserSigDialect dialectFrom(const json& spec) {
  protocol::UserSigDialect dialect;
  dialect.compression_level = spec.value("compression_level", -1);
  dialect.escape_slashes = spec.value("escape_slashes", false);
  dialect.spaced_json = spec.value("spaced_json", false);
  dialect.trailing_newline = spec.value("trailing_newline", false);
  dialect.keep_padding = spec.value("keep_padding", true);
  if (spec.contains("field_order")) dialect.field_order = spec["field_order"].get<std::vector<std::string>>();
  return dialect;
}

// The UserSig a request carries: generated from the fixture's claims and key, or given raw.
std::string userSigFor(const json& request, const Caller& caller, std::int64_t now,
                       const std::string& identifier, std::uint32_t sdkappid) {
  if (request.contains("usersig_raw")) return request["usersig_raw"].get<std::string>();
  const json spec = request.value("usersig", json::object());
  protocol::UserSigRequest claims;
  claims.sdkappid = spec.value("sdkappid", sdkappid);
  claims.identifier = spec.value("identifier", identifier);
  claims.secret_key = spec.contains("key") ? spec["key"].get<std::string>() : caller.key_of(static_cast<std::uint32_t>(claims.sdkappid));
  claims.time = now + spec.value("issued_offset", std::int64_t{0});
  claims.expire = spec.value("expire", std::int64_t{86400});
  if (spec.contains("userbuf")) claims.userbuf = spec["userbuf"].get<std::string>();
  auto dialect = dialectFrom(spec.value("dialect", json::object()));
  const std::string tamper = spec.value("tamper", "");
  if (tamper == "signature") dialect.signature_override = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  if (spec.contains("version")) dialect.version_override = spec["version"].get<std::string>();
  std::string usersig = protocol::generateUserSig(claims, dialect);
  if (tamper == "truncate") usersig.resize(usersig.size() / 2);
  return usersig;
}

}  // namespace

BuiltRequest build(const json& request, const Caller& caller, std::int64_t now) {
  BuiltRequest built;
  built.method = request.value("method", "POST");
  const std::string path = request.value("path", protocol::kDestroyRoomPath);
  const json query = request.value("query", json::object());
  const json set = query.value("set", json::object());
  const std::string identifier = set.value("identifier", caller.identifier);
  std::uint32_t sdkappid = caller.sdkappid;
  if (set.contains("sdkappid")) {
    try {
      sdkappid = static_cast<std::uint32_t>(std::stoul(set["sdkappid"].get<std::string>()));
    } catch (const std::exception&) {
      // an invalid sdkappid is the point of the case; the UserSig uses the default app
    }
  }
  std::vector<std::pair<std::string, std::string>> parameters = {
      {"sdkappid", std::to_string(caller.sdkappid)},
      {"identifier", caller.identifier},
      {"usersig", userSigFor(request, caller, now, identifier, sdkappid)},
      {"random", std::to_string(randomUint32())},
      {"contenttype", "json"}};
  for (auto& [name, value] : parameters) {
    if (set.contains(name)) value = set[name].get<std::string>();
  }
  for (const auto& [name, value] : set.items()) {
    const bool known = std::any_of(parameters.begin(), parameters.end(),
                                   [&](const auto& entry) { return entry.first == name; });
    if (!known) parameters.emplace_back(name, value.get<std::string>());
  }
  for (const auto& omitted : query.value("omit", json::array())) {
    std::erase_if(parameters, [&](const auto& entry) { return entry.first == omitted.get<std::string>(); });
  }
  for (const auto& pair : query.value("append", json::array())) {
    parameters.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
  }
  // A parameter sent under another spelling of its name, with the value it would have had.
  const json renamed = query.value("rename", json::object());
  for (const auto& [name, spelling] : renamed.items()) {
    for (auto& entry : parameters) {
      if (entry.first == name) entry.first = spelling.get<std::string>();
    }
  }
  // A parameter sent twice, with the same value both times.
  for (const auto& repeated : query.value("repeat", json::array())) {
    const auto found = std::find_if(parameters.begin(), parameters.end(),
                                    [&](const auto& entry) { return entry.first == repeated.get<std::string>(); });
    if (found != parameters.end()) parameters.push_back(*found);
  }
  built.target = path;
  char separator = '?';
  for (const auto& [name, value] : parameters) {
    built.target += separator + encode(name) + "=" + encode(value);
    separator = '&';
  }
  built.target += request.value("raw_query_suffix", "");
  if (request.contains("body_json")) {
    built.body = request["body_json"].dump();
  } else if (request.contains("body_hex")) {
    // Bytes no JSON string can carry (invalid UTF-8).
    const std::string hex = request["body_hex"].get<std::string>();
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
      built.body.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    }
  } else if (request.contains("body_nested")) {
    // Arrays nested N deep: [[[...]]]
    const auto depth = request["body_nested"].get<std::size_t>();
    built.body = std::string(depth, '[') + std::string(depth, ']');
  } else {
    built.body = request.value("body", R"({"RoomId":"live-room"})");
  }
  // Trailing white space up to N bytes: a big body without a big fixture.
  if (const auto size = request.value("pad_body_to", std::size_t{0}); built.body.size() < size) {
    built.body.append(size - built.body.size(), ' ');
  }
  if (caller.room_id) {
    // Every RoomId a call could act on becomes the caller's own (parity: one that cannot exist).
    auto parsed = protocol::parseUntrustedJson(built.body);
    if (parsed && parsed.value().is_object() && parsed.value().contains("RoomId") && parsed.value()["RoomId"].is_string()) {
      const auto size = parsed.value()["RoomId"].get_ref<const std::string&>().size();
      if (size >= 1 && size <= 48) {
        parsed.value()["RoomId"] = *caller.room_id;
        built.body = parsed.value().dump();
      }
    }
  }
  built.content_type = request.value("content_type", "application/json");
  return built;
}


Caller fixtureCaller(const FixtureApps& apps) {
  return Caller{kFixtureApp, kFixtureAdmin, [&apps](std::uint32_t sdkappid) { return apps.keyOf(sdkappid); }, std::nullopt};
}

}  // namespace live::conformance
