// ElasticThreadPool: spawn-on-demand workers behind one mutex and condition variable.
#include "http/elastic_thread_pool.h"

#include <pthread.h>

namespace live::http {

ElasticThreadPool::ElasticThreadPool(std::size_t max_threads)
    : max_threads_(max_threads == 0 ? 1 : max_threads) {}

ElasticThreadPool::~ElasticThreadPool() { shutdown(); }

void ElasticThreadPool::enqueue(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    if (shutting_down_) return;
    tasks_.push_back(std::move(task));
    if (idle_ < tasks_.size() && threads_.size() < max_threads_) {
      threads_.emplace_back([this] { work(); });
    }
  }
  ready_.notify_one();
}

void ElasticThreadPool::work() {
  pthread_setname_np(pthread_self(), "http-worker");  // scripts/profile tells threads apart by name
  std::unique_lock lock(mutex_);
  for (;;) {
    ++idle_;
    ready_.wait(lock, [this] { return shutting_down_ || !tasks_.empty(); });
    --idle_;
    if (tasks_.empty()) return;  // shutting down and drained
    auto task = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    task();
    lock.lock();
  }
}

void ElasticThreadPool::shutdown() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    shutting_down_ = true;
  }
  ready_.notify_all();
  {
    // Workers never start new threads, so after shutting_down_ the list only shrinks here.
    std::lock_guard lock(mutex_);
    threads.swap(threads_);
  }
  for (auto& thread : threads) thread.join();
}

std::size_t ElasticThreadPool::threadCount() const {
  std::lock_guard lock(mutex_);
  return threads_.size();
}

}  // namespace live::http
