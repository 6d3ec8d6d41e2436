#include "http/callback_dispatcher.h"

#include <fmt/format.h>
#include <httplib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace live::http {
namespace {

// "https://host:port/path?query" split into the client's base and the request target.
struct Target {
  std::string base;
  std::string path;
};

Target splitUrl(const std::string& url) {
  const auto host_start = url.find("://") + 3;
  const auto path_start = url.find_first_of("/?", host_start);
  if (path_start == std::string::npos) return {url, "/"};
  const std::string rest = url.substr(path_start);
  return {url.substr(0, path_start), rest.front() == '?' ? std::string("/") + rest : rest};
}

}  // namespace

CallbackDispatcher::CallbackDispatcher(domain::CallbackLog& log, RequestLog& request_log,
                                       CallbackDispatchSettings settings)
    : log_(log), request_log_(request_log), settings_(settings) {}

CallbackDispatcher::~CallbackDispatcher() { stop(); }

bool CallbackDispatcher::enqueue(domain::OutgoingCallback callback) {
  std::lock_guard lock(mutex_);
  if (stopping_) return false;
  auto& lane = lanes_[callback.sdkappid];
  if (!lane) {
    lane = std::make_unique<Lane>();
    Lane* created = lane.get();
    created->sender = std::thread([this, created] { run(*created); });
  }
  if (lane->queue.size() >= settings_.queue_per_app) return false;
  lane->queue.push_back(std::move(callback));
  lane->wake.notify_one();
  return true;
}

void CallbackDispatcher::stop() {
  std::vector<Lane*> lanes;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    for (auto& [sdkappid, lane] : lanes_) {
      // Cuts off a delivery in flight (an idle kept-alive connection is closed just the same).
      if (lane->socket >= 0) ::shutdown(lane->socket, SHUT_RDWR);
      lane->wake.notify_all();
      lanes.push_back(lane.get());
    }
  }
  for (Lane* lane : lanes) {
    if (lane->sender.joinable()) lane->sender.join();
  }
}

void CallbackDispatcher::run(Lane& lane) {
  // Callbacks are background work: the sender runs at the lowest priority (nice 19, chosen), so
  // that on a busy machine the destroy answers come first and callbacks wait (or overflow, recorded).
  ::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), 19);
  for (;;) {
    domain::OutgoingCallback callback;
    {
      std::unique_lock lock(mutex_);
      lane.wake.wait(lock, [&] { return stopping_ || !lane.queue.empty(); });
      if (stopping_) {
        for (const auto& left : lane.queue) log_.complete(left.id, "failed", 0, "", 0, "the emulator stopped first");
        lane.queue.clear();
        return;
      }
      callback = std::move(lane.queue.front());
      lane.queue.pop_front();
      // A delay fault holds this app's later callbacks too: they are sent in order.
      if (callback.delay.count() > 0 &&
          lane.wake.wait_for(lock, callback.delay, [&] { return stopping_; })) {
        log_.complete(callback.id, "failed", 0, "", 0, "the emulator stopped first");
        continue;
      }
    }
    deliver(lane, callback);
  }
}

void CallbackDispatcher::deliver(Lane& lane, const domain::OutgoingCallback& callback) {
  const Target target = splitUrl(callback.work->url());
  if (!lane.client || lane.base != target.base) {
    {
      std::lock_guard lock(mutex_);
      lane.socket = -1;  // the old connection closes with its client
    }
    lane.client = std::make_unique<httplib::Client>(target.base);
    lane.base = target.base;
    lane.client->set_tcp_nodelay(true);
    lane.client->set_keep_alive(true);
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(settings_.timeout);
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(settings_.timeout - seconds);
    lane.client->set_connection_timeout(seconds.count(), micros.count());
    lane.client->set_read_timeout(seconds.count(), micros.count());
    lane.client->set_write_timeout(seconds.count(), micros.count());
    lane.client->set_socket_options([this, &lane](int sock) {
      std::lock_guard lock(mutex_);
      lane.socket = sock;
    });
  }
  httplib::Client& client = *lane.client;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      log_.complete(callback.id, "failed", 0, "", 0, "the emulator stopped first");
      return;
    }
  }
  const auto started = std::chrono::steady_clock::now();
  auto result = client.Post(target.path, callback.work->body(), "application/json");
  const auto latency = std::chrono::steady_clock::now() - started;
  const double latency_ms = std::chrono::duration<double, std::milli>(latency).count();
  if (result) {
    log_.complete(callback.id, "delivered", result->status, result->body, latency_ms, "");
  } else {
    log_.complete(callback.id, "failed", 0, "", latency_ms,
                  fmt::format("no answer: {}", httplib::to_string(result.error())));
    std::lock_guard lock(mutex_);
    lane.client.reset();  // a fresh connection for the next one
    lane.socket = -1;
  }
  request_log_.writeCallback(callback.id, callback.command, callback.sdkappid, callback.room_id,
                             result ? result->status : 0, latency);
}

}  // namespace live::http
