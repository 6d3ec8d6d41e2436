// Sends the emulator's callbacks (docs/webhooks.md, "Delivery"): asynchronously, never on a
// request's thread. Each app has its own bounded queue and its own sender thread, so a slow or
// dead receiver delays only its own app's callbacks, and never a vendor-API answer.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "domain/callbacks/callbacks.h"
#include "http/request_log.h"

namespace httplib {
class Client;
}

namespace live::http {

struct CallbackDispatchSettings {
  // Callbacks waiting per app (chosen: far more than a test produces; overflow is recorded).
  std::size_t queue_per_app = 256;
  // Connect, write and read timeout of one delivery (chosen: the vendor's own server-side timeout
  // for REST calls; its webhook timeout is not documented).
  std::chrono::milliseconds timeout{3000};
};

class CallbackDispatcher final : public domain::CallbackSender {
 public:
  CallbackDispatcher(domain::CallbackLog& log, RequestLog& request_log, CallbackDispatchSettings settings = {});
  ~CallbackDispatcher() override;
  CallbackDispatcher(const CallbackDispatcher&) = delete;
  CallbackDispatcher& operator=(const CallbackDispatcher&) = delete;

  bool enqueue(domain::OutgoingCallback callback) override;
  // Stops every sender: a delivery in flight is cut off, queued ones are recorded as failed.
  // Idempotent.
  void stop();

 private:
  struct Lane {
    std::deque<domain::OutgoingCallback> queue;
    std::condition_variable wake;
    std::thread sender;
    // The sender's connection, kept alive while the app's callbacks go to one base URL.
    std::string base;
    std::unique_ptr<httplib::Client> client;
    // The connection's socket, so that stop() can cut a delivery off with shutdown(2): calling
    // the client's own stop() from another thread would lock a mutex inside the library.
    int socket = -1;  // guarded by mutex_
  };
  void run(Lane& lane);
  void deliver(Lane& lane, const domain::OutgoingCallback& callback);

  domain::CallbackLog& log_;
  RequestLog& request_log_;
  const CallbackDispatchSettings settings_;
  std::mutex mutex_;
  std::map<domain::SdkAppId, std::unique_ptr<Lane>> lanes_;  // guarded by mutex_
  bool stopping_ = false;                                    // guarded by mutex_
};

}  // namespace live::http
