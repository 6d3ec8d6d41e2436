// live-client's command line: outputs and exit codes of destroy-room (arguments and stdin),
// usersig and verify-usersig, against an in-process emulator on a free port.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "protocol/usersig.h"
#include "testing/child_process.h"
#include "testing/test_server.h"

using live::testing::ChildProcess;
using json = nlohmann::json;

namespace {

std::vector<std::string> environmentFor(const live::testing::TestServer& server) {
  return {"LIVE_ENDPOINT=http://127.0.0.1:" + std::to_string(server.port()), "LIVE_SDKAPPID=88888888",
          "LIVE_IDENTIFIER=admin", "LIVE_SECRET_KEY=emulator-secret-key"};
}

std::vector<json> lines(const std::string& text) {
  std::vector<json> parsed;
  std::size_t start = 0;
  for (auto end = text.find('\n'); end != std::string::npos; end = text.find('\n', start)) {
    parsed.push_back(json::parse(text.substr(start, end - start)));
    start = end + 1;
  }
  return parsed;
}

}  // namespace

TEST_CASE("destroy-room: one JSON line per room, exit 0 when every room is gone") {
  live::testing::TestServer server;
  ChildProcess client(LIVE_CLIENT_PATH, {"destroy-room", "live-room"}, environmentFor(server));
  CHECK(client.wait(10000) == 0);
  const auto output = lines(client.readStdout());
  REQUIRE(output.size() == 1);
  CHECK(output[0]["RoomId"] == "live-room");
  CHECK(output[0]["outcome"] == "destroyed");
  CHECK(output[0]["attempts"] == 1);
}

TEST_CASE("destroy-room reads ids from stdin, summarises, and exits 1 on an API error") {
  live::testing::TestServer server;
  ChildProcess client(LIVE_CLIENT_PATH, {"destroy-room", "--concurrency", "2"}, environmentFor(server));
  client.writeStdin("live-room\nmissing-room\n\n");
  CHECK(client.wait(10000) == 1);
  const auto output = lines(client.readStdout());
  REQUIRE(output.size() == 2);
  std::map<std::string, json> by_room;
  for (const auto& line : output) by_room[line["RoomId"].get<std::string>()] = line;
  CHECK(by_room["live-room"]["outcome"] == "destroyed");
  CHECK(by_room["missing-room"]["outcome"] == "error");
  CHECK(by_room["missing-room"]["ErrorCode"] == 100004);
  CHECK_THAT(client.readStderr(),
             Catch::Contains("summary: 2 rooms: 1 destroyed, 0 already gone, 1 failed (100004 x1)"));
}

TEST_CASE("destroy-room exits 2 when no valid answer came") {
  ChildProcess client(LIVE_CLIENT_PATH,
                      {"destroy-room", "r", "--endpoint", "http://127.0.0.1:1", "--sdkappid", "1",
                       "--identifier", "admin", "--secret-key", "k", "--max-attempts", "2",
                       "--initial-backoff-ms", "1"});
  CHECK(client.wait(10000) == 2);
  const auto output = lines(client.readStdout());
  REQUIRE(output.size() == 1);
  CHECK(output[0]["outcome"] == "transport_error");
  CHECK(output[0]["transport"] == "connect");
  CHECK(output[0]["attempts"] == 2);
}

TEST_CASE("usage errors exit 64 with one line") {
  ChildProcess no_key(LIVE_CLIENT_PATH, {"destroy-room", "r", "--endpoint", "http://x:1", "--sdkappid",
                                         "1", "--identifier", "a"});
  CHECK(no_key.wait(5000) == 64);
  CHECK_THAT(no_key.readStderr(), Catch::Contains("--secret-key or --usersig"));
  ChildProcess bad_flag(LIVE_CLIENT_PATH, {"destroy-room", "--concurrency", "0"});
  CHECK(bad_flag.wait(5000) == 64);
}

TEST_CASE("usersig prints a UserSig for the flags given, over the environment") {
  ChildProcess client(LIVE_CLIENT_PATH, {"usersig", "--identifier", "ops", "--expire", "60"},
                      {"LIVE_SDKAPPID=88888888", "LIVE_IDENTIFIER=admin", "LIVE_SECRET_KEY=k"});
  const std::string usersig = client.readLine(5000);
  CHECK(client.wait(5000) == 0);
  const auto claims = live::protocol::decodeUserSig(usersig);
  REQUIRE(claims.ok());
  CHECK(claims.value().identifier == "ops");
  CHECK(claims.value().expire == 60);
  CHECK(live::protocol::userSigSignatureMatches(claims.value(), "k"));
}

TEST_CASE("verify-usersig says which check fails: claim, expected vs found, expired when") {
  const std::string usersig =
      live::protocol::generateUserSig({88888888, "right-key", "ops", 1700000000, 60, std::nullopt});
  ChildProcess valid(LIVE_CLIENT_PATH, {"verify-usersig", usersig, "--sdkappid", "88888888",
                                        "--identifier", "ops", "--secret-key", "right-key", "--now",
                                        "1700000060"});
  CHECK(valid.wait(5000) == 0);
  CHECK_THAT(valid.readStdout(), Catch::EndsWith("verdict: valid\n"));

  ChildProcess invalid(LIVE_CLIENT_PATH, {"verify-usersig", usersig, "--sdkappid", "1400000000",
                                          "--identifier", "admin", "--secret-key", "wrong-key",
                                          "--now", "1700000061"});
  CHECK(invalid.wait(5000) == 1);
  const std::string report = invalid.readStdout();
  CHECK_THAT(report, Catch::Contains("sdkappid: MISMATCH: issued for 88888888, expected 1400000000 (70014)"));
  CHECK_THAT(report, Catch::Contains("identifier: MISMATCH: issued for \"ops\", expected \"admin\" (70013)"));
  CHECK_THAT(report, Catch::Contains("expiry: EXPIRED: valid until 1700000060"));
  CHECK_THAT(report, Catch::Contains("signature: MISMATCH"));
  CHECK_THAT(report, Catch::Contains("TLS.identifier:ops\\nTLS.sdkappid:88888888"));
  CHECK(report.find("right-key") == std::string::npos);

  ChildProcess garbage(LIVE_CLIENT_PATH, {"verify-usersig", "not-a-usersig!"});
  CHECK(garbage.wait(5000) == 1);
  CHECK_THAT(garbage.readStdout(), Catch::Contains("decode: FAILED"));
}

TEST_CASE("live-client --help ends with the docs page to read and accepts an IPv6 endpoint in brackets") {
  ChildProcess help(LIVE_CLIENT_PATH, {"--help"});
  CHECK(help.wait(10000) == 0);
  CHECK_THAT(help.readStdout(), Catch::EndsWith("\nDocumentation: docs/live-client.md\n"));

  // The emulator prints http://[::1]:PORT for --host ::1; live-client takes it as it is.
  live::testing::TestServer server;  // listens on 127.0.0.1 only: the call fails to connect, but the
                                     // endpoint itself is accepted (exit 2, not 64)
  ChildProcess client(LIVE_CLIENT_PATH,
                      {"destroy-room", "live-room", "--max-attempts", "1", "--endpoint",
                       "http://[::1]:" + std::to_string(server.port())},
                      {"LIVE_SDKAPPID=88888888", "LIVE_IDENTIFIER=admin", "LIVE_SECRET_KEY=emulator-secret-key"});
  CHECK(client.wait(10000) == 2);
  const auto output = lines(client.readStdout());
  REQUIRE(output.size() == 1);
  CHECK(output[0]["transport"] == "connect");
}

TEST_CASE("create-room, get-room, update-room, room-stats and list-rooms: a JSON line each, exit codes") {
  live::testing::TestServer server;
  const auto run = [&server](std::vector<std::string> arguments, int expected_exit) {
    ChildProcess client(LIVE_CLIENT_PATH, std::move(arguments), environmentFor(server));
    CHECK(client.wait(20000) == expected_exit);
    return lines(client.readStdout());
  };
  auto output = run({"create-room", "new", "--name", "Show", "--info", R"({"CoverURL":"https://c"})"}, 0);
  REQUIRE(output.size() == 1);
  CHECK(output[0]["api"] == "create_room");
  CHECK(output[0]["outcome"] == "ok");
  output = run({"get-room", "new"}, 0);
  REQUIRE(output.size() == 1);
  CHECK(output[0]["Response"]["RoomInfo"]["RoomName"] == "Show");
  CHECK(output[0]["Response"]["RoomInfo"]["CoverURL"] == "https://c");
  CHECK(run({"update-room", "new", "--info", R"({"Notice":"hi"})"}, 0)[0]["outcome"] == "ok");
  CHECK(run({"room-stats", "new"}, 0)[0]["Response"]["TotalViewers"] == 0);
  output = run({"list-rooms", "--count", "1"}, 0);
  REQUIRE(output.size() == 2);  // live-room and new, one page each
  CHECK(output[0].contains("ViewCount"));
  CHECK(run({"get-room", "missing"}, 1)[0]["ErrorCode"] == 100004);
  ChildProcess bad(LIVE_CLIENT_PATH, {"update-room", "new", "--info", "[1]"}, environmentFor(server));
  CHECK(bad.wait(10000) == 64);
  CHECK_THAT(bad.readStderr(), Catch::Contains("--info must be a JSON object"));
}
