// destroy_room over HTTP: one test per row of docs/destroy_room.md, "The check table" sending exactly that
// defect, precedence where two defects meet, and the transport rules (413, 414, 404).
#include <catch2/catch.hpp>
#include <functional>
#include <string>

#include "protocol/envelope.h"
#include "testing/test_server.h"
#include "testing/vendor_request.h"

using namespace live;
using testing::VendorRequest;

namespace {

constexpr std::int64_t kNow = 1700000000;
constexpr std::uint32_t kApp = 1400000000;
constexpr const char* kKey = "key-one";

constexpr const char* kConfig = R"({
  "apps": [
    {"sdkappid": 1400000000, "secret_key": "key-one", "root_admin": "administrator",
     "admins": ["admin", "ops"]},
    {"sdkappid": 1400000001, "secret_key": "key-disabled", "admins": ["admin"], "status": "disabled"},
    {"sdkappid": 1400000002, "secret_key": "key-expired", "admins": ["admin"], "status": "expired"},
    {"sdkappid": 1400000003, "secret_key": "key-three", "admins": ["admin"]}
  ],
  "rooms": [
    {"sdkappid": 1400000000, "room_id": "live-room", "owner": "admin"},
    {"sdkappid": 1400000000, "room_id": "ops-room", "owner": "ops"},
    {"sdkappid": 1400000000, "room_id": "meeting", "owner": "admin", "type": "Conference"},
    {"sdkappid": 1400000000, "room_id": "ops-meeting", "owner": "ops", "type": "Conference"},
    {"sdkappid": 1400000003, "room_id": "live-room", "owner": "admin"}
  ]
})";

domain::EmulatorOptions frozenAt(std::int64_t seconds) {
  domain::EmulatorOptions options;
  options.frozen_clock = domain::Instant(std::chrono::seconds(seconds));
  return options;
}

struct Fixture {
  explicit Fixture(domain::EmulatorOptions options = frozenAt(kNow))
      : server(domain::parseConfig(kConfig).value(), options), client(server.client()) {}

  testing::VendorResponse call(const VendorRequest& request) { return testing::send(*client, request); }

  testing::TestServer server;
  std::unique_ptr<httplib::Client> client;
};

VendorRequest valid(const std::string& identifier = "admin", const std::string& room = "live-room") {
  return testing::destroyRoomRequest(kApp, identifier, kKey, room, kNow);
}

std::string usersigFor(std::uint32_t sdkappid, const std::string& identifier, const std::string& key,
                       std::int64_t time = kNow, std::int64_t expire = 86400) {
  return protocol::generateUserSig({sdkappid, key, identifier, time, expire, std::nullopt});
}

// Sends `request` and checks the answer is HTTP 200, FAIL, with `code` and an ErrorInfo that
// contains `fragment`.
void expectFailure(Fixture& fixture, const VendorRequest& request, std::int64_t code,
                   const std::string& fragment) {
  const auto response = fixture.call(request);
  INFO("target: " << request.target() << "\nbody: " << request.body << "\nanswer: " << response.body);
  REQUIRE(response.http_status == 200);
  REQUIRE(response.envelope.has_value());
  CHECK(response.body.find(R"("ActionStatus":"FAIL")") != std::string::npos);
  CHECK(response.code() == code);
  CHECK_THAT(response.info(), Catch::Contains(fragment));
  CHECK(protocol::isWellFormedRequestId(response.envelope->request_id));
}

}  // namespace

TEST_CASE("success: the room is dissolved and the envelope is the vendor's") {
  Fixture fixture;
  const auto response = fixture.call(valid());
  REQUIRE(response.http_status == 200);
  CHECK(response.content_type == "application/json");
  REQUIRE(response.envelope.has_value());
  CHECK(response.code() == 0);
  CHECK(response.body.rfind(R"({"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"RequestId":"Id-)", 0) == 0);
  CHECK(protocol::isWellFormedRequestId(response.envelope->request_id));
  CHECK(fixture.server.emulator().rooms().list(kApp)->size() == 3);
  // Later calls for it get 100004.
  expectFailure(fixture, valid(), 100004, "does not exist");
}

TEST_CASE("the vendor's sample request works against the embedded default") {
  testing::TestServer server(domain::embeddedDefaultConfig(), frozenAt(kNow));
  auto client = server.client();
  const auto request = testing::sampleRequest(kNow);
  CHECK(request.target().find("sdkappid=88888888&identifier=admin&usersig=") != std::string::npos);
  const auto response = testing::send(*client, request);
  CHECK(response.code() == 0);
}

TEST_CASE("row 1: a method other than POST on a known API path is 60002") {
  Fixture fixture;
  for (const char* method : {"GET", "PUT", "DELETE", "PATCH"}) {
    auto request = valid();
    request.method = method;
    expectFailure(fixture, request, 60002, "must be called with POST");
  }
}

TEST_CASE("row 2: a /v4/ path that names no emulated API is 60009") {
  Fixture fixture;
  auto request = valid();
  request.path = "/v4/live_engine_http_srv/destroy_rooms";
  expectFailure(fixture, request, 60009, "no API is served at");
  request.method = "GET";  // row 1 only concerns known paths
  expectFailure(fixture, request, 60009, "no API is served at");
  request.path = "/v4/live_engine_http_srv/Destroy_Room";  // paths are case-sensitive
  request.method = "POST";
  expectFailure(fixture, request, 60009, "Destroy_Room");
}

TEST_CASE("row 3: sdkappid missing or empty is 60012") {
  Fixture fixture;
  expectFailure(fixture, valid().remove("sdkappid"), 60012, "\"sdkappid\" is missing");
  expectFailure(fixture, valid().set("sdkappid", ""), 60012, "\"sdkappid\" is empty");
  expectFailure(fixture, valid().remove("sdkappid").set("SDKAppID", "1400000000"), 60012,
                "missing");
}

TEST_CASE("row 4: sdkappid that is not a decimal uint32 is 60002") {
  Fixture fixture;
  for (const char* bad : {"abc", "-1", "+1400000000", "4294967296", "99999999999999999999", " 1",
                          "1.0", "0x10"}) {
    expectFailure(fixture, valid().set("sdkappid", bad), 60002, "\"sdkappid\"");
  }
  expectFailure(fixture, valid().add("sdkappid", "1400000000"), 60002, "given 2 times");
}

TEST_CASE("row 4: sdkappid with leading zeros is the same app") {
  Fixture fixture;
  CHECK(fixture.call(valid().set("sdkappid", "01400000000")).code() == 0);
}

TEST_CASE("row 5: contenttype missing or not exactly json is 60002") {
  Fixture fixture;
  expectFailure(fixture, valid().remove("contenttype"), 60002, "\"contenttype\" is missing");
  expectFailure(fixture, valid().set("contenttype", "JSON"), 60002, "must be \"json\"");
  expectFailure(fixture, valid().set("contenttype", "xml"), 60002, "must be \"json\"");
  expectFailure(fixture, valid().add("contenttype", "json"), 60002, "given 2 times");
}

TEST_CASE("row 6: random missing or outside 0..4294967295 is 60002") {
  Fixture fixture;
  expectFailure(fixture, valid().remove("random"), 60002, "\"random\" is missing");
  for (const char* bad : {"", "-1", "4294967296", "1.5", "1e3", " 7", "abc"}) {
    expectFailure(fixture, valid().set("random", bad), 60002, "\"random\"");
  }
  expectFailure(fixture, valid().add("random", "1"), 60002, "given 2 times");
}

TEST_CASE("row 6: random at the edges and with leading zeros is accepted") {
  Fixture fixture;
  CHECK(fixture.call(valid().set("random", "0")).code() == 0);
  CHECK(fixture.call(valid("ops", "ops-room").set("random", "4294967295")).code() == 0);
  CHECK(fixture.call(valid("administrator", "x").set("random", "0007")).code() == 100004);
}

TEST_CASE("lenient mode (--lenient) accepts a missing random, and nothing else") {
  auto options = frozenAt(kNow);
  options.lenient_random = true;
  Fixture fixture(options);
  expectFailure(fixture, valid().set("random", "4294967296"), 60002, "\"random\"");
  expectFailure(fixture, valid().remove("contenttype"), 60002, "contenttype");
  CHECK(fixture.call(valid().remove("random")).code() == 0);
}

TEST_CASE("row 7: identifier missing or empty is 60004") {
  Fixture fixture;
  expectFailure(fixture, valid().remove("identifier"), 60004, "\"identifier\" is missing");
  expectFailure(fixture, valid().set("identifier", ""), 60004, "\"identifier\" is empty");
  expectFailure(fixture, valid().add("identifier", "admin"), 60002, "given 2 times");
}

TEST_CASE("row 8: usersig missing or empty is 70002") {
  Fixture fixture;
  expectFailure(fixture, valid().remove("usersig"), 70002, "\"usersig\" is missing");
  expectFailure(fixture, valid().set("usersig", ""), 70002, "\"usersig\" is empty");
}

TEST_CASE("row 9: an sdkappid that names no configured app is 70020") {
  Fixture fixture;
  expectFailure(fixture, valid().set("sdkappid", "12345"), 70020, "SDKAppID 12345 is not configured");
}

TEST_CASE("row 10: a disabled app is 60016, an expired package 60020") {
  Fixture fixture;
  expectFailure(fixture,
                testing::destroyRoomRequest(1400000001, "admin", "key-disabled", "r", kNow), 60016,
                "app 1400000001 is disabled");
  expectFailure(fixture,
                testing::destroyRoomRequest(1400000002, "admin", "key-expired", "r", kNow), 60020,
                "package of app 1400000002 has expired");
}

TEST_CASE("row 11: a UserSig that does not decode is 70003, naming the step") {
  Fixture fixture;
  expectFailure(fixture, valid().set("usersig", "not-a-usersig!"), 70003, "not URL-safe base64");
  expectFailure(fixture, valid().set("usersig", "AAAA"), 70003, "zlib");
  protocol::UserSigDialect no_version;
  no_version.field_order = {"TLS.identifier", "TLS.sdkappid", "TLS.expire", "TLS.time", "TLS.sig"};
  const auto token = protocol::generateUserSig({kApp, kKey, "admin", kNow, 86400, std::nullopt},
                                               no_version);
  expectFailure(fixture, valid().set("usersig", token), 70003, "no \"TLS.ver\"");
}

TEST_CASE("row 12: a UserSig issued for another SDKAppID is 70014") {
  Fixture fixture;
  expectFailure(fixture, valid().set("usersig", usersigFor(1400000003, "admin", kKey)), 70014,
                "issued for SDKAppID 1400000003");
}

TEST_CASE("row 13: a UserSig issued for another identifier is 70013") {
  Fixture fixture;
  expectFailure(fixture, valid().set("usersig", usersigFor(kApp, "ops", kKey)), 70013,
                "issued for identifier \"ops\"");
}

TEST_CASE("row 14: an expired UserSig is 70001, time + expire itself is still valid") {
  Fixture fixture;
  expectFailure(fixture, valid().set("usersig", usersigFor(kApp, "admin", kKey, kNow - 61, 60)),
                70001, "TLS.time 1699999939 + TLS.expire 60");
  CHECK(fixture.call(valid().set("usersig", usersigFor(kApp, "admin", kKey, kNow - 60, 60)))
            .code() == 0);
}

TEST_CASE("row 15: a UserSig signed with another key is 70009 with the vendor's text") {
  Fixture fixture;
  expectFailure(fixture, valid().set("usersig", usersigFor(kApp, "admin", "key-three")), 70009,
                std::string(protocol::kUserSigVerificationFailedText));
}

TEST_CASE("row 16: a caller that is not an App admin is 60010") {
  Fixture fixture;
  expectFailure(fixture,
                valid("viewer").set("usersig", usersigFor(kApp, "viewer", kKey)), 60010,
                "\"viewer\" is not an App admin of app 1400000000");
}

TEST_CASE("row 17: past the rate limit the answer is 60007") {
  auto options = frozenAt(kNow);
  options.rate_limit = 2;
  Fixture fixture(options);
  CHECK(fixture.call(valid("administrator", "nope")).code() == 100004);
  CHECK(fixture.call(valid("administrator", "nope")).code() == 100004);
  expectFailure(fixture, valid(), 60007, "limit of 2 requests per second");
  // Another app has its own quota.
  CHECK(fixture.call(testing::destroyRoomRequest(1400000003, "admin", "key-three", "live-room",
                                                 kNow))
            .code() == 0);
}

TEST_CASE("row 18: an empty or invalid JSON body is 60003") {
  Fixture fixture;
  expectFailure(fixture, valid().withBody(""), 60003, "body is empty");
  expectFailure(fixture, valid().withBody("{\"RoomId\":"), 60003, "not valid JSON");
  expectFailure(fixture, valid().withBody("RoomId=live-room"), 60003, "not valid JSON");
  expectFailure(fixture, valid().withBody(std::string(100000, '[') + std::string(100000, ']')),
                60003, "nested deeper than 64");
  expectFailure(fixture, valid().withBody("{\"RoomId\":\"\xff\xfe\"}"), 60003, "not valid JSON");
}

TEST_CASE("row 19: a body without a valid RoomId is 100002") {
  Fixture fixture;
  expectFailure(fixture, valid().withBody("[]"), 100002, "must be a JSON object");
  expectFailure(fixture, valid().withBody("\"live-room\""), 100002, "must be a JSON object");
  expectFailure(fixture, valid().withBody("{}"), 100002, "no \"RoomId\"");
  expectFailure(fixture, valid().withBody(R"({"roomid":"live-room"})"), 100002, "no \"RoomId\"");
  expectFailure(fixture, valid().withBody(R"({"RoomId":5})"), 100002, "must be a string, not number");
  expectFailure(fixture, valid().withBody(R"({"RoomId":{"a":1}})"), 100002, "not object");
  expectFailure(fixture, valid().withBody(R"({"RoomId":""})"), 100002, "\"RoomId\" is empty");
  expectFailure(fixture, valid().withBody(nlohmann::json{{"RoomId", std::string(49, 'r')}}.dump()),
                100002, "49 bytes long; at most 48");
  // 48 bytes is allowed: the answer moves on to row 20.
  expectFailure(fixture, valid().withBody(nlohmann::json{{"RoomId", std::string(48, 'r')}}.dump()),
                100004, "does not exist");
}

TEST_CASE("row 20: a room that does not exist in this app is 100004") {
  Fixture fixture;
  expectFailure(fixture, valid("admin", "no-such-room"), 100004,
                "room \"no-such-room\" does not exist in app 1400000000");
  // Rooms are per app: app 1400000003 also has a live-room; destroying it leaves ours alone.
  CHECK(fixture.call(testing::destroyRoomRequest(1400000003, "admin", "key-three", "live-room", kNow))
            .code() == 0);
  CHECK(fixture.call(valid()).code() == 0);
}

TEST_CASE("row 21: a room that is not a live room is 100006") {
  Fixture fixture;
  expectFailure(fixture, valid("admin", "meeting"), 100006,
                "is not a live room (its RoomType is \"Conference\"");
  expectFailure(fixture, valid("administrator", "meeting"), 100006, "not a live room");
}

TEST_CASE("row 22: an admin that neither owns the room nor is root admin is 100006") {
  Fixture fixture;
  expectFailure(fixture, valid("admin", "ops-room"), 100006, "owned by \"ops\"");
  CHECK(fixture.server.emulator().rooms().list(kApp)->size() == 4);
  CHECK(fixture.call(valid("administrator", "ops-room")).code() == 0);  // root admin: any room
  CHECK(fixture.call(valid("ops", "live-room")).code() == 100006);
  CHECK(fixture.call(valid("admin", "live-room")).code() == 0);  // the owner
}

TEST_CASE("where two defects meet, the earlier row wins") {
  Fixture fixture;
  struct Pair {
    const char* rows;
    std::function<VendorRequest()> make;
    std::int64_t code;
    const char* fragment;
  };
  const std::vector<Pair> pairs = {
      {"1 over 3", [] { auto r = valid().remove("sdkappid"); r.method = "GET"; return r; }, 60002,
       "POST"},
      {"2 over 3", [] { auto r = valid().remove("sdkappid"); r.path = "/v4/x/y"; return r; }, 60009,
       "no API"},
      {"3 over 5", [] { return valid().remove("sdkappid").remove("contenttype"); }, 60012,
       "sdkappid"},
      {"4 over 5", [] { return valid().set("sdkappid", "x").remove("contenttype"); }, 60002,
       "sdkappid"},
      {"5 over 6", [] { return valid().set("contenttype", "xml").remove("random"); }, 60002,
       "contenttype"},
      {"6 over 7", [] { return valid().set("random", "-1").remove("identifier"); }, 60002,
       "random"},
      {"7 over 8", [] { return valid().remove("identifier").remove("usersig"); }, 60004,
       "identifier"},
      {"8 over 9", [] { return valid().remove("usersig").set("sdkappid", "12345"); }, 70002,
       "usersig"},
      {"9 over 11", [] { return valid().set("sdkappid", "12345").set("usersig", "garbage!"); },
       70020, "12345"},
      {"10 over 11",
       [] { return valid().set("sdkappid", "1400000001").set("usersig", "garbage!"); }, 60016,
       "disabled"},
      {"11 over 18", [] { return valid().set("usersig", "garbage!").withBody(""); }, 70003,
       "decoded"},
      {"12 over 13",
       [] { return valid().set("usersig", usersigFor(1400000003, "ops", kKey)); }, 70014,
       "SDKAppID"},
      {"13 over 14",
       [] { return valid().set("usersig", usersigFor(kApp, "ops", kKey, kNow - 100, 1)); }, 70013,
       "identifier"},
      {"14 over 15",
       [] { return valid().set("usersig", usersigFor(kApp, "admin", "wrong", kNow - 100, 1)); },
       70001, "expired"},
      {"15 over 16",
       [] { return valid("viewer").set("usersig", usersigFor(kApp, "viewer", "wrong")); }, 70009,
       "UserSig verification Failed"},
      {"16 over 18",
       [] { return valid("viewer").set("usersig", usersigFor(kApp, "viewer", kKey)).withBody(""); },
       60010, "not an App admin"},
      {"18 over 19", [] { return valid().withBody("{\"RoomId\":5"); }, 60003, "not valid JSON"},
      {"19 over 20", [] { return valid().withBody(R"({"RoomId":7})"); }, 100002, "string"},
      {"21 over 22", [] { return valid("admin", "ops-meeting"); }, 100006, "not a live room"},
  };
  for (const auto& pair : pairs) {
    INFO("rows " << pair.rows);
    expectFailure(fixture, pair.make(), pair.code, pair.fragment);
  }
}

TEST_CASE("17 over 18: a rate-limited request is refused before its body is read") {
  auto options = frozenAt(kNow);
  options.rate_limit = 1;
  Fixture fixture(options);
  CHECK(fixture.call(valid("admin", "x")).code() == 100004);
  expectFailure(fixture, valid().withBody("not json"), 60007, "limit");
}

TEST_CASE("a body over 1 MiB gets HTTP 413 with the envelope, and the connection closes") {
  Fixture fixture;
  const auto response = fixture.call(valid().withBody(
      "{\"RoomId\":\"live-room\",\"pad\":\"" + std::string(1024 * 1024, 'a') + "\"}"));
  CHECK(response.http_status == 413);
  REQUIRE(response.envelope.has_value());
  CHECK(response.code() == 60003);
  CHECK_THAT(response.info(), Catch::Contains("1048576-byte limit"));
  // The server keeps serving.
  CHECK(fixture.call(valid()).code() == 0);
}

TEST_CASE("a request line over 8 KiB gets HTTP 414, other paths 404") {
  Fixture fixture;
  const auto long_line = fixture.call(valid().set("pad", std::string(9000, 'x')));
  CHECK(long_line.http_status == 414);
  auto request = valid();
  request.path = "/v5/live_engine_http_srv/destroy_room";
  CHECK(fixture.call(request).http_status == 404);
  CHECK(fixture.call(valid()).code() == 0);
}

TEST_CASE("values with odd bytes are reported, not crashed on") {
  Fixture fixture;
  expectFailure(fixture, valid().set("identifier", std::string("ad\0min", 6)), 70013, "identifier");
  expectFailure(fixture, valid().set("identifier", "\xff\xfe"), 70013, "identifier");
  expectFailure(fixture, valid().withBody(R"({"RoomId":"a\u0000b"})"), 100004, "does not exist");
  expectFailure(fixture, valid().set("sdkappid", "%zz"), 60002, "sdkappid");
}
