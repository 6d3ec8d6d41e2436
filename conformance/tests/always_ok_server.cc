// A deliberately wrong implementation of the API for the conformance suite's own test: it answers
// every request, on every path, with HTTP 200 and a success envelope. Prints "listening on URL".
#include <httplib.h>

#include <cstdio>

int main() {
  httplib::Server server;
  server.set_tcp_nodelay(true);
  const auto ok = [](const httplib::Request&, httplib::Response& response) {
    response.set_content(R"({"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,)"
                         R"("RequestId":"Id-00000000000000000000000000000000-O-Seq-1"})",
                         "application/json");
  };
  for (const char* pattern : {".*"}) {
    server.Get(pattern, ok);
    server.Post(pattern, ok);
    server.Put(pattern, ok);
    server.Delete(pattern, ok);
  }
  const int port = server.bind_to_any_port("127.0.0.1");
  std::printf("listening on http://127.0.0.1:%d\n", port);
  std::fflush(stdout);
  server.listen_after_bind();
}
