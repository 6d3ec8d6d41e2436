// Webhooks end to end (docs/webhooks.md): configured by the vendor's live_config calls and by
// scenario, delivered asynchronously and signed, recorded in /__emulator/callbacks, steered by
// callback fault rules, and never holding up a destroy answer or another app's callbacks.
#include <catch2/catch.hpp>

#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "protocol/callback.h"
#include "http/two_app_config.h"
#include "testing/test_server.h"
#include "testing/vendor_request.h"

using namespace live;
using json = nlohmann::json;

namespace {

constexpr std::int64_t kNow = 1700000000;
constexpr std::uint32_t kApp = 88888888;
constexpr std::uint32_t kOtherApp = 1400000000;
constexpr const char* kKey = "emulator-secret-key";
constexpr const char* kOtherKey = "other-key";

domain::EmulatorConfig config() { return http::testing::twoAppConfig(); }
domain::EmulatorOptions frozen() { return http::testing::frozenAtTestNow(); }

// A webhook receiver on port 0 that records what it gets; `hold` makes it answer late.
struct Receiver {
  struct Got {
    std::string path;
    std::multimap<std::string, std::string> query;
    std::string body;
  };

  explicit Receiver(std::chrono::milliseconds answer_after = std::chrono::milliseconds(0)) : hold(answer_after) {
    server.Post(".*", [this](const httplib::Request& request, httplib::Response& response) {
      {
        std::unique_lock lock(mutex);
        changed.wait_for(lock, hold, [] { return false; });
        got.push_back({request.path, {request.params.begin(), request.params.end()}, request.body});
      }
      changed.notify_all();
      response.set_content(std::string(protocol::kCallbackOkAnswer), "application/json");
    });
    port = server.bind_to_any_port("127.0.0.1");  // listening from here on: no wait needed
    thread = std::thread([this] { server.listen_after_bind(); });
  }
  ~Receiver() {
    server.stop();
    thread.join();
  }
  // Waits (bounded) until `count` callbacks have arrived; returns them.
  std::vector<Got> waitFor(std::size_t count) {
    std::unique_lock lock(mutex);
    changed.wait_for(lock, std::chrono::seconds(10), [&] { return got.size() >= count; });
    return got;
  }
  std::string url(const std::string& path = "/callback") const {
    return "http://127.0.0.1:" + std::to_string(port) + path;
  }

  httplib::Server server;
  int port = 0;
  std::thread thread;
  std::mutex mutex;
  std::condition_variable changed;
  const std::chrono::milliseconds hold;  // set before the server starts
  std::vector<Got> got;
};

struct Fixture {
  Fixture() : server(config(), frozen()), client(server.client()) {}

  json control(const std::string& method, const std::string& path, const json& body = nullptr) {
    httplib::Request request;
    request.method = method;
    request.path = path;
    if (!body.is_null()) request.body = body.dump();
    request.set_header("Content-Type", "application/json");
    auto result = client->send(request);
    return result ? json::parse(result->body, nullptr, false) : json();
  }
  testing::VendorResponse call(const std::string& path, const std::string& body, std::uint32_t sdkappid = kApp,
                               const std::string& key = kKey) {
    auto request = testing::destroyRoomRequest(sdkappid, "admin", key, "unused", kNow);
    request.path = path;
    request.withBody(body);
    return testing::send(*client, request);
  }
  testing::VendorResponse destroy(const std::string& room, std::uint32_t sdkappid = kApp, const std::string& key = kKey) {
    return testing::send(*client, testing::destroyRoomRequest(sdkappid, "admin", key, room, kNow));
  }
  void configure(const std::string& url, const std::string& token = "") {
    json callback{{"url", url}, {"commands", {"Live.CallbackAfterDestroyRoom"}}};
    if (!token.empty()) callback["token"] = token;
    control("POST", "/__emulator/scenarios", json{{"apps", {{{"sdkappid", kApp}, {"callback", callback}}}}});
  }
  // Waits (bounded) until no delivery is pending.
  json settledCallbacks() {
    json callbacks;
    for (int i = 0; i < 1000; ++i) {
      callbacks = control("GET", "/__emulator/callbacks")["callbacks"];
      bool pending = false;
      for (const auto& callback : callbacks) pending = pending || callback["state"] == "pending";
      if (!pending) break;
      std::this_thread::yield();
    }
    return callbacks;
  }

  testing::TestServer server;
  std::unique_ptr<httplib::Client> client;
};

std::string queryValue(const Receiver::Got& got, const std::string& name) {
  const auto it = got.query.find(name);
  return it == got.query.end() ? std::string("(absent)") : it->second;
}

}  // namespace

TEST_CASE("callback: a signed Live.CallbackAfterDestroyRoom with the documented query and body") {
  Receiver receiver;
  Fixture fixture;
  fixture.configure(receiver.url(), "xxxxyyyy");
  fixture.server.emulator().rooms().put({kApp, "live-room", "admin", "Live", "Evening show", kNow - 60, {12, 3, 30, 2, 99}, {}, {}});
  REQUIRE(fixture.destroy("live-room").code() == 0);
  const auto got = receiver.waitFor(1);
  REQUIRE(got.size() == 1);
  CHECK(got[0].path == "/callback");
  CHECK(queryValue(got[0], "SdkAppid") == "88888888");
  CHECK(queryValue(got[0], "CallbackCommand") == "Live.CallbackAfterDestroyRoom");
  CHECK(queryValue(got[0], "contenttype") == "json");
  CHECK(queryValue(got[0], "ClientIP") == "127.0.0.1");
  CHECK(queryValue(got[0], "OptPlatform") == "RESTAPI");
  CHECK(queryValue(got[0], "RequestTime") == std::to_string(kNow));  // the emulator's clock
  CHECK(queryValue(got[0], "Sign") == protocol::callbackSign("xxxxyyyy", kNow));
  const auto body = nlohmann::ordered_json::parse(got[0].body);
  std::vector<std::string> members;
  for (const auto& item : body.items()) members.push_back(item.key());
  CHECK(members == std::vector<std::string>{"CallbackCommand", "Operator_Account", "RoomId", "EventType", "EventTime",
                                            "RoomInfo", "Statistic"});
  CHECK(body["Operator_Account"] == "admin");
  CHECK(body["RoomId"] == "live-room");
  CHECK(body["EventType"] == "DestroyByUser");
  CHECK(body["EventTime"] == kNow * 1000);
  CHECK(body["RoomInfo"]["RoomName"] == "Evening show");
  CHECK(body["RoomInfo"]["Owner_Account"] == "admin");
  CHECK_FALSE(body["RoomInfo"].contains("RoomId"));
  CHECK(json::parse(body["Statistic"].dump()) == json{{"TotalViewers", 12}, {"TotalGiftsSent", 3}, {"TotalGiftCoins", 30},
                                  {"TotalUniqueGiftSenders", 2}, {"TotalLikesReceived", 99}});
  const auto callbacks = fixture.settledCallbacks();
  REQUIRE(callbacks.size() == 1);
  CHECK(callbacks[0]["state"] == "delivered");
  CHECK(callbacks[0]["response"]["http_status"] == 200);
  CHECK(callbacks[0]["response"]["body"]["ErrorCode"] == 0);
  CHECK(callbacks[0]["request"]["body"]["RoomId"] == "live-room");
  CHECK(callbacks[0].contains("latency_ms"));
}

TEST_CASE("callback: without a token no RequestTime or Sign, and a command not enabled sends nothing") {
  Receiver receiver;
  Fixture fixture;
  fixture.configure(receiver.url());
  REQUIRE(fixture.destroy("live-room").code() == 0);
  const auto got = receiver.waitFor(1);
  REQUIRE(got.size() == 1);
  CHECK(queryValue(got[0], "Sign") == "(absent)");
  CHECK(queryValue(got[0], "RequestTime") == "(absent)");
  fixture.control("POST", "/__emulator/scenarios",
                  json{{"apps", {{{"sdkappid", kApp},
                                  {"callback", {{"url", receiver.url()}, {"commands", {"Live.CallbackAfterCreateRoom"}}}}}}}});
  REQUIRE(fixture.destroy("second-room").code() == 0);
  CHECK(fixture.settledCallbacks().size() == 1);  // only the first
}

TEST_CASE("live_config: set_callback, 100300 the second time, update_callback, set_callback_token, body rules") {
  Receiver receiver;
  Fixture fixture;
  const std::string body = json{{"Url", receiver.url("/first")}, {"CallbackCommandList", {"Live.CallbackAfterDestroyRoom"}}}.dump();
  CHECK(fixture.call(protocol::kSetCallbackPath, body).code() == 0);
  const auto again = fixture.call(protocol::kSetCallbackPath, body);
  CHECK(again.code() == 100300);
  CHECK_THAT(again.info(), Catch::Contains("update_callback"));
  CHECK(fixture.call(protocol::kUpdateCallbackPath,
                     json{{"Url", receiver.url("/second")}, {"CallbackCommandList", {"Live.CallbackAfterDestroyRoom"}}}.dump())
            .code() == 0);
  CHECK(fixture.call(protocol::kSetCallbackTokenPath, R"({"Token":"t0ken","IsTokenEnable":true})").code() == 0);
  const auto apps = fixture.control("GET", "/__emulator/apps")["apps"];
  CHECK(apps[0]["callback"]["url"] == receiver.url("/second"));
  CHECK(apps[0]["callback"]["token_enabled"] == true);
  CHECK_FALSE(apps[0]["callback"].contains("token"));  // never shown
  REQUIRE(fixture.destroy("live-room").code() == 0);
  const auto got = receiver.waitFor(1);
  REQUIRE(got.size() == 1);
  CHECK(got[0].path == "/second");
  CHECK(queryValue(got[0], "Sign") == protocol::callbackSign("t0ken", kNow));

  const std::vector<std::pair<std::string, std::string>> bad = {
      {R"({"CallbackCommandList":[]})", "\"Url\""},
      {R"({"Url":"ftp://x","CallbackCommandList":[]})", "http:// or https://"},
      {R"({"Url":"http://x","CallbackCommandList":"Live.CallbackAfterDestroyRoom"})", "\"CallbackCommandList\" must be an array"},
      {R"({"Url":"http://x","CallbackCommandList":["Live.Other"]})", "\"CallbackCommandList\"[0]"},
  };
  for (const auto& [text, fragment] : bad) {
    INFO(text);
    const auto answer = fixture.call(protocol::kUpdateCallbackPath, text);
    CHECK(answer.code() == 100002);
    CHECK_THAT(answer.info(), Catch::Contains(fragment));
  }
  // A member the call does not document is read past (docs/destroy_room.md, "Body members").
  CHECK(fixture.call(protocol::kUpdateCallbackPath, R"({"Url":"http://x/second","CallbackCommandList":[],"Extra":1})")
            .code() == 0);
  const auto long_token = fixture.call(protocol::kSetCallbackTokenPath,
                                       json{{"Token", std::string(129, 'a')}, {"IsTokenEnable", true}}.dump());
  CHECK(long_token.code() == 100002);
  CHECK_THAT(long_token.info(), Catch::Contains("1..128"));
  CHECK(fixture.call(protocol::kSetCallbackTokenPath, R"({"Token":"t"})").code() == 100002);
  // The shared rows apply: a wrong key is 70009 before any body rule.
  CHECK(fixture.call(protocol::kSetCallbackPath, "{}", kApp, "wrong-key").code() == 70009);
  // Reset returns to the configured (no) callbacks.
  fixture.control("POST", "/__emulator/reset");
  CHECK(fixture.call(protocol::kSetCallbackPath, body).code() == 0);
}

TEST_CASE("callback faults: skip, send_twice, stale_request_time, wrong_sign, delay") {
  Receiver receiver;
  Fixture fixture;
  fixture.configure(receiver.url(), "tok");
  const auto fault = [&](const json& action) {
    fixture.control("POST", "/__emulator/faults", json{{"api", "Live.CallbackAfterDestroyRoom"}, {"action", action}});
  };
  fault({{"skip", true}});
  REQUIRE(fixture.destroy("live-room").code() == 0);
  auto callbacks = fixture.settledCallbacks();
  REQUIRE(callbacks.size() == 1);
  CHECK(callbacks[0]["state"] == "skipped");
  CHECK(callbacks[0]["fault"] == "skip");

  fault({{"send_twice", true}});
  REQUIRE(fixture.destroy("second-room").code() == 0);
  auto got = receiver.waitFor(2);
  REQUIRE(got.size() == 2);
  CHECK(got[0].body == got[1].body);
  CHECK(queryValue(got[0], "Sign") == queryValue(got[1], "Sign"));

  fixture.server.emulator().rooms().put({kApp, "third", "admin", "Live", "", kNow, {}, {}, {}});
  fault({{"stale_request_time", true}});
  REQUIRE(fixture.destroy("third").code() == 0);
  got = receiver.waitFor(3);
  REQUIRE(got.size() == 3);
  CHECK(queryValue(got[2], "RequestTime") == std::to_string(kNow - 120));
  CHECK(queryValue(got[2], "Sign") == protocol::callbackSign("tok", kNow - 120));  // validly signed, stale

  fixture.server.emulator().rooms().put({kApp, "fourth", "admin", "Live", "", kNow, {}, {}, {}});
  fault({{"wrong_sign", true}, {"delay_ms", 50}});
  const auto started = std::chrono::steady_clock::now();
  REQUIRE(fixture.destroy("fourth").code() == 0);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(50));  // the answer is not delayed
  got = receiver.waitFor(4);
  REQUIRE(got.size() == 4);
  CHECK(queryValue(got[3], "RequestTime") == std::to_string(kNow));
  CHECK(queryValue(got[3], "Sign") != protocol::callbackSign("tok", kNow));
  callbacks = fixture.settledCallbacks();
  REQUIRE(callbacks.size() == 5);
  CHECK(callbacks[4]["fault"] == "wrong_sign");
  CHECK(callbacks[4]["delay_ms"] == 50);

  // Vendor-only actions are refused on callback rules, callback actions on API rules.
  const auto refused = [&](const json& rule) {
    httplib::Request request;
    request.method = "POST";
    request.path = "/__emulator/faults";
    request.body = rule.dump();
    request.set_header("Content-Type", "application/json");
    return fixture.client->send(request)->status;
  };
  CHECK(refused(json{{"api", "Live.CallbackAfterDestroyRoom"}, {"action", {{"error_code", 100001}}}}) == 400);
  CHECK(refused(json{{"api", "destroy_room"}, {"action", {{"skip", true}}}}) == 400);
}

TEST_CASE("callbacks: a dead receiver is recorded, and a slow one delays neither the answer nor another app") {
  Receiver slow(std::chrono::milliseconds(1500));
  Receiver quick;
  Fixture fixture;
  fixture.configure(slow.url());
  fixture.control("POST", "/__emulator/scenarios",
                  json{{"apps", {{{"sdkappid", kOtherApp},
                                  {"callback", {{"url", quick.url()}, {"commands", {"Live.CallbackAfterDestroyRoom"}}}}}}}});
  const auto started = std::chrono::steady_clock::now();
  REQUIRE(fixture.destroy("live-room").code() == 0);  // its receiver holds the callback 1.5 s
  REQUIRE(fixture.destroy("live-room", kOtherApp, kOtherKey).code() == 0);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(1000));
  const auto got = quick.waitFor(1);
  CHECK(got.size() == 1);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(1500));  // not behind the slow one
  slow.waitFor(1);

  // Nothing listens on port 9 of loopback: the delivery fails, and says why.
  fixture.configure("http://127.0.0.1:9/dead");
  REQUIRE(fixture.destroy("second-room").code() == 0);
  const auto callbacks = fixture.settledCallbacks();
  const auto dead = std::find_if(callbacks.begin(), callbacks.end(),
                                 [](const json& callback) { return callback["room_id"] == "second-room"; });
  REQUIRE(dead != callbacks.end());
  CHECK((*dead)["state"] == "failed");
  CHECK_THAT((*dead)["error"].get<std::string>(), Catch::Contains("no answer"));
}

TEST_CASE("callbacks: control-API removals and system dissolutions fire it too") {
  Receiver receiver;
  Fixture fixture;
  fixture.configure(receiver.url());
  fixture.control("DELETE", "/__emulator/rooms/88888888/live-room");
  auto got = receiver.waitFor(1);
  REQUIRE(got.size() == 1);
  auto body = json::parse(got[0].body);
  CHECK(body["EventType"] == "DestroyByUser");
  CHECK(body["Operator_Account"] == "administrator");
  // An emptied room dissolves by itself after 30 minutes (the default rule).
  fixture.control("POST", "/__emulator/rooms/88888888/second-room/members", json{{"enter", {"alice"}}});
  fixture.control("POST", "/__emulator/rooms/88888888/second-room/members", json{{"leave", {"alice"}}});
  fixture.control("POST", "/__emulator/clock", json{{"advance_seconds", 1800}});
  got = receiver.waitFor(2);
  REQUIRE(got.size() == 2);
  body = json::parse(got[1].body);
  CHECK(body["EventType"] == "DestroyBySystem");
  CHECK(body["RoomId"] == "second-room");
  CHECK(body["Operator_Account"] == "@TIM#SYSTEM");
  CHECK(body["EventTime"] == (kNow + 1800) * 1000);
  const auto filtered = fixture.control("GET", "/__emulator/callbacks?room_id=second-room")["callbacks"];
  CHECK(filtered.size() == 1);
  CHECK(fixture.control("DELETE", "/__emulator/callbacks")["callbacks"].empty());
  CHECK(fixture.control("GET", "/__emulator/callbacks")["callbacks"].empty());
}
