// A deliberately wrong implementation of the API for the conformance suite's own test: every
// vendor-API request gets HTTP 200 and a success envelope. It serves the control calls the suite
// needs just well enough for the cases to run (an empty room list, a real clock, 200 for the
// rest), so that what fails is the answers themselves. Prints "listening on URL".
#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  // --gateway-error: every vendor-API request gets HTTP 502 and a gateway's HTML page instead.
  const bool gateway_error = argc > 1 && std::string(argv[1]) == "--gateway-error";
  httplib::Server server;
  server.set_tcp_nodelay(true);
  const auto ok = [gateway_error](const httplib::Request&, httplib::Response& response) {
    if (gateway_error) {
      response.status = 502;
      response.set_content("<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html");
      return;
    }
    response.set_content(R"({"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,)"
                         R"("RequestId":"Id-00000000000000000000000000000000-O-Seq-1"})",
                         "application/json");
  };
  server.Get("/__emulator/clock", [](const httplib::Request&, httplib::Response& response) {
    const auto now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    response.set_content(R"({"now":)" + std::to_string(now) + R"(,"mode":"real"})", "application/json");
  });
  server.Get("/__emulator/rooms", [](const httplib::Request&, httplib::Response& response) {
    response.set_content(R"({"rooms":[]})", "application/json");
  });
  server.Post("/__emulator/.*", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("{}", "application/json");
  });
  server.Get(".*", ok);
  server.Post(".*", ok);
  server.Put(".*", ok);
  server.Delete(".*", ok);
  const int port = server.bind_to_any_port("127.0.0.1");
  std::printf("listening on http://127.0.0.1:%d\n", port);
  std::fflush(stdout);
  server.listen_after_bind();
}
