// Emulator wiring: limits resolved once (flag > config > documented), rooms stamped with the load
// time, and handle() as checks -> operation -> envelope.
#include "domain/emulator.h"

namespace live::domain {
namespace {

EmulatorClock makeClock(const EmulatorOptions& options) {
  return options.frozen_clock ? EmulatorClock(*options.frozen_clock) : EmulatorClock();
}

std::vector<std::uint32_t> resolveLimits(const EmulatorConfig& config,
                                         const EmulatorOptions& options) {
  std::vector<std::uint32_t> limits;
  for (const Api* api : emulatedApis()) {
    std::uint32_t limit = api->documentedRateLimit();
    if (const auto it = config.rate_limits.find(api->name()); it != config.rate_limits.end()) {
      limit = it->second;
    }
    if (options.rate_limit) limit = *options.rate_limit;
    limits.push_back(limit);
  }
  return limits;
}

std::vector<Room> initialRooms(const EmulatorConfig& config, Instant load_time) {
  std::vector<Room> rooms;
  rooms.reserve(config.rooms.size());
  for (const auto& configured : config.rooms) {
    Room room = configured.room;
    if (!configured.has_create_time) room.create_time = unixSeconds(load_time);
    rooms.push_back(std::move(room));
  }
  return rooms;
}

}  // namespace

Emulator::Emulator(EmulatorConfig config, EmulatorOptions options)
    : config_(std::move(config)),
      options_(options),
      clock_(makeClock(options_)),
      limiter_(clock_),
      rooms_(std::make_unique<RoomStore>(config_.apps, initialRooms(config_, clock_.now()))),
      checks_(std::make_unique<CheckChain>(config_.apps, resolveLimits(config_, options_), limiter_,
                                           CheckOptions{options_.lenient_random})) {}

ApiAnswer Emulator::handle(const ApiCall& call) {
  CallContext context(call, clock_.now());
  Outcome outcome;
  if (auto failure = checks_->run(context)) {
    outcome = std::move(*failure);
  } else {
    outcome = context.api->apply(context, *rooms_);
  }

  ApiAnswer answer;
  answer.envelope.error_code = protocol::toInt(outcome.code);
  answer.envelope.error_info = std::move(outcome.error_info);
  answer.envelope.extra_members = std::move(outcome.extra_members);
  answer.envelope.request_id = request_ids_.next().request_id;
  answer.body = protocol::serializeEnvelope(answer.envelope);
  return answer;
}

void Emulator::reset() {
  for (Resettable* part : resettables()) part->reset();
}

}  // namespace live::domain
