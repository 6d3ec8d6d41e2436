// The control plane over HTTP: every call of the docs/control-api.md table, each fault kind, the journal,
// the clock, reset of every stateful part, scenarios, access and the request log.
#include "http/control_api.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "http/request_log.h"
#include "testing/raw_socket.h"
#include "http/two_app_config.h"
#include "testing/test_server.h"
#include "testing/vendor_request.h"

using namespace live;
using json = nlohmann::json;

namespace {

constexpr std::int64_t kNow = 1700000000;
constexpr std::uint32_t kApp = 88888888;
constexpr const char* kKey = "emulator-secret-key";

domain::EmulatorConfig config() { return http::testing::twoAppConfig(); }
domain::EmulatorOptions frozen() { return http::testing::frozenAtTestNow(); }

struct Control {
  int status = 0;
  json body;
};

struct Fixture {
  explicit Fixture(domain::EmulatorOptions options = frozen(), http::ServerSettings settings = {})
      : server(config(), std::move(options), settings), client(server.client()) {}

  Control control(const std::string& method, const std::string& path, const json& body = nullptr,
                  const httplib::Headers& headers = {}) {
    httplib::Request request;
    request.method = method;
    request.path = path;
    request.headers = headers;
    if (!body.is_null()) request.body = body.is_string() ? body.get<std::string>() : body.dump();
    if (!body.is_null() || method != "GET") request.set_header("Content-Type", "application/json");
    auto result = client->send(request);
    Control answer;
    if (!result) return answer;
    answer.status = result->status;
    answer.body = json::parse(result->body, nullptr, false);
    return answer;
  }
  testing::VendorResponse destroy(const std::string& room, std::uint32_t sdkappid = kApp,
                                  const std::string& key = kKey) {
    return testing::send(*client, testing::destroyRoomRequest(sdkappid, "admin", key, room, kNow));
  }

  testing::TestServer server;
  std::unique_ptr<httplib::Client> client;
};

std::set<std::string> roomIds(const json& rooms) {
  std::set<std::string> ids;
  for (const auto& room : rooms["rooms"]) ids.insert(room["room_id"].get<std::string>());
  return ids;
}

}  // namespace

TEST_CASE("GET /__emulator/health") {
  Fixture fixture;
  const auto answer = fixture.control("GET", "/__emulator/health");
  CHECK(answer.status == 200);
  CHECK(answer.body["status"] == "ok");
  CHECK(answer.body["request_log"] == json{{"format", "none"}, {"dropped_lines", 0}});
}

TEST_CASE("GET /__emulator/rooms lists an app's rooms, or all, unknown apps are 404") {
  Fixture fixture;
  const auto mine = fixture.control("GET", "/__emulator/rooms?sdkappid=88888888");
  CHECK(mine.status == 200);
  CHECK(roomIds(mine.body) == std::set<std::string>{"live-room", "second-room"});
  const auto room = mine.body["rooms"][0];
  CHECK(room == json{{"sdkappid", kApp}, {"room_id", "live-room"}, {"owner", "admin"},
                     {"type", "Live"}, {"name", "live-room"}, {"create_time", kNow},
                      {"statistic", {{"TotalViewers", 0}, {"TotalGiftsSent", 0}, {"TotalGiftCoins", 0},
                                     {"TotalUniqueGiftSenders", 0}, {"TotalLikesReceived", 0}, {"TotalMsgCount", 0}}},
                     {"info", json::object()},
                     {"parts", {{"admins", json::array()}, {"bans", json::array()}, {"metadata", json::array()},
                                {"seats", json::array()}}}});
  CHECK(fixture.control("GET", "/__emulator/rooms").body["rooms"].size() == 3);
  CHECK(fixture.control("GET", "/__emulator/rooms?sdkappid=5").status == 404);
  const auto bad = fixture.control("GET", "/__emulator/rooms?sdkappid=abc");
  CHECK(bad.status == 400);
  CHECK_THAT(bad.body["error"].get<std::string>(), Catch::Contains("sdkappid \"abc\""));
}

TEST_CASE("POST /__emulator/rooms adds a room: 201, 409 if it exists, 404 for an unknown app") {
  Fixture fixture;
  const json room{{"sdkappid", kApp}, {"room_id", "new-room"}, {"owner", "ops"}};
  const auto created = fixture.control("POST", "/__emulator/rooms", room);
  CHECK(created.status == 201);
  CHECK(created.body["create_time"] == kNow);
  CHECK(created.body["type"] == "Live");
  CHECK(fixture.control("POST", "/__emulator/rooms", room).status == 409);
  CHECK(fixture.control("POST", "/__emulator/rooms",
                        json{{"sdkappid", 5}, {"room_id", "r"}, {"owner", "o"}})
            .status == 404);
  const auto invalid = fixture.control("POST", "/__emulator/rooms",
                                       json{{"sdkappid", kApp}, {"room_id", "r"}, {"owner", "o"},
                                            {"colour", "red"}});
  CHECK(invalid.status == 400);
  CHECK_THAT(invalid.body["error"].get<std::string>(), Catch::Contains("unknown key \"colour\""));
  CHECK(fixture.control("POST", "/__emulator/rooms", json("{not json")).status == 400);
  // The added room is real to the vendor API: ops owns it, the root admin may destroy it.
  CHECK(testing::send(*fixture.client, testing::destroyRoomRequest(kApp, "ops", kKey, "new-room", kNow))
            .code() == 0);
}

TEST_CASE("room objects read back can be posted back as they are") {
  Fixture fixture;
  const auto listed = fixture.control("GET", "/__emulator/rooms?sdkappid=88888888").body["rooms"][0];
  REQUIRE(fixture.control("DELETE", "/__emulator/rooms/88888888/live-room").status == 200);
  const auto posted = fixture.control("POST", "/__emulator/rooms", listed);
  CHECK(posted.status == 201);
  CHECK(posted.body == listed);
}

TEST_CASE("DELETE /__emulator/rooms/{sdkappid}/{room_id}: removed, then 404") {
  Fixture fixture;
  CHECK(fixture.control("DELETE", "/__emulator/rooms/88888888/live-room").status == 200);
  CHECK(fixture.control("DELETE", "/__emulator/rooms/88888888/live-room").status == 404);
  CHECK(fixture.control("DELETE", "/__emulator/rooms/5/live-room").status == 404);
  CHECK(fixture.destroy("live-room").code() == 100004);
  CHECK(fixture.destroy("live-room", 1400000000, "other-key").code() == 0);  // other app untouched
}

TEST_CASE("fault error_code: an internal error, then the real answer") {
  Fixture fixture;
  const auto added = fixture.control(
      "POST", "/__emulator/faults", json{{"api", "destroy_room"}, {"action", {{"error_code", 100001}}}});
  CHECK(added.status == 201);
  CHECK(added.body["id"] == 1);
  const auto faulted = fixture.destroy("live-room");
  CHECK(faulted.http_status == 200);
  CHECK(faulted.code() == 100001);
  CHECK_THAT(faulted.info(), Catch::Contains("Internal server error"));
  CHECK(fixture.server.emulator().rooms().list(kApp)->size() == 2);  // not touched
  CHECK(fixture.destroy("live-room").code() == 0);                    // rule used up
}

TEST_CASE("fault http_status: a 502 without the envelope, room untouched") {
  Fixture fixture;
  fixture.control("POST", "/__emulator/faults",
                  json{{"api", "destroy_room"}, {"action", {{"http_status", 502}}}});
  const auto faulted = fixture.destroy("live-room");
  CHECK(faulted.http_status == 502);
  CHECK_FALSE(faulted.envelope.has_value());
  CHECK(faulted.content_type == "text/html");
  CHECK(fixture.destroy("live-room").code() == 0);
}

TEST_CASE("fault drop_connection: the connection closes with no HTTP answer") {
  Fixture fixture;
  fixture.control("POST", "/__emulator/faults",
                  json{{"api", "destroy_room"}, {"action", {{"drop_connection", true}}}});
  const auto faulted = fixture.destroy("live-room");
  CHECK(faulted.http_status == 0);  // no HTTP answer at all
  CHECK(fixture.destroy("live-room").code() == 0);  // not applied, and the server serves on
  const auto journal = fixture.control("GET", "/__emulator/requests").body["requests"];
  REQUIRE(journal.size() == 2);
  CHECK(journal[0]["response"]["dropped"] == true);
  CHECK(journal[0]["response"]["body"].is_null());
  CHECK(journal[0]["fault_id"] == 1);
}

TEST_CASE("fault delay_ms: the real answer, late, a client with a shorter timeout times out") {
  Fixture fixture;
  fixture.control("POST", "/__emulator/faults",
                  json{{"api", "destroy_room"}, {"count", 2}, {"action", {{"delay_ms", 400}}}});
  auto impatient = fixture.server.client();
  impatient->set_read_timeout(0, 100'000);  // 100 ms
  const auto timed_out =
      testing::send(*impatient, testing::destroyRoomRequest(kApp, "admin", kKey, "nothing", kNow));
  CHECK(timed_out.http_status == 0);
  const auto started = std::chrono::steady_clock::now();
  const auto late = fixture.destroy("live-room");
  CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(400));
  CHECK(late.code() == 0);  // the real answer
}

TEST_CASE("fault delay with error_code: the error, late") {
  Fixture fixture;
  fixture.control("POST", "/__emulator/faults",
                  json{{"api", "destroy_room"}, {"action", {{"error_code", 100001}, {"delay_ms", 50}}}});
  const auto started = std::chrono::steady_clock::now();
  CHECK(fixture.destroy("live-room").code() == 100001);
  CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(50));
}

namespace {

// The bytes of a destroy_room call, for a raw socket.
std::string rawDestroy(const std::string& room) {
  const auto request = testing::destroyRoomRequest(kApp, "admin", kKey, room, kNow);
  return "POST " + request.target() + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
         "Content-Length: " + std::to_string(request.body.size()) + "\r\n\r\n" + request.body;
}

}  // namespace

TEST_CASE("fault truncate_body: HTTP 200 announcing the whole body, half of it, then a close") {
  Fixture fixture;
  fixture.control("POST", "/__emulator/faults", json{{"api", "destroy_room"}, {"action", {{"truncate_body", true}}}});
  testing::RawSocket socket(fixture.server.port());
  socket.send(rawDestroy("live-room"));
  const std::string received = socket.readAll(5000);
  CHECK_FALSE(socket.wasReset());
  const auto header_end = received.find("\r\n\r\n");
  REQUIRE(header_end != std::string::npos);
  CHECK(received.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  const auto length_at = received.find("Content-Length: ");
  REQUIRE(length_at != std::string::npos);
  const std::size_t announced = std::stoul(received.substr(length_at + 16));
  const std::string body = received.substr(header_end + 4);
  CHECK(body.size() == announced / 2);
  CHECK(body.rfind("{\"ActionStatus\":\"OK\"", 0) == 0);
  // The real answer was cut: the room is gone, a retry gets 100004, and the journal says so.
  CHECK(fixture.destroy("live-room").code() == 100004);
  const auto journal = fixture.control("GET", "/__emulator/requests").body["requests"];
  REQUIRE(journal.size() == 2);
  CHECK(journal[0]["response"]["cut"] == "truncate_body");
  CHECK(journal[0]["error_code"] == 0);
  CHECK(journal[0]["request_id"] == "");  // the client never got it whole
}

TEST_CASE("fault reset_midway: part of the answer, then a TCP reset, and the room is destroyed") {
  Fixture fixture;
  fixture.control("POST", "/__emulator/faults", json{{"api", "destroy_room"}, {"action", {{"reset_midway", true}}}});
  testing::RawSocket socket(fixture.server.port());
  socket.send(rawDestroy("live-room"));
  socket.readAll(5000);
  CHECK(socket.wasReset());
  CHECK(fixture.destroy("live-room").code() == 100004);
  CHECK(fixture.control("GET", "/__emulator/requests").body["requests"][0]["response"]["cut"] == "reset_midway");
}

TEST_CASE("fault delay: ends when the client gives up, and the worker is free again") {
  Fixture fixture;
  fixture.control("POST", "/__emulator/faults", json{{"api", "destroy_room"}, {"action", {{"delay_ms", 60000}}}});
  {
    testing::RawSocket socket(fixture.server.port());
    socket.send(rawDestroy("live-room"));
    // The journal has the call once its delay has begun.
    for (int i = 0; i < 500 && fixture.control("GET", "/__emulator/requests").body["requests"].empty(); ++i) {
      std::this_thread::yield();
    }
    socket.close();
  }
  // Without the early end, this connection's worker would be held for 60 s and the server could not
  // stop within the 10 s the wait below allows.
  const auto started = std::chrono::steady_clock::now();
  while (fixture.server.openConnections() > 1 && std::chrono::steady_clock::now() - started < std::chrono::seconds(10)) {
    std::this_thread::yield();
  }
  CHECK(fixture.server.openConnections() <= 1);  // only the control client's
  CHECK(fixture.destroy("live-room").code() == 100004);  // a late answer is the real one: it was applied
}

TEST_CASE("fault for_ms: the rule matches for that long on the emulator's clock, then expires") {
  Fixture fixture;
  const auto added = fixture.control("POST", "/__emulator/faults",
                                     json{{"api", "destroy_room"}, {"for_ms", 3000}, {"action", {{"error_code", 60007}}}});
  REQUIRE(added.status == 201);
  const auto listed = fixture.control("GET", "/__emulator/faults").body["faults"];
  REQUIRE(listed.size() == 1);
  CHECK(listed[0]["count"] == 1000000);
  CHECK(listed[0]["for_ms"] == 3000);
  CHECK(listed[0]["expires_at"] == kNow + 3);
  for (int i = 0; i < 3; ++i) CHECK(fixture.destroy("live-room").code() == 60007);
  fixture.control("POST", "/__emulator/clock", json{{"advance_seconds", 2.999}});
  CHECK(fixture.destroy("live-room").code() == 60007);
  fixture.control("POST", "/__emulator/clock", json{{"advance_seconds", 0.001}});
  CHECK(fixture.control("GET", "/__emulator/faults").body["faults"].empty());
  CHECK(fixture.destroy("live-room").code() == 0);
}

TEST_CASE("fault extra_members: a failure with members the client has not seen, under the current style") {
  Fixture fixture;
  fixture.control("POST", "/__emulator/scenarios",
                  json{{"apps", {{{"sdkappid", kApp}, {"response_style", "current"}}}}});
  fixture.control("POST", "/__emulator/faults",
                  json{{"api", "destroy_room"},
                       {"action", {{"error_code", 100004}, {"extra_members", {{"Response", {{"Detail", "x"}}}}}}}});
  const auto answer = fixture.destroy("live-room");
  CHECK(answer.code() == 100004);
  CHECK_THAT(answer.body, Catch::EndsWith(R"(,"Response":{"Detail":"x"}})"));
  CHECK(answer.body.rfind(R"({"ErrorCode":100004,"ErrorInfo":)", 0) == 0);
  const auto refused = fixture.control("POST", "/__emulator/faults",
                                       json{{"api", "destroy_room"}, {"action", {{"http_status", 502}, {"extra_members", {{"A", 1}}}}}});
  CHECK(refused.status == 400);
  CHECK_THAT(refused.body["error"].get<std::string>(), Catch::Contains("extra_members: goes with error_code only"));
}

TEST_CASE("fault http_status 200: a captive portal's HTML page where the envelope should be, room untouched") {
  Fixture fixture;
  fixture.control("POST", "/__emulator/faults",
                  json{{"api", "destroy_room"}, {"action", {{"http_status", 200}}}});
  const auto faulted = fixture.destroy("live-room");
  CHECK(faulted.http_status == 200);
  CHECK_FALSE(faulted.envelope.has_value());
  CHECK(faulted.content_type == "text/html");
  CHECK(fixture.destroy("live-room").code() == 0);
  // Other 2xx and 3xx statuses are not an answer a gateway gives in place of the service.
  const auto refused = fixture.control("POST", "/__emulator/faults",
                                       json{{"api", "destroy_room"}, {"action", {{"http_status", 204}}}});
  CHECK(refused.status == 400);
  CHECK_THAT(refused.body.dump(), Catch::Contains("expected 200 (an HTML page instead of the envelope) or an HTTP error status in 400..599"));
}

TEST_CASE("faults match by sdkappid and room_id, apply in order, and are used up after count") {
  Fixture fixture;
  fixture.control("POST", "/__emulator/faults",
                  json{{"api", "destroy_room"}, {"room_id", "second-room"}, {"count", 2},
                       {"action", {{"error_code", 100001}}}});
  fixture.control("POST", "/__emulator/faults",
                  json{{"api", "destroy_room"}, {"sdkappid", 1400000000},
                       {"action", {{"http_status", 503}}}});
  fixture.control("POST", "/__emulator/faults",
                  json{{"api", "destroy_room"}, {"action", {{"http_status", 500}}}});
  // Rule 3 matches anything: it takes the first call that rules 1 and 2 do not match.
  CHECK(fixture.destroy("live-room").http_status == 500);
  CHECK(fixture.destroy("live-room").code() == 0);
  CHECK(fixture.destroy("live-room", 1400000000, "other-key").http_status == 503);
  CHECK(fixture.destroy("second-room").code() == 100001);
  CHECK(fixture.destroy("second-room").code() == 100001);
  CHECK(fixture.destroy("second-room").code() == 0);
  CHECK(fixture.control("GET", "/__emulator/faults").body["faults"].empty());
}

TEST_CASE("faults apply only to calls that passed every check through the body") {
  Fixture fixture;
  fixture.control("POST", "/__emulator/faults",
                  json{{"api", "destroy_room"}, {"action", {{"error_code", 100001}}}});
  CHECK(fixture.destroy("live-room", kApp, "wrong-key").code() == 70009);
  CHECK(fixture.control("GET", "/__emulator/faults").body["faults"].size() == 1);
  CHECK(fixture.destroy("live-room").code() == 100001);
}

TEST_CASE("fault after_apply: the destroy takes effect, the answer is lost, a retry gets 100004") {
  Fixture fixture;
  fixture.control("POST", "/__emulator/faults",
                  json{{"api", "destroy_room"}, {"after_apply", true}, {"action", {{"http_status", 502}}}});
  CHECK(fixture.destroy("live-room").http_status == 502);
  CHECK(fixture.server.emulator().rooms().list(kApp)->size() == 1);  // it was destroyed
  const auto retry = fixture.destroy("live-room");
  CHECK(retry.code() == 100004);
}

TEST_CASE("GET and DELETE /__emulator/faults, bad rules are 400 naming the field") {
  Fixture fixture;
  fixture.control("POST", "/__emulator/faults",
                  json{{"api", "destroy_room"}, {"room_id", "r"}, {"action", {{"error_code", 100001}}}});
  const auto listed = fixture.control("GET", "/__emulator/faults").body["faults"];
  REQUIRE(listed.size() == 1);
  CHECK(listed[0]["room_id"] == "r");
  CHECK(listed[0]["remaining"] == 1);
  CHECK(fixture.control("DELETE", "/__emulator/faults").status == 200);
  CHECK(fixture.control("GET", "/__emulator/faults").body["faults"].empty());
  const std::vector<std::pair<json, std::string>> bad = {
      {json{{"api", "kick_member"}, {"action", {{"error_code", 1}}}}, "fault.api"},
      {json{{"api", "destroy_room"}}, "fault.action"},
      {json{{"api", "destroy_room"}, {"action", {{"http_status", 204}}}}, "http_status"},
      {json{{"api", "destroy_room"}, {"action", {{"error_code", 1}, {"http_status", 502}}}}, "only one"},
      {json{{"api", "destroy_room"}, {"count", 0}, {"action", {{"error_code", 1}}}}, "fault.count"},
      {json{{"api", "destroy_room"}, {"action", {{"delay_ms", -1}}}}, "delay_ms"},
      {json{{"api", "destroy_room"}, {"when", 1}, {"action", {{"error_code", 1}}}}, "unknown key \"when\""},
      {json{{"api", "destroy_room"}, {"for_ms", 0}, {"action", {{"error_code", 1}}}}, "fault.for_ms"},
      {json{{"api", "destroy_room"}, {"action", {{"truncate_body", false}}}}, "truncate_body: expected true"},
      {json{{"api", "destroy_room"}, {"action", {{"reset_midway", true}, {"http_status", 502}}}}, "only one"},
      {json{{"api", "destroy_room"}, {"after_apply", false}, {"action", {{"truncate_body", true}}}}, "after_apply"},
  };
  for (const auto& [rule, fragment] : bad) {
    const auto answer = fixture.control("POST", "/__emulator/faults", rule);
    INFO(rule.dump());
    CHECK(answer.status == 400);
    CHECK_THAT(answer.body["error"].get<std::string>(), Catch::Contains(fragment));
  }
}

TEST_CASE("the journal records vendor calls with claims, and the answer sent") {
  Fixture fixture;
  fixture.destroy("live-room");
  fixture.control("GET", "/__emulator/rooms");  // control calls are not journaled
  const auto entries = fixture.control("GET", "/__emulator/requests").body["requests"];
  REQUIRE(entries.size() == 1);
  const auto& entry = entries[0];
  CHECK(entry["seq"] == 1);
  CHECK(entry["time"] == Approx(kNow));
  CHECK(entry["method"] == "POST");
  CHECK(entry["path"] == "/v4/live_engine_http_srv/destroy_room");
  CHECK(entry["query"]["sdkappid"] == "88888888");
  CHECK(entry["query"]["contenttype"] == "json");
  CHECK(entry["body"] == R"({"RoomId":"live-room"})");
  CHECK(entry["usersig"]["TLS.identifier"] == "admin");
  CHECK(entry["usersig"]["TLS.sdkappid"] == kApp);
  CHECK(entry["usersig"]["TLS.expire"] == 86400);
  CHECK(entry["response"]["http_status"] == 200);
  CHECK(entry["response"]["body"]["ErrorCode"] == 0);
  CHECK(entry["response"]["dropped"] == false);
  CHECK(entry["room_id"] == "live-room");
  CHECK(entry["api"] == "destroy_room");
}

TEST_CASE("the journal says why a UserSig did not decode, and for 70009 what should be signed") {
  Fixture fixture;
  testing::send(*fixture.client, testing::destroyRoomRequest(kApp, "admin", kKey, "r", kNow)
                                      .set("usersig", "garbage!"));
  fixture.destroy("live-room", kApp, "a-wrong-key");
  const auto entries = fixture.control("GET", "/__emulator/requests").body["requests"];
  REQUIRE(entries.size() == 2);
  CHECK_THAT(entries[0]["usersig"]["error"].get<std::string>(), Catch::Contains("base64"));
  const std::string problem = entries[1]["usersig"]["problem"].get<std::string>();
  CHECK_THAT(problem, Catch::Contains("TLS.identifier:admin\\nTLS.sdkappid:88888888\\nTLS.time:1700000000\\nTLS.expire:86400\\n"));
  // Never the key, never the correct signature.
  const std::string all = entries.dump();
  CHECK(all.find(kKey) == std::string::npos);
  const auto correct = protocol::userSigSignature(
      kKey, protocol::userSigSignedText("admin", kApp, kNow, 86400));
  CHECK(all.find(correct) == std::string::npos);
}

TEST_CASE("the journal is a bounded ring, filterable, and can be cleared") {
  auto options = frozen();
  options.journal_size = 3;
  Fixture fixture(options);
  fixture.destroy("a");
  fixture.destroy("b");
  fixture.destroy("c", 1400000000, "other-key");
  fixture.destroy("d");
  const auto all = fixture.control("GET", "/__emulator/requests").body["requests"];
  REQUIRE(all.size() == 3);
  CHECK(all[0]["room_id"] == "b");
  CHECK(all[2]["room_id"] == "d");
  CHECK(fixture.control("GET", "/__emulator/requests?sdkappid=1400000000").body["requests"].size() == 1);
  CHECK(fixture.control("GET", "/__emulator/requests?room_id=d").body["requests"].size() == 1);
  CHECK(fixture.control("GET", "/__emulator/requests?api=destroy_room").body["requests"].size() == 3);
  CHECK(fixture.control("GET", "/__emulator/requests?api=get_room_info").body["requests"].empty());
  CHECK(fixture.control("DELETE", "/__emulator/requests").status == 200);
  CHECK(fixture.control("GET", "/__emulator/requests").body["requests"].empty());
}

TEST_CASE("clock: GET, freeze at an instant, advance, back to real time, bad input is 400") {
  Fixture fixture;
  CHECK(fixture.control("GET", "/__emulator/clock").body ==
        json{{"now", static_cast<double>(kNow)}, {"mode", "manual"}});
  CHECK(fixture.control("POST", "/__emulator/clock", json{{"now", 1800000000.5}}).body["now"] ==
        1800000000.5);
  CHECK(fixture.control("POST", "/__emulator/clock", json{{"advance_seconds", 10}}).body["now"] ==
        1800000010.5);
  const auto real = fixture.control("POST", "/__emulator/clock", json{{"mode", "real"}});
  CHECK(real.body["mode"] == "real");
  const auto advanced = fixture.control("POST", "/__emulator/clock", json{{"advance_seconds", 3600}});
  CHECK(advanced.body["mode"] == "manual");
  CHECK(advanced.body["now"].get<double>() > real.body["now"].get<double>() + 3599);
  for (const json& bad : {json{{"advance_seconds", -1}}, json{{"now", "soon"}}, json::object(),
                          json{{"now", 1}, {"mode", "real"}}, json{{"mode", "fast"}}}) {
    CHECK(fixture.control("POST", "/__emulator/clock", bad).status == 400);
  }
}

TEST_CASE("one clock: a UserSig with expire 60 is accepted, 61 s later it is 70001") {
  Fixture fixture;
  auto request = testing::destroyRoomRequest(kApp, "admin", kKey, "live-room", kNow, 60);
  CHECK(testing::send(*fixture.client, request.withBody(R"({"RoomId":"none"})")).code() == 100004);
  fixture.control("POST", "/__emulator/clock", json{{"advance_seconds", 60}});
  CHECK(testing::send(*fixture.client, request).code() == 100004);  // equality is still valid
  fixture.control("POST", "/__emulator/clock", json{{"advance_seconds", 1}});
  CHECK(testing::send(*fixture.client, request).code() == 70001);
}

TEST_CASE("one clock: the limiter on a frozen clock admits exactly N, then again after 1 s") {
  auto options = frozen();
  options.rate_limit = 3;
  Fixture fixture(options);
  for (int i = 0; i < 3; ++i) CHECK(fixture.destroy("none").code() == 100004);
  CHECK(fixture.destroy("none").code() == 60007);
  fixture.control("POST", "/__emulator/clock", json{{"advance_seconds", 0.999}});
  CHECK(fixture.destroy("none").code() == 60007);
  fixture.control("POST", "/__emulator/clock", json{{"advance_seconds", 0.001}});
  for (int i = 0; i < 3; ++i) CHECK(fixture.destroy("none").code() == 100004);
  CHECK(fixture.destroy("none").code() == 60007);
}

TEST_CASE("reset returns every stateful part to its configured initial state") {
  auto options = frozen();
  options.rate_limit = 1;
  Fixture fixture(options);
  // Every part the emulator registers is covered here; a new part fails this line until its state
  // is added below.
  CHECK(fixture.server.emulator().statefulParts() ==
        std::vector<std::string>{"clock", "app_clocks", "apps", "rate_limiter", "app_status", "rooms", "accounts",
                                 "faults", "journal", "callbacks", "callback_log"});
  // apps (one added at run time) and app_clocks (a configured app's own time moved):
  CHECK(fixture.control("POST", "/__emulator/apps", json{{"sdkappid", 1500000000}}).status == 201);
  CHECK(fixture.control("POST", "/__emulator/clock?sdkappid=1400000000", json{{"advance_seconds", 60}}).status == 200);
  // accounts (as account_import would have made it):
  fixture.server.emulator().accounts().put(kApp, "imported-then-reset", {});
  // callbacks (port 9 on loopback: nothing listens, the delivery fails, and is recorded):
  fixture.control("POST", "/__emulator/scenarios",
                  json{{"apps", {{{"sdkappid", kApp},
                                  {"callback", {{"url", "http://127.0.0.1:9/cb"},
                                                {"commands", {"Live.CallbackAfterDestroyRoom"}}}}}}}});
  // clock, rate limiter, rooms, journal:
  CHECK(fixture.destroy("live-room").code() == 0);
  CHECK(fixture.destroy("second-room").code() == 60007);
  fixture.control("POST", "/__emulator/clock", json{{"now", 1800000000}});
  // faults, app status, more rooms:
  fixture.control("POST", "/__emulator/faults",
                  json{{"api", "destroy_room"}, {"action", {{"error_code", 100001}}}});
  fixture.control("POST", "/__emulator/scenarios",
                  json{{"apps", {{{"sdkappid", 1400000000}, {"status", "disabled"}}}},
                       {"rooms", {{{"sdkappid", kApp}, {"room_id", "extra"}, {"owner", "admin"}}}}});

  CHECK(fixture.control("GET", "/__emulator/callbacks").body["callbacks"].size() == 1);
  const auto reset = fixture.control("POST", "/__emulator/reset");
  CHECK(reset.status == 200);
  CHECK(fixture.control("GET", "/__emulator/clock").body["now"] == static_cast<double>(kNow));
  CHECK(fixture.control("GET", "/__emulator/faults").body["faults"].empty());
  CHECK(fixture.control("GET", "/__emulator/requests").body["requests"].empty());
  CHECK(fixture.control("GET", "/__emulator/callbacks").body["callbacks"].empty());
  CHECK(fixture.control("GET", "/__emulator/apps").body["apps"][0]["callback"].is_null());
  CHECK(fixture.control("GET", "/__emulator/apps").body["apps"].size() == 2);  // the added app is gone
  CHECK(fixture.control("GET", "/__emulator/clock?sdkappid=1400000000").body["ahead_seconds"] == 0.0);
  CHECK(roomIds(fixture.control("GET", "/__emulator/rooms?sdkappid=88888888").body) ==
        std::set<std::string>{"live-room", "second-room"});
  CHECK_FALSE(fixture.server.emulator().accounts().imported(kApp, "imported-then-reset"));
  CHECK(fixture.destroy("live-room").code() == 0);  // limiter forgot, no fault, room is back
  CHECK(fixture.destroy("live-room", 1400000000, "other-key").code() == 0);  // app active again
}

TEST_CASE("POST /__emulator/scenarios applies rooms, faults, clock and app statuses") {
  Fixture fixture;
  const auto applied = fixture.control(
      "POST", "/__emulator/scenarios",
      json{{"description", "test"},
           {"rooms", {{{"sdkappid", kApp}, {"room_id", "meeting"}, {"owner", "admin"}, {"type", "Conference"}}}},
           {"faults", {{{"api", "destroy_room"}, {"room_id", "live-room"}, {"action", {{"error_code", 100001}}}}}},
           {"clock", {{"now", 1700000100}}},
           {"apps", {{{"sdkappid", 1400000000}, {"status", "expired"}}}}});
  CHECK(applied.status == 200);
  CHECK(fixture.destroy("meeting").code() == 100006);
  CHECK(fixture.destroy("live-room").code() == 100001);
  CHECK(fixture.destroy("live-room", 1400000000, "other-key").code() == 60020);
  CHECK(fixture.control("GET", "/__emulator/clock").body["now"] == 1700000100.0);
  const auto bad = fixture.control("POST", "/__emulator/scenarios", json{{"roms", json::array()}});
  CHECK(bad.status == 400);
  CHECK_THAT(bad.body["error"].get<std::string>(), Catch::Contains("unknown key \"roms\""));
}

TEST_CASE("start-up scenarios are part of the initial state that reset returns to") {
  auto options = frozen();
  auto scenario = domain::parseScenario(
      json{{"faults", {{{"api", "destroy_room"}, {"action", {{"error_code", 100001}}}}}}},
      config().apps);
  REQUIRE(scenario.ok());
  options.scenarios.push_back(scenario.value());
  Fixture fixture(options);
  CHECK(fixture.destroy("live-room").code() == 100001);
  CHECK(fixture.destroy("live-room").code() == 0);
  fixture.control("POST", "/__emulator/reset");
  CHECK(fixture.destroy("live-room").code() == 100001);
}

TEST_CASE("with --control-token the control API needs the bearer token: 401 without, 403 wrong") {
  http::ServerSettings settings;
  settings.control.token = "s3cret";
  Fixture fixture(frozen(), settings);
  CHECK(fixture.control("GET", "/__emulator/health").status == 401);
  CHECK(fixture.control("GET", "/__emulator/health", nullptr, {{"Authorization", "Bearer nope"}}).status == 403);
  CHECK(fixture.control("GET", "/__emulator/health", nullptr, {{"Authorization", "Bearer s3cret"}}).status == 200);
  CHECK(fixture.destroy("live-room").code() == 0);  // the vendor API itself needs no token
}

TEST_CASE("without a token only loopback peers may use the control API") {
  CHECK(http::isLoopbackAddress("127.0.0.1"));
  CHECK(http::isLoopbackAddress("127.3.2.1"));
  CHECK(http::isLoopbackAddress("::1"));
  CHECK(http::isLoopbackAddress("::ffff:127.0.0.1"));
  CHECK_FALSE(http::isLoopbackAddress("10.0.0.7"));
  CHECK_FALSE(http::isLoopbackAddress("::ffff:192.168.1.2"));
}

TEST_CASE("unknown control calls are 404 with a hint") {
  Fixture fixture;
  const auto answer = fixture.control("GET", "/__emulator/nope");
  CHECK(answer.status == 404);
  CHECK_THAT(answer.body["error"].get<std::string>(), Catch::Contains("not a control call"));
}

TEST_CASE("POST /__emulator/rooms with {\"rooms\":[...]} adds all, or nothing on a conflict") {
  Fixture fixture;
  json batch = {{"rooms", json::array()}};
  for (int i = 0; i < 100; ++i) {
    batch["rooms"].push_back({{"sdkappid", kApp}, {"room_id", "bulk-" + std::to_string(i)}, {"owner", "admin"}});
  }
  const auto added = fixture.control("POST", "/__emulator/rooms", batch);
  CHECK(added.status == 201);
  CHECK(added.body["added"] == 100);
  CHECK(fixture.server.emulator().rooms().list(kApp)->size() == 102);

  json conflicting = {{"rooms", {{{"sdkappid", kApp}, {"room_id", "fresh"}, {"owner", "admin"}},
                                 {{"sdkappid", kApp}, {"room_id", "bulk-7"}, {"owner", "admin"}}}}};
  const auto refused = fixture.control("POST", "/__emulator/rooms", conflicting);
  CHECK(refused.status == 409);
  CHECK_THAT(refused.body["error"].get<std::string>(), Catch::Contains("bulk-7"));
  CHECK(fixture.server.emulator().rooms().list(kApp)->size() == 102);  // "fresh" was not kept
  const auto invalid = fixture.control("POST", "/__emulator/rooms",
                                       json{{"rooms", {{{"sdkappid", kApp}, {"room_id", ""}, {"owner", "a"}}}}});
  CHECK(invalid.status == 400);
  CHECK_THAT(invalid.body["error"].get<std::string>(), Catch::Contains("rooms[0].room_id"));
}

TEST_CASE("POST /__emulator/rooms: an sdkappid outside uint32 is a 400 naming the field, not a 404") {
  Fixture fixture;
  const auto answer = fixture.control("POST", "/__emulator/rooms",
                                      json{{"sdkappid", 4294967296ULL}, {"room_id", "r"}, {"owner", "o"}});
  CHECK(answer.status == 400);
  CHECK_THAT(answer.body["error"].get<std::string>(), Catch::Contains("room.sdkappid"));
  CHECK(fixture.control("DELETE", "/__emulator/rooms/99999999999/live-room").status == 404);
}

TEST_CASE("no web page can drive the control API: a foreign Origin is refused, with the reason") {
  Fixture fixture;
  const std::string own = "http://127.0.0.1:" + std::to_string(fixture.server.port());
  // The attack: a plain cross-origin form post installing a fault.
  httplib::Request attack;
  attack.method = "POST";
  attack.path = "/__emulator/faults";
  attack.body = R"({"api":"destroy_room","action":{"error_code":100001}})";
  attack.set_header("Content-Type", "text/plain");
  attack.set_header("Origin", "http://evil.example");
  const auto refused = fixture.client->send(attack);
  REQUIRE(refused);
  CHECK(refused->status == 403);
  CHECK_THAT(refused->body, Catch::Contains("Origin: http://evil.example"));
  CHECK(fixture.control("GET", "/__emulator/faults").body["faults"].empty());
  // Reading is refused too, and so is the "null" origin of sandboxed pages and files.
  for (const char* origin : {"http://evil.example", "null", "http://127.0.0.1:1"}) {
    CHECK(fixture.control("GET", "/__emulator/requests", nullptr, {{"Origin", origin}}).status == 403);
  }
  // The emulator's own pages, and clients that send no Origin, are served.
  CHECK(fixture.control("GET", "/__emulator/requests", nullptr, {{"Origin", own}}).status == 200);
  CHECK(fixture.control("POST", "/__emulator/faults", json{{"api", "destroy_room"}, {"action", {{"error_code", 100001}}}},
                        {{"Origin", own}})
            .status == 201);
}

TEST_CASE("no DNS-rebinding page can read it: a Host that is not ours is refused, --allow-host admits one") {
  Fixture fixture;
  const std::string port = std::to_string(fixture.server.port());
  const auto rooms_with_host = [&](Fixture& target, const std::string& host) {
    return target.control("GET", "/__emulator/rooms", nullptr, {{"Host", host}});
  };
  const auto refused = rooms_with_host(fixture, "attacker.example:" + port);
  CHECK(refused.status == 403);
  CHECK_THAT(refused.body["error"].get<std::string>(), Catch::Contains("--allow-host attacker.example"));
  CHECK(rooms_with_host(fixture, "10.1.2.3:" + port).status == 403);  // not the bound address
  CHECK(rooms_with_host(fixture, "localhost:" + port).status == 200);
  CHECK(rooms_with_host(fixture, "LocalHost:" + port).status == 200);
  CHECK(rooms_with_host(fixture, "127.0.0.1:" + port).status == 200);

  http::ServerSettings settings;
  settings.control.allowed_hosts = {"emulator.ci.internal"};
  Fixture allowing(frozen(), settings);
  CHECK(rooms_with_host(allowing, "emulator.ci.internal:" + port).status == 200);
  CHECK(rooms_with_host(allowing, "other.ci.internal:" + port).status == 403);
  // Bound to every address (a CI service): any IP address is ours, names still need --allow-host.
  settings.control.bound_host = "0.0.0.0";
  Fixture wildcard(frozen(), settings);
  CHECK(rooms_with_host(wildcard, "10.1.2.3:" + port).status == 200);
  CHECK(rooms_with_host(wildcard, "[::1]:" + port).status == 200);
  CHECK(rooms_with_host(wildcard, "attacker.example").status == 403);
}

TEST_CASE("a control call that changes state needs Content-Type: application/json, body or not") {
  Fixture fixture;
  for (const auto& [method, path, type] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"POST", "/__emulator/faults", "text/plain"},
           {"POST", "/__emulator/faults", "application/x-www-form-urlencoded"},
           {"POST", "/__emulator/reset", ""},
           {"DELETE", "/__emulator/faults", ""},
           {"DELETE", "/__emulator/rooms/88888888/live-room", "multipart/form-data; boundary=x"}}) {
    httplib::Request request;
    request.method = method;
    request.path = path;
    if (method == "POST") request.body = R"({"api":"destroy_room","action":{"error_code":100001}})";
    if (!type.empty()) request.set_header("Content-Type", type);
    const auto answer = fixture.client->send(request);
    REQUIRE(answer);
    CHECK(answer->status == 415);
    CHECK_THAT(answer->body, Catch::Contains("application/json"));
  }
  CHECK(fixture.control("GET", "/__emulator/faults").body["faults"].empty());
  CHECK(fixture.server.emulator().rooms().list(kApp)->size() == 2);  // nothing was deleted
  // With a charset it is still JSON.
  CHECK(fixture.control("POST", "/__emulator/reset", nullptr, {{"Content-Type", "application/json; charset=utf-8"}})
            .status == 200);
}

TEST_CASE("the vendor API is unchanged: server-to-server clients send no Origin, any Host") {
  Fixture fixture;
  auto request = testing::destroyRoomRequest(kApp, "admin", kKey, "live-room", kNow);
  httplib::Request raw;
  raw.method = "POST";
  raw.path = request.target();
  raw.body = R"({"RoomId":"live-room"})";
  raw.set_header("Content-Type", "text/plain");
  raw.set_header("Origin", "http://evil.example");
  raw.set_header("Host", "console.tim.qq.com");
  const auto answer = fixture.client->send(raw);
  REQUIRE(answer);
  CHECK(answer->status == 200);
  CHECK_THAT(answer->body, Catch::Contains(R"("ErrorCode":0)"));
}

TEST_CASE("journal polling: after_seq and limit return what came after, in order, with where to go on") {
  Fixture fixture;
  for (int i = 0; i < 5; ++i) fixture.destroy("room-" + std::to_string(i));
  const auto all = fixture.control("GET", "/__emulator/requests");
  REQUIRE(all.body["requests"].size() == 5);
  const auto first_seq = all.body["requests"][0]["seq"].get<std::uint64_t>();
  CHECK(all.body["last_seq"] == first_seq + 4);
  // Two at a time, from the start.
  auto page = fixture.control("GET", "/__emulator/requests?after_seq=0&limit=2");
  REQUIRE(page.body["requests"].size() == 2);
  CHECK(page.body["requests"][1]["room_id"] == "room-1");
  page = fixture.control("GET", "/__emulator/requests?after_seq=" + page.body["last_seq"].dump() + "&limit=2");
  REQUIRE(page.body["requests"].size() == 2);
  CHECK(page.body["requests"][0]["room_id"] == "room-2");
  page = fixture.control("GET", "/__emulator/requests?after_seq=" + page.body["last_seq"].dump());
  REQUIRE(page.body["requests"].size() == 1);
  CHECK(page.body["requests"][0]["room_id"] == "room-4");
  // Nothing new: empty, and the cursor stays.
  const auto cursor = page.body["last_seq"];
  page = fixture.control("GET", "/__emulator/requests?after_seq=" + cursor.dump());
  CHECK(page.body["requests"].empty());
  CHECK(page.body["last_seq"] == cursor);
  // The answer sent is JSON in the journal, not a string.
  CHECK(all.body["requests"][0]["response"]["body"]["ErrorCode"] == 100004);
  for (const char* bad : {"after_seq=-1", "after_seq=x", "limit=0", "limit=1.5"}) {
    const auto refused = fixture.control("GET", std::string("/__emulator/requests?") + bad);
    CHECK(refused.status == 400);
  }
}

TEST_CASE("journal polling never skips a call that finished after a later one") {
  domain::ResetRegistry registry;
  domain::Journal journal(registry, 100);
  const auto entry = [](std::uint64_t seq) {
    domain::JournalEntry recorded;
    recorded.seq = seq;
    return recorded;
  };
  journal.record(entry(1));
  journal.record(entry(3));  // seq 2 is still being answered
  auto selection = journal.select({}, 0, 100);
  REQUIRE(selection.entries.size() == 1);  // 3 waits until 2 is recorded
  CHECK(selection.last_seq == 1);
  journal.record(entry(2));
  selection = journal.select({}, selection.last_seq, 100);
  REQUIRE(selection.entries.size() == 2);
  CHECK(selection.entries[0]->seq == 2);
  CHECK(selection.entries[1]->seq == 3);
  CHECK(selection.last_seq == 3);
}

TEST_CASE("journal polling moves past a call that ended in an exception (its seq is abandoned)") {
  domain::ResetRegistry registry;
  domain::Journal journal(registry, 100);
  domain::JournalEntry recorded;
  recorded.seq = 2;
  journal.record(recorded);
  CHECK(journal.select({}, 0, 100).entries.empty());  // 2 waits for 1
  journal.abandon(1);
  const auto selection = journal.select({}, 0, 100);
  REQUIRE(selection.entries.size() == 1);
  CHECK(selection.entries[0]->seq == 2);
  CHECK(selection.last_seq == 2);
  journal.abandon(2);  // already complete: nothing changes
  CHECK(journal.select({}, 0, 100).last_seq == 2);
}
