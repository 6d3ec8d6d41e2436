// Wakes control calls that wait for something to be recorded (POST /__emulator/verify with
// wait_ms): the journal and the callback log notify it after each record. While nobody waits, a
// notification is one atomic load, so the destroy hot path does not pay for the feature.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace live::domain {

class ChangeSignal {
 public:
  void notify() {
    if (waiters_.load() == 0) return;
    {
      std::lock_guard lock(mutex_);
      ++generation_;
    }
    changed_.notify_all();
  }

  // Evaluates `done()` until it returns true, or `deadline` (real time: what a test waits for is
  // other code, not the emulator's clock) passes, or stop() is called; re-evaluates after each
  // notification and never polls. Returns the last evaluation.
  template <class Done>
  bool waitUntil(std::chrono::steady_clock::time_point deadline, Done&& done) {
    waiters_.fetch_add(1);
    struct Leave {
      std::atomic<int>& waiters;
      ~Leave() { waiters.fetch_sub(1); }
    } leave{waiters_};
    for (;;) {
      std::uint64_t seen = 0;
      {
        std::lock_guard lock(mutex_);
        seen = generation_;
        if (stopped_) return done();
      }
      // A record made after `seen` was read either shows in this evaluation or bumps the
      // generation (waiters_ is already counted), so the wait below cannot miss it.
      if (done()) return true;
      std::unique_lock lock(mutex_);
      if (!changed_.wait_until(lock, deadline, [&] { return generation_ != seen || stopped_; })) {
        lock.unlock();
        return done();
      }
    }
  }

  // Ends every wait now and every later one at once (the emulator is shutting down).
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopped_ = true;
    }
    changed_.notify_all();
  }

 private:
  std::atomic<int> waiters_{0};
  std::mutex mutex_;
  std::condition_variable changed_;
  std::uint64_t generation_ = 0;  // guarded by mutex_
  bool stopped_ = false;          // guarded by mutex_
};

}  // namespace live::domain
