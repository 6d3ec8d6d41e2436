// Hostile input (issue 7, part 3): each attack with its documented answer (docs/destroy_room.md, "Transport limits and hostile
// input"), and after each one the server still serves a well-formed request.
#include <zlib.h>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <string>

#include "protocol/base64.h"
#include "protocol/envelope.h"
#include "testing/raw_socket.h"
#include "testing/test_server.h"
#include "testing/vendor_request.h"

using namespace live;
using testing::VendorRequest;

namespace {

constexpr std::int64_t kNow = 1700000000;
constexpr std::size_t kMiB = 1024 * 1024;

domain::EmulatorOptions frozenWithoutLimit() {
  domain::EmulatorOptions options;
  options.frozen_clock = domain::Instant(std::chrono::seconds(kNow));
  options.rate_limit = 0;
  return options;
}

domain::EmulatorConfig withRooms() {
  auto config = domain::embeddedDefaultConfig();
  for (int i = 0; i < 100; ++i) {
    domain::RoomConfig room;
    room.room = domain::Room{88888888, "room-" + std::to_string(i), "admin", "Live", "", 0, {}, {}, {}};
    config.rooms.push_back(room);
  }
  return config;
}

VendorRequest valid(const std::string& room = "live-room") {
  return testing::destroyRoomRequest(88888888, "admin", "emulator-secret-key", room, kNow);
}

struct Fixture {
  Fixture() : server(withRooms(), frozenWithoutLimit()), client(server.client()) {}

  testing::VendorResponse call(const VendorRequest& request) { return testing::send(*client, request); }

  // The server answers a good request on a new connection, and still has its state.
  void stillServes() {
    auto fresh = server.client();
    const auto response = testing::send(*fresh, valid("room-" + std::to_string(next_room++)));
    CHECK(response.code() == 0);
  }

  // One request as raw bytes on its own connection; the whole answer (until close or timeout).
  std::string raw(const std::string& head, const std::string& body = "", int timeout_ms = 5000) {
    testing::RawSocket socket(server.port());
    socket.send(head + body);
    return socket.readAll(timeout_ms);
  }

  std::string rawHead(const std::string& extra_headers) const {
    return "POST " + valid().target() + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
           extra_headers + "\r\n";
  }

  testing::TestServer server;
  std::unique_ptr<httplib::Client> client;
  int next_room = 0;
};

void expectCode(const testing::VendorResponse& response, std::int64_t code, const std::string& fragment) {
  INFO("answer: " << response.body);
  CHECK(response.http_status == 200);
  REQUIRE(response.envelope.has_value());
  CHECK(response.code() == code);
  CHECK_THAT(response.info(), Catch::Contains(fragment));
  CHECK(protocol::isWellFormedRequestId(response.envelope->request_id));
}

std::string gzip(const std::string& data) {
  z_stream stream{};
  REQUIRE(deflateInit2(&stream, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&stream, static_cast<uLong>(data.size())) + 64, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&stream, Z_FINISH) == Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

std::string zlibUrlSafe(const std::string& data) {
  uLongf size = compressBound(static_cast<uLong>(data.size()));
  std::string out(size, '\0');
  REQUIRE(compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                    reinterpret_cast<const Bytef*>(data.data()), static_cast<uLong>(data.size()), 9) == Z_OK);
  out.resize(size);
  std::string text = protocol::base64Encode(out);
  for (char& c : text) {
    if (c == '+') c = '*';
    if (c == '/') c = '-';
    if (c == '=') c = '_';
  }
  return text;
}

}  // namespace

TEST_CASE("hostile: a 10 MB body gets 413 with the envelope (limit 1 MiB), whatever its framing") {
  Fixture fixture;
  const std::string big = "{\"RoomId\":\"live-room\",\"pad\":\"" + std::string(10 * kMiB, 'a') + "\"}";
  SECTION("Content-Length") {
    const auto response = fixture.call(valid().withBody(big));
    CHECK(response.http_status == 413);
    CHECK(response.code() == 60003);
    CHECK_THAT(response.info(), Catch::Contains("1048576-byte limit"));
  }
  SECTION("chunked: counted as it arrives, not read whole") {
    std::string chunks;
    for (std::size_t offset = 0; offset < big.size(); offset += 64 * 1024) {
      const std::string chunk = big.substr(offset, 64 * 1024);
      chunks += fmt::format("{:x}\r\n{}\r\n", chunk.size(), chunk);
    }
    const auto answer = fixture.raw(fixture.rawHead("Transfer-Encoding: chunked\r\n"), chunks + "0\r\n\r\n");
    CHECK(answer.rfind("HTTP/1.1 413", 0) == 0);
    CHECK_THAT(answer, Catch::Contains("\"ErrorCode\":60003") && Catch::Contains("Connection: close"));
  }
  SECTION("gzip that inflates to 10 MB: the inflated size counts") {
    const std::string compressed = gzip(big);
    REQUIRE(compressed.size() < 64 * 1024);
    const auto answer = fixture.raw(
        fixture.rawHead("Content-Encoding: gzip\r\nContent-Length: " + std::to_string(compressed.size()) + "\r\n"),
        compressed);
    CHECK(answer.rfind("HTTP/1.1 413", 0) == 0);
  }
  SECTION("a small chunked or gzip body is served normally") {
    const std::string body = R"({"RoomId":"live-room"})";
    const auto chunked = fixture.raw(fixture.rawHead("Transfer-Encoding: chunked\r\nConnection: close\r\n"),
                                     fmt::format("{:x}\r\n{}\r\n0\r\n\r\n", body.size(), body));
    CHECK_THAT(chunked, Catch::Contains("\"ErrorCode\":0"));
  }
  SECTION("the control API refuses chunked and compressed bodies before reading them") {
    const auto answer = fixture.raw("POST /__emulator/rooms HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
                                    "5\r\nhello\r\n0\r\n\r\n");
    CHECK(answer.rfind("HTTP/1.1 411", 0) == 0);
    const auto encoded = fixture.raw(
        "POST /__emulator/rooms HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\n", "abcd");
    CHECK(encoded.rfind("HTTP/1.1 415", 0) == 0);
  }
  fixture.stillServes();
}

TEST_CASE("hostile: an oversize query string gets 414, an oversize header line 400") {
  Fixture fixture;
  CHECK(fixture.call(valid().set("pad", std::string(100 * 1024, 'x'))).http_status == 414);
  const auto header = fixture.raw(fixture.rawHead("X-Big: " + std::string(100 * 1024, 'h') +
                                                  "\r\nContent-Length: 0\r\n"));
  CHECK(header.rfind("HTTP/1.1 400", 0) == 0);
  CHECK_THAT(header, Catch::Contains("over 8192 bytes"));
  // One answer, then the connection closes: the rest of the header line is never parsed as
  // further requests (each of which was answered 400 before).
  std::size_t answers = 0;
  for (auto at = header.find("HTTP/1.1 "); at != std::string::npos; at = header.find("HTTP/1.1 ", at + 1)) ++answers;
  CHECK(answers == 1);
  // Many ordinary headers are just headers.
  std::string many;
  for (int i = 0; i < 5000; ++i) many += "X-H" + std::to_string(i) + ": v\r\n";
  const std::string body = R"({"RoomId":"room-99"})";
  const auto answer = fixture.raw(fixture.rawHead(many + "Connection: close\r\nContent-Length: " +
                                                  std::to_string(body.size()) + "\r\n"),
                                  body);
  CHECK_THAT(answer, Catch::Contains("\"ErrorCode\":0"));
  fixture.stillServes();
}

TEST_CASE("hostile: invalid UTF-8 and NUL bytes in RoomId and identifier") {
  Fixture fixture;
  // Raw invalid UTF-8 in the JSON body: not JSON.
  expectCode(fixture.call(valid().withBody("{\"RoomId\":\"\xff\xfe\"}")), 60003, "not valid JSON");
  // NUL and an escaped lone surrogate are valid JSON strings, and name no room.
  expectCode(fixture.call(valid().withBody(R"({"RoomId":"live\u0000room"})")), 100004, "does not exist");
  expectCode(fixture.call(valid().withBody(R"({"RoomId":"\ud800"})")), 60003, "not valid JSON");
  // In the identifier, either one is an identifier the UserSig was not issued for.
  expectCode(fixture.call(valid().set("identifier", std::string("adm\0in", 6))), 70013, "identifier");
  expectCode(fixture.call(valid().set("identifier", "\xc3\x28")), 70013, "identifier");
  // The journal shows them (invalid bytes replaced), as valid JSON.
  const auto journal = fixture.client->Get("/__emulator/requests");
  REQUIRE(journal);
  CHECK(journal->status == 200);
  CHECK_FALSE(nlohmann::json::parse(journal->body, nullptr, false).is_discarded());
  fixture.stillServes();
}

TEST_CASE("hostile: JSON nested 100,000 deep is 60003 without recursion") {
  Fixture fixture;
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  expectCode(fixture.call(valid().withBody(deep)), 60003, "nested deeper than 64");
  expectCode(fixture.call(valid().withBody("{\"RoomId\":" + std::string(100000, '[') )), 60003,
             "nested deeper than 64");
  fixture.stillServes();
}

TEST_CASE("hostile: numbers out of every range") {
  Fixture fixture;
  for (const std::string value : {"4294967296", "99999999999999999999999999", "-1", "1e3", "0x10", " 1"}) {
    INFO(value);
    expectCode(fixture.call(valid().set("sdkappid", value)), 60002, "sdkappid");
    expectCode(fixture.call(valid().set("random", value)), 60002, "random");
  }
  expectCode(fixture.call(valid().withBody(R"({"RoomId":1e400})")), 60003, "not valid JSON");
  expectCode(fixture.call(valid().withBody(R"({"RoomId":123456789012345678901234567890})")), 100002,
             "must be a string");
  expectCode(fixture.call(valid().withBody(R"({"RoomId":-9223372036854775809})")), 100002,
             "must be a string");
  fixture.stillServes();
}

TEST_CASE("hostile: duplicated query parameters are 60002 naming the parameter") {
  Fixture fixture;
  for (const std::string name : {"sdkappid", "identifier", "usersig", "random", "contenttype"}) {
    INFO(name);
    auto request = valid();
    const auto original = std::find_if(request.query.begin(), request.query.end(),
                                       [&](const auto& entry) { return entry.first == name; });
    request.add(name, original->second);  // even the same value twice
    expectCode(fixture.call(request), 60002, "\"" + name + "\" is given 2 times");
  }
  fixture.stillServes();
}

TEST_CASE("hostile: broken percent-encoding is kept literally, never crashes") {
  Fixture fixture;
  const auto target = [](const std::string& tail) {
    auto request = valid();
    request.remove("sdkappid");
    return request.target() + tail;
  };
  for (const std::string tail : {"&sdkappid=%zz", "&sdkappid=%", "&sdkappid=%4", "&sdkappid=88888888%"}) {
    INFO(tail);
    const auto answer = fixture.raw("POST " + target(tail) +
                                    " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}");
    CHECK_THAT(answer, Catch::Contains("\"ErrorCode\":60002") && Catch::Contains("sdkappid"));
  }
  fixture.stillServes();
}

TEST_CASE("hostile: a UserSig that inflates to megabytes is 70003, stopped at 16 KiB") {
  Fixture fixture;
  const std::string bomb = zlibUrlSafe("{\"TLS.ver\":\"2.0\",\"pad\":\"" + std::string(4 * kMiB, 'a') + "\"}");
  REQUIRE(bomb.size() < 7 * 1024);  // fits in the 8 KiB request line
  expectCode(fixture.call(valid().set("usersig", bomb)), 70003, "16384");
  fixture.stillServes();
}

TEST_CASE("hostile: a RoomId that is an object, array, null or bool is 100002") {
  Fixture fixture;
  for (const std::string room : {R"({"RoomId":{"$ne":""}})", R"({"RoomId":["live-room"]})",
                                 R"({"RoomId":null})", R"({"RoomId":true})"}) {
    INFO(room);
    expectCode(fixture.call(valid().withBody(room)), 100002, "must be a string");
  }
  fixture.stillServes();
}
