// GET /__emulator/metrics (docs/control-api.md, "Metrics"): what each counter counts, over HTTP.
#include <catch2/catch.hpp>

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "domain/metrics.h"
#include "http/two_app_config.h"
#include "testing/test_server.h"
#include "testing/vendor_request.h"

using namespace live;

namespace {

constexpr std::int64_t kNow = 1700000000;

// The exposition's samples: "name{labels}" -> value.
std::map<std::string, double> samples(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.rfind(' ');
    out[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return out;
}

}  // namespace

TEST_CASE("metrics count calls by API and code, HTTP statuses, faults, rate limits, rooms and latency") {
  auto config = http::testing::twoAppConfig();
  config.rate_limits["destroy_room"] = 3;
  testing::TestServer server(config, http::testing::frozenAtTestNow());
  auto client = server.client();
  const auto destroy = [&](const std::string& room, const std::string& key = "emulator-secret-key") {
    return testing::send(*client, testing::destroyRoomRequest(88888888, "admin", key, room, kNow)).code();
  };
  const auto control = [&](const std::string& method, const std::string& path, const std::string& body) {
    httplib::Request request;
    request.method = method;
    request.path = path;
    request.body = body;
    request.set_header("Content-Type", "application/json");
    return client->send(request);
  };
  CHECK(destroy("live-room") == 0);
  CHECK(destroy("live-room") == 100004);
  CHECK(destroy("x", "a-wrong-key") == 70009);
  control("POST", "/__emulator/faults", R"({"api":"destroy_room","action":{"http_status":502}})");
  destroy("y");  // 502, no envelope: the fourth admitted call of this second would be 60007...
  control("POST", "/__emulator/clock", R"({"advance_seconds":1})");
  for (int i = 0; i < 5; ++i) destroy("z");  // 3 admitted, 2 refused

  auto answer = client->Get("/__emulator/metrics");
  REQUIRE(answer);
  CHECK(answer->status == 200);
  CHECK(answer->get_header_value("Content-Type") == "text/plain; version=0.0.4; charset=utf-8");
  const auto values = samples(answer->body);
  CAPTURE(answer->body);
  CHECK(values.at(R"(live_emulator_calls_total{api="destroy_room",error_code="0",error_name="ok"})") == 2);  // OK + the 502
  CHECK(values.at(R"(live_emulator_calls_total{api="destroy_room",error_code="100004",error_name="room_not_found"})") == 4);
  CHECK(values.at(R"(live_emulator_calls_total{api="destroy_room",error_code="70009",error_name="usersig_verification_failed"})") == 1);
  CHECK(values.at(R"(live_emulator_calls_total{api="destroy_room",error_code="60007",error_name="rate_limited"})") == 2);
  CHECK(values.at(R"(live_emulator_http_responses_total{status="200"})") == 8);
  CHECK(values.at(R"(live_emulator_http_responses_total{status="502"})") == 1);
  CHECK(values.at(R"(live_emulator_faults_applied_total{action="http_status"})") == 1);
  CHECK(values.at(R"(live_emulator_faults_applied_total{action="error_code"})") == 0);
  CHECK(values.at(R"(live_emulator_rate_limited_total{sdkappid="88888888"})") == 2);
  CHECK(values.at(R"(live_emulator_rate_limited_total{sdkappid="1400000000"})") == 0);
  const auto rooms = [&] {
    return nlohmann::json::parse(client->Get("/__emulator/rooms?sdkappid=88888888")->body)["rooms"].size();
  };
  const auto rooms_now = rooms();
  CHECK(values.at(R"(live_emulator_rooms{sdkappid="88888888"})") == static_cast<double>(rooms_now));
  CHECK(values.at(R"(live_emulator_call_duration_seconds_count)") == 9);
  CHECK(values.at(R"(live_emulator_call_duration_seconds_bucket{le="+Inf"})") == 9);
  CHECK(values.at(R"(live_emulator_callback_deliveries{state="delivered"})") == 0);
  // Counters outlive a reset (they only go up); the rooms gauge follows the state.
  control("POST", "/__emulator/reset", "");
  const auto after = samples(client->Get("/__emulator/metrics")->body);
  CHECK(after.at(R"(live_emulator_call_duration_seconds_count)") == 9);
  CHECK(after.at(R"(live_emulator_rooms{sdkappid="88888888"})") == static_cast<double>(rooms_now + 1));  // live-room is back
}

TEST_CASE("the latency histogram: each call in the first bucket whose bound it does not exceed, cumulative") {
  domain::Metrics metrics(1, 1);
  const auto call = [&](std::int64_t micros) {
    metrics.record({0, 0, 200, std::nullopt, std::nullopt, std::chrono::microseconds(micros)});
  };
  call(50);      // <= 0.0001
  call(100);     // == 0.0001: in that bucket
  call(101);     // <= 0.00025
  call(20'000'000);  // beyond 10 s: +Inf only
  const auto snapshot = metrics.snapshot();
  CHECK(snapshot.latency_buckets[0] == 2);
  CHECK(snapshot.latency_buckets[1] == 3);
  CHECK(snapshot.latency_buckets.back() == 3);
  CHECK(snapshot.latency_count == 4);
  CHECK(snapshot.latency_sum_seconds == Approx(20.000251));
  CHECK(snapshot.calls[0][0] == 4);  // error code 0 is the catalog's first entry
}
