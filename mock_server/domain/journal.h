// The request journal: every vendor-API call (never control calls), oldest first, in a bounded
// ring of the most recent entries. What a developer reads when production-like behaviour
// surprises them: what arrived, what the UserSig said, and what was answered.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/change_signal.h"
#include "domain/time/clock.h"
#include "domain/rooms/model.h"
#include "domain/resettable.h"
#include "protocol/usersig.h"

namespace live::domain {

// Bodies are kept up to this size in the journal; longer ones are cut and marked.
inline constexpr std::size_t kJournalBodyBytes = 64 * 1024;

struct JournalEntry {
  std::uint64_t seq = 0;  // the Seq of the RequestId issued for this call
  Instant time{};         // on the emulator's clock: the rate limiter's decision for calls that
                          // reached it (row 17), the arrival otherwise
  std::string method;
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;
  std::string body;  // as received, cut at kJournalBodyBytes
  bool body_truncated = false;
  std::string peer;
  std::string content_type;  // the request's Content-Type header, as sent
  // What the checks learned.
  std::string api;  // empty when the path named no API
  std::optional<SdkAppId> sdkappid;
  std::string identifier;
  std::string room_id;
  std::shared_ptr<const protocol::UserSigClaims> usersig_claims;
  std::string usersig_problem;  // why it did not decode, or the text that should have been signed
  std::vector<std::string> ignored;  // body members the command read past ("KeepOwnerOnSeat", "RoomInfo.X")
  // What was answered.
  std::int64_t error_code = 0;
  std::string request_id;
  int http_status = 200;
  std::string response_body;  // empty when nothing was sent
  bool response_is_json = false;  // the body is the vendor's envelope (shown as JSON, not a string)
  bool dropped = false;
  std::string_view cut;  // "truncate_body" or "reset_midway" when only part of the answer was sent
  std::int64_t delay_ms = 0;
  std::int64_t handled_us = 0;  // the emulator's own time on the call (steady clock), delay excluded
  std::optional<std::uint64_t> fault_id;
  // Set for what the emulator did by itself rather than answer a call: "DestroyBySystem" with its
  // reason ("empty_room", "owner_left", "owner_heartbeat_lost"). Such an entry has no request.
  std::string event;
  std::string reason;
};

struct JournalFilter {
  std::optional<std::string> api;
  std::optional<SdkAppId> sdkappid;
  std::optional<std::string> room_id;
};

// Appends the entry's JSON object to `out` (docs/control-api.md, "Journal"). Written directly, not
// through a JSON document: a full journal is 10,000 entries and is read while traffic runs.
void appendJournalEntryJson(const JournalEntry& entry, std::string& out);
nlohmann::json journalEntryToJson(const JournalEntry& entry);  // the same, parsed (for tests)

class Journal final : public Resettable {
 public:
  // Keeps at most `capacity` entries (at least 1); notifies `signal`, when given, of each record.
  Journal(ResetRegistry& registry, std::size_t capacity, ChangeSignal* signal = nullptr);

  void record(JournalEntry entry);  // thread-safe
  // Marks `seq` as one that will never be recorded (its call ended in an exception), so that
  // pollers move past it instead of waiting for it forever. Thread-safe.
  void abandon(std::uint64_t seq);
  // Copies of the entries that match, in seq order.
  std::vector<JournalEntry> entries(const JournalFilter& filter = {}) const;
  // The entries that match with seq > after_seq, in seq order, at most `limit`, shared rather than
  // copied. With `after_seq`, only entries up to the last seq below which every call is recorded:
  // calls finish out of order by microseconds, and a poller that moved past a gap would never see
  // the entry that fills it.
  struct Selection {
    std::vector<std::shared_ptr<const JournalEntry>> entries;
    std::uint64_t last_seq = 0;  // where the next poll should continue (after_seq when nothing new)
  };
  // `newest` keeps the last `limit` entries instead of the first (a dashboard opening on a full
  // journal shows its most recent calls).
  Selection select(const JournalFilter& filter, std::optional<std::uint64_t> after_seq,
                   std::size_t limit, bool newest = false) const;
  void clear();
  // Removes one app's entries only.
  void clear(SdkAppId sdkappid);
  void reset() override { clear(); }
  void resetApp(SdkAppId sdkappid) override { clear(sdkappid); }
  std::size_t capacity() const { return capacity_; }

 private:
  const std::size_t capacity_;
  ChangeSignal* const signal_;
  mutable std::mutex mutex_;
  std::deque<std::shared_ptr<const JournalEntry>> entries_;  // guarded by mutex_
  // Every seq up to complete_seq_ is recorded; recorded seqs above it wait in pending_seqs_.
  std::uint64_t complete_seq_ = 0;           // guarded by mutex_
  std::set<std::uint64_t> pending_seqs_;     // guarded by mutex_
  void complete(std::uint64_t seq);          // mutex_ held
};

}  // namespace live::domain
