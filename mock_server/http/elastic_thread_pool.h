// A task queue for cpp-httplib that grows with demand. cpp-httplib's blocking model keeps one
// worker per open connection for the connection's whole keep-alive life, so its fixed pool of
// max(8, cores - 1) threads lets eight idle keep-alive connections starve every other client.
// This pool starts a worker whenever no idle one is waiting, up to a cap, and keeps finished
// workers for reuse.
#pragma once

#include <httplib.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace live::http {

class ElasticThreadPool final : public httplib::TaskQueue {
 public:
  // `max_threads` bounds concurrent connections being served; beyond it, work waits in a queue.
  explicit ElasticThreadPool(std::size_t max_threads);
  ~ElasticThreadPool() override;

  // Thread-safe.
  void enqueue(std::function<void()> task) override;
  // Runs every queued task to completion, then joins the workers. Idempotent.
  void shutdown() override;

  std::size_t threadCount() const;

 private:
  void work();

  const std::size_t max_threads_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> tasks_;  // guarded by mutex_
  std::vector<std::thread> threads_;         // guarded by mutex_
  std::size_t idle_ = 0;                     // guarded by mutex_
  bool shutting_down_ = false;               // guarded by mutex_
};

}  // namespace live::http
