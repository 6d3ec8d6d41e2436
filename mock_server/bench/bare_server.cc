// The ceiling of our HTTP stack, for scripts/bench: cpp-httplib configured exactly as the
// emulator's HttpServer (TCP_NODELAY, keep-alive cap, a worker per connection), answering every
// POST with a fixed vendor envelope and doing nothing else.
#include <httplib.h>

#include <csignal>
#include <cstdio>
#include <limits>

#include "http/elastic_thread_pool.h"

int main() {
  std::signal(SIGPIPE, SIG_IGN);
  httplib::Server server;
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(1'000'000);
  server.set_keep_alive_timeout(5);
  server.new_task_queue = [] { return new live::http::ElasticThreadPool(1024); };
  const std::string envelope =
      R"json({"ActionStatus":"FAIL","ErrorInfo":"room \"bench-missing-room\" does not exist in app 88888888 (never created, or already destroyed)","ErrorCode":100004,"RequestId":"Id-8c9858f01e954611ae2d4c1b1ed7d583-O-Seq-52720"})json";
  server.Post(R"(/v4/.*)", [&envelope](const httplib::Request&, httplib::Response& response) {
    response.set_content(envelope, "application/json");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  std::printf("bare-server listening on http://127.0.0.1:%d\n", port);
  std::fflush(stdout);
  server.listen_after_bind();
}
