// The server suite's own webhook receiver (docs/conformance.md, "Callbacks"): an HTTP server on a
// free port that records every request it gets and answers the documented OK. Each case has its own
// path under it, so a late callback of one case is never taken for another's.
#pragma once

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace live::conformance {

class CallbackReceiver {
 public:
  struct Received {
    std::string method;
    std::string path;
    std::vector<std::pair<std::string, std::string>> query;  // in the order sent, decoded
    std::string body;
  };

  // Listens on `bind_host` (port 0: a free port); `advertised_host` is the host the target is told
  // to call (the same unless the target runs elsewhere, e.g. in a container).
  CallbackReceiver(const std::string& bind_host, std::string advertised_host);
  ~CallbackReceiver();
  CallbackReceiver(const CallbackReceiver&) = delete;
  CallbackReceiver& operator=(const CallbackReceiver&) = delete;

  bool listening() const { return port_ > 0; }
  // The URL a case configures: http://<advertised host>:<port>/cb/<case name>
  std::string urlFor(const std::string& case_name) const;

  // What arrived at `case_name`'s path. Waits (bounded by `within`) until at least `count` arrived,
  // then `quiet` longer for any more: a server that sends one callback too many is seen.
  std::vector<Received> collect(const std::string& case_name, std::size_t count, std::chrono::milliseconds within,
                                std::chrono::milliseconds quiet);

 private:
  std::vector<Received> matching(const std::string& path) const;  // with mutex_ held

  std::string advertised_host_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<Received> received_;
};

}  // namespace live::conformance
