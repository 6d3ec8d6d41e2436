// The emulator's domain, whole: apps, rooms, clock, rate limiter and the check chain, behind one
// call that turns an ApiCall into the vendor's answer. Knows nothing of HTTP. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "domain/call.h"
#include "domain/check_chain.h"
#include "domain/clock.h"
#include "domain/config.h"
#include "domain/rate_limiter.h"
#include "domain/room_store.h"
#include "protocol/envelope.h"

namespace live::domain {

struct EmulatorOptions {
  bool lenient_random = false;              // --lenient
  std::optional<std::uint32_t> rate_limit;  // --rate-limit: overrides every API's limit
  std::optional<Instant> frozen_clock;      // start, and reset, with the clock frozen here
};

// The vendor's answer to one call.
struct ApiAnswer {
  int http_status = 200;
  protocol::Envelope envelope;
  std::string body;  // the serialised envelope
};

class Emulator {
 public:
  Emulator(EmulatorConfig config, EmulatorOptions options);
  Emulator(const Emulator&) = delete;
  Emulator& operator=(const Emulator&) = delete;

  // Runs the checks of destroy_room.md section 3 and, if they pass, the API's operation.
  ApiAnswer handle(const ApiCall& call);

  // Returns every stateful part (rooms, limiter, clock) to its configured initial state.
  void reset();

  const EmulatorConfig& config() const { return config_; }
  EmulatorClock& clock() { return clock_; }
  RoomStore& rooms() { return *rooms_; }
  // The limit in force for `api` (per app, per second; 0 = off).
  std::uint32_t rateLimit(const Api& api) const { return checks_->limitFor(api); }

 private:
  // Parts that reset() must reach, in the order they are reset.
  std::vector<Resettable*> resettables() { return {&clock_, rooms_.get(), &limiter_}; }

  const EmulatorConfig config_;
  const EmulatorOptions options_;
  EmulatorClock clock_;
  RateLimiter limiter_;
  std::unique_ptr<RoomStore> rooms_;
  std::unique_ptr<CheckChain> checks_;
  protocol::RequestIdGenerator request_ids_;
};

}  // namespace live::domain
