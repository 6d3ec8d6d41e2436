// Envelope: the seed's field order, parsing in any order, and the RequestId shape.
#include "protocol/envelope.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <vector>

#include "protocol/base64.h"
#include "protocol/json_limits.h"

using namespace live::protocol;

TEST_CASE("success envelope is byte-for-byte the seed's shape") {
  Envelope envelope;
  envelope.request_id = "Id-8c9858f01e954611ae2d4c1b1ed7d583-O-Seq-52720";
  CHECK(serializeEnvelope(envelope) ==
        R"({"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"RequestId":"Id-8c9858f01e954611ae2d4c1b1ed7d583-O-Seq-52720"})");
}

TEST_CASE("failure envelope escapes ErrorInfo and says FAIL") {
  Envelope envelope{100002, "RoomId \"x\" is\ttoo long", "Id-0-O-Seq-1", ""};
  const auto body = serializeEnvelope(envelope);
  CHECK(body ==
        R"({"ActionStatus":"FAIL","ErrorInfo":"RoomId \"x\" is\ttoo long","ErrorCode":100002,"RequestId":"Id-0-O-Seq-1"})");
  const auto parsed = parseEnvelope(body);
  REQUIRE(parsed.ok());
  CHECK(parsed.value().error_code == 100002);
  CHECK(parsed.value().error_info == "RoomId \"x\" is\ttoo long");
}

TEST_CASE("the IM envelope: ActionStatus, ErrorInfo, ErrorCode, then the data at the top level, in both styles") {
  Envelope envelope{0, "", "Id-0-O-Seq-1", R"("ResultItem":[])", true, true};
  for (const auto style : {ResponseStyle::k2024, ResponseStyle::kCurrent}) {
    CHECK(serializeEnvelope(envelope, style) == R"({"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"ResultItem":[]})");
  }
  envelope = Envelope{70402, "bad \"UserID\"", "Id-0-O-Seq-2", "", false, true};
  CHECK(serializeEnvelope(envelope, ResponseStyle::kCurrent) ==
        R"({"ActionStatus":"FAIL","ErrorInfo":"bad \"UserID\"","ErrorCode":70402})");
}

TEST_CASE("parseEnvelope accepts any field order and rejects contradictions") {
  CHECK(parseEnvelope(R"({"ErrorCode":0,"RequestId":"r","ActionStatus":"OK","ErrorInfo":""})").ok());
  CHECK_FALSE(parseEnvelope(R"({"ActionStatus":"OK","ErrorCode":100004})").ok());
  CHECK_FALSE(parseEnvelope(R"({"ActionStatus":"OK"})").ok());
  CHECK_FALSE(parseEnvelope("<html>502 Bad Gateway</html>").ok());
  CHECK_FALSE(parseEnvelope("[]").ok());
}

TEST_CASE("RequestId shape") {
  CHECK(isWellFormedRequestId("Id-8c9858f01e954611ae2d4c1b1ed7d583-O-Seq-52720"));
  CHECK_FALSE(isWellFormedRequestId("Id-8C9858F01E954611AE2D4C1B1ED7D583-O-Seq-52720"));
  CHECK_FALSE(isWellFormedRequestId("Id-8c9858f01e954611ae2d4c1b1ed7d58-O-Seq-52720"));
  CHECK_FALSE(isWellFormedRequestId("Id-8c9858f01e954611ae2d4c1b1ed7d583-O-Seq-"));
  CHECK_FALSE(isWellFormedRequestId("Id-8c9858f01e954611ae2d4c1b1ed7d583-O-Seq-5x"));
}

TEST_CASE("RequestIds are well formed, unique and increasing, across threads") {
  RequestIdGenerator generator;
  std::vector<std::vector<RequestIdGenerator::Issued>> per_thread(4);
  std::vector<std::thread> threads;
  for (auto& issued : per_thread) {
    threads.emplace_back([&generator, &issued] {
      for (int i = 0; i < 1000; ++i) issued.push_back(generator.next());
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<std::string> ids;
  std::set<std::uint64_t> seqs;
  for (const auto& issued : per_thread) {
    for (std::size_t i = 0; i < issued.size(); ++i) {
      CHECK(isWellFormedRequestId(issued[i].request_id));
      if (i > 0) CHECK(issued[i].seq > issued[i - 1].seq);
      ids.insert(issued[i].request_id);
      seqs.insert(issued[i].seq);
    }
  }
  CHECK(ids.size() == 4000);
  CHECK(seqs.size() == 4000);
}

TEST_CASE("base64 is strict about alphabet, padding and length") {
  CHECK(base64Decode("YWJj") == std::optional<std::string>("abc"));
  CHECK(base64Decode("YWI=") == std::optional<std::string>("ab"));
  CHECK(base64Decode("YWI") == std::optional<std::string>("ab"));
  CHECK(base64Decode("YQ==") == std::optional<std::string>("a"));
  CHECK(base64Decode("YQ") == std::optional<std::string>("a"));
  CHECK(base64Decode("") == std::optional<std::string>(""));
  CHECK_FALSE(base64Decode("Y"));
  CHECK_FALSE(base64Decode("YW=J"));
  CHECK_FALSE(base64Decode(" YWJj"));
  CHECK_FALSE(base64Decode("YWJ==="));
  CHECK_FALSE(base64Decode("YQ="));
  CHECK(base64Encode("ab") == "YWI=");
}

TEST_CASE("ErrorInfo with quotes, backslashes, control bytes, UTF-8 and invalid bytes is valid JSON") {
  for (const std::string& info : {std::string("plain words"), std::string("a \"quoted\" \\ path"),
                                 std::string("tab\there\nnewline"), std::string("房间 \xe2\x9c\x93"),
                                 std::string("bad \xff\xfe bytes"), std::string(1, '\0')}) {
    Envelope envelope{100002, info, "Id-0-O-Seq-1", ""};
    const auto parsed = parseEnvelope(serializeEnvelope(envelope));
    INFO(info);
    REQUIRE(parsed.ok());
    if (info.find('\xff') == std::string::npos) CHECK(parsed.value().error_info == info);
  }
}

TEST_CASE("parseUntrustedJson reads a flat {\"key\":\"value\"} body exactly as the parser would") {
  for (const std::string text :
       {R"({"RoomId":"live-room"})", R"({"RoomId":""})", R"({"":"x"})", "{\"RoomId\":\"\xC3\xA9t\xC3\xA9\"}",
        R"({"RoomId":"a\"b"})", R"({"RoomId":"a\\b"})", R"({"RoomId":"a","x":"b"})", R"({"RoomId":"a"} )",
        R"( {"RoomId":"a"})", R"({"RoomId":"a":"b"})", "{\"RoomId\":\"\xff\"}", R"({"a":"b"}})",
        R"({"RoomId":"x\u0000y"})", R"({"RoomId":1})"}) {
    INFO(text);
    const auto fast = live::protocol::parseUntrustedJson(text);
    const auto reference = nlohmann::json::parse(text, nullptr, false);
    CHECK(fast.ok() == !reference.is_discarded());
    if (fast.ok() && !reference.is_discarded()) CHECK(fast.value() == reference);
  }
}

TEST_CASE("the current style: ErrorCode first, Response after RequestId, and only in that style") {
  Envelope envelope;
  envelope.request_id = "Id-8c9858f01e954611ae2d4c1b1ed7d583-O-Seq-52720";
  envelope.extra_members = R"("Response":{"Statistic":{"TotalViewers":1}})";
  CHECK(serializeEnvelope(envelope, ResponseStyle::kCurrent) ==
        R"({"ErrorCode":0,"ErrorInfo":"","ActionStatus":"OK","RequestId":"Id-8c9858f01e954611ae2d4c1b1ed7d583-O-Seq-52720","Response":{"Statistic":{"TotalViewers":1}}})");
  // The 2024 page shows four members only.
  CHECK(serializeEnvelope(envelope, ResponseStyle::k2024) ==
        R"({"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"RequestId":"Id-8c9858f01e954611ae2d4c1b1ed7d583-O-Seq-52720"})");
  // A command's data (get_room_info's, ...) is in both styles.
  envelope.extra_members_in_every_style = true;
  CHECK(serializeEnvelope(envelope, ResponseStyle::k2024) ==
        R"({"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"RequestId":"Id-8c9858f01e954611ae2d4c1b1ed7d583-O-Seq-52720","Response":{"Statistic":{"TotalViewers":1}}})");
  envelope.extra_members_in_every_style = false;
  envelope.extra_members.clear();
  envelope.error_code = 100004;
  envelope.error_info = "gone";
  CHECK(serializeEnvelope(envelope, ResponseStyle::kCurrent) ==
        R"({"ErrorCode":100004,"ErrorInfo":"gone","ActionStatus":"FAIL","RequestId":"Id-8c9858f01e954611ae2d4c1b1ed7d583-O-Seq-52720"})");
  // Both parse back the same way.
  const auto parsed = parseEnvelope(serializeEnvelope(envelope, ResponseStyle::kCurrent));
  REQUIRE(parsed.ok());
  CHECK(parsed.value().error_code == 100004);
  CHECK(responseStyleFromString("current") == ResponseStyle::kCurrent);
  CHECK(responseStyleFromString("2024") == ResponseStyle::k2024);
  CHECK_FALSE(responseStyleFromString("Current").has_value());
}
