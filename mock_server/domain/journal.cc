// Journal storage and its JSON form (docs/control-api.md, "Journal": seq, time, method, path, query, body, usersig,
// response, plus the fields that make filtering and debugging easy).
#include "domain/journal.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <iterator>

#include "protocol/error_catalog.h"
#include "protocol/text.h"

namespace live::domain {
namespace {

using json = nlohmann::json;

// Journal strings come from the network: protocol::appendJsonString escapes quotes and control
// characters and shows invalid UTF-8 with replacement characters.
void appendString(std::string& out, std::string_view text) { protocol::appendJsonString(out, text); }

// Starts a member: a comma unless it is the object's first, then "key":.
void key(std::string& out, const char* name, bool& first) {
  if (!first) out += ',';
  first = false;
  out += '"';
  out += name;
  out += "\":";
}

template <class Number>
void number(std::string& out, Number value) {
  fmt::format_to(std::back_inserter(out), "{}", value);
}

}  // namespace

void appendJournalEntryJson(const JournalEntry& entry, std::string& out) {
  bool first = true;
  out += '{';
  key(out, "seq", first);
  number(out, entry.seq);
  key(out, "time", first);
  number(out, unixSecondsFractional(entry.time));
  key(out, "method", first);
  appendString(out, entry.method);
  key(out, "path", first);
  appendString(out, entry.path);
  key(out, "query", first);
  out += '{';
  // A repeated parameter shows every value, in order, as an array at its first position.
  bool first_parameter = true;
  for (std::size_t i = 0; i < entry.query.size(); ++i) {
    const auto& name = entry.query[i].first;
    bool seen_before = false;
    for (std::size_t j = 0; j < i && !seen_before; ++j) seen_before = entry.query[j].first == name;
    if (seen_before) continue;
    std::size_t count = 0;
    for (const auto& parameter : entry.query) count += parameter.first == name;
    if (!first_parameter) out += ',';
    first_parameter = false;
    appendString(out, name);
    out += ':';
    if (count == 1) {
      appendString(out, entry.query[i].second);
      continue;
    }
    out += '[';
    bool first_value = true;
    for (const auto& parameter : entry.query) {
      if (parameter.first != name) continue;
      if (!first_value) out += ',';
      first_value = false;
      appendString(out, parameter.second);
    }
    out += ']';
  }
  out += '}';
  key(out, "body", first);
  appendString(out, entry.body);
  key(out, "content_type", first);
  appendString(out, entry.content_type);
  key(out, "usersig", first);
  if (entry.usersig_claims) {
    const auto& claims = *entry.usersig_claims;
    bool first_claim = true;
    out += '{';
    key(out, "TLS.ver", first_claim);
    appendString(out, claims.version);
    key(out, "TLS.identifier", first_claim);
    appendString(out, claims.identifier);
    key(out, "TLS.sdkappid", first_claim);
    number(out, claims.sdkappid);
    key(out, "TLS.time", first_claim);
    number(out, claims.time);
    key(out, "TLS.expire", first_claim);
    number(out, claims.expire);
    key(out, "valid_until", first_claim);
    number(out, claims.validUntil());
    if (claims.userbuf) {
      key(out, "TLS.userbuf", first_claim);
      appendString(out, *claims.userbuf);
    }
    if (!entry.usersig_problem.empty()) {
      key(out, "problem", first_claim);
      appendString(out, entry.usersig_problem);
    }
    out += '}';
  } else if (!entry.usersig_problem.empty()) {
    out += "{\"error\":";
    appendString(out, entry.usersig_problem);
    out += '}';
  } else {
    out += "null";  // a system event, or a call that failed before its UserSig was read
  }
  key(out, "response", first);
  if (!entry.event.empty()) {
    out += "null";  // nothing was asked, nothing answered
  } else {
    bool first_member = true;
    out += '{';
    key(out, "http_status", first_member);
    number(out, entry.http_status);
    key(out, "body", first_member);
    if (entry.response_body.empty()) {
      out += "null";
    } else if (entry.response_is_json) {
      out += entry.response_body;  // the emulator's own envelope, already JSON
    } else {
      appendString(out, entry.response_body);
    }
    key(out, "dropped", first_member);
    out += entry.dropped ? "true" : "false";
    if (!entry.cut.empty()) {
      key(out, "cut", first_member);
      appendString(out, entry.cut);
    }
    key(out, "delay_ms", first_member);
    number(out, entry.delay_ms);
    key(out, "handled_ms", first_member);
    number(out, static_cast<double>(entry.handled_us) / 1000.0);
    out += '}';
  }
  key(out, "api", first);
  if (entry.api.empty()) out += "null"; else appendString(out, entry.api);
  key(out, "sdkappid", first);
  if (entry.sdkappid) number(out, *entry.sdkappid); else out += "null";
  key(out, "identifier", first);
  appendString(out, entry.identifier);
  key(out, "room_id", first);
  appendString(out, entry.room_id);
  key(out, "error_code", first);
  number(out, entry.error_code);
  key(out, "error_name", first);
  const auto* described = protocol::describe(entry.error_code);
  appendString(out, described != nullptr ? described->name : std::string_view("unknown"));
  key(out, "request_id", first);
  appendString(out, entry.request_id);
  key(out, "peer", first);
  appendString(out, entry.peer);
  if (entry.body_truncated) {
    key(out, "body_truncated", first);
    out += "true";
  }
  if (!entry.ignored.empty()) {
    key(out, "ignored", first);
    out += '[';
    for (std::size_t i = 0; i < entry.ignored.size(); ++i) {
      if (i != 0) out += ',';
      appendString(out, entry.ignored[i]);
    }
    out += ']';
  }
  if (entry.fault_id) {
    key(out, "fault_id", first);
    number(out, *entry.fault_id);
  }
  if (!entry.event.empty()) {
    key(out, "event", first);
    appendString(out, entry.event);
    key(out, "reason", first);
    appendString(out, entry.reason);
  }
  out += '}';
}

json journalEntryToJson(const JournalEntry& entry) {
  std::string text;
  appendJournalEntryJson(entry, text);
  return json::parse(text);
}

Journal::Journal(ResetRegistry& registry, std::size_t capacity, ChangeSignal* signal)
    : Resettable(registry, "journal"), capacity_(std::max<std::size_t>(capacity, 1)), signal_(signal) {}

void Journal::record(JournalEntry entry) {
  if (entry.body.size() > kJournalBodyBytes) {
    entry.body.resize(kJournalBodyBytes);
    entry.body_truncated = true;
  }
  auto shared = std::make_shared<const JournalEntry>(std::move(entry));
  {
    std::lock_guard lock(mutex_);
    complete(shared->seq);
    if (entries_.size() == capacity_) entries_.pop_front();
    entries_.push_back(std::move(shared));
  }
  if (signal_ != nullptr) signal_->notify();
}

void Journal::abandon(std::uint64_t seq) {
  std::lock_guard lock(mutex_);
  complete(seq);
}

void Journal::complete(std::uint64_t seq) {
  if (seq == complete_seq_ + 1) {
    ++complete_seq_;
    while (!pending_seqs_.empty() && *pending_seqs_.begin() == complete_seq_ + 1) {
      pending_seqs_.erase(pending_seqs_.begin());
      ++complete_seq_;
    }
  } else if (seq > complete_seq_) {
    pending_seqs_.insert(seq);
  }
}

namespace {

bool matches(const JournalEntry& entry, const JournalFilter& filter) {
  return (!filter.api || entry.api == *filter.api) && (!filter.sdkappid || entry.sdkappid == filter.sdkappid) &&
         (!filter.room_id || entry.room_id == *filter.room_id);
}

}  // namespace

std::vector<JournalEntry> Journal::entries(const JournalFilter& filter) const {
  std::vector<JournalEntry> copies;
  for (const auto& entry : select(filter, std::nullopt, SIZE_MAX).entries) copies.push_back(*entry);
  return copies;
}

Journal::Selection Journal::select(const JournalFilter& filter, std::optional<std::uint64_t> after_seq,
                                   std::size_t limit, bool newest) const {
  Selection selection;
  std::uint64_t complete = 0;
  {
    std::lock_guard lock(mutex_);
    complete = complete_seq_;
    for (const auto& entry : entries_) {
      if (after_seq && (entry->seq <= *after_seq || entry->seq > complete)) continue;
      if (matches(*entry, filter)) selection.entries.push_back(entry);
    }
  }
  // Entries are recorded as calls finish; show them in arrival order.
  std::sort(selection.entries.begin(), selection.entries.end(),
            [](const auto& a, const auto& b) { return a->seq < b->seq; });
  const bool cut = selection.entries.size() > limit;
  if (cut && newest) {
    selection.entries.erase(selection.entries.begin(),
                            selection.entries.end() - static_cast<std::ptrdiff_t>(limit));
  } else if (cut) {
    selection.entries.resize(limit);
  }
  if (after_seq && newest) {
    selection.last_seq = std::max(*after_seq, complete);  // the tail was kept: all is seen
  } else if (after_seq) {
    // Continue after what was returned; with nothing new, after every recorded seq that matched
    // nothing (so a filtered poll does not scan the same entries again).
    selection.last_seq = selection.entries.size() == limit && limit > 0 ? selection.entries.back()->seq
                                                                        : std::max(*after_seq, complete);
  } else {
    selection.last_seq = selection.entries.empty() ? 0 : selection.entries.back()->seq;
  }
  return selection;
}

void Journal::clear() {
  std::lock_guard lock(mutex_);
  entries_.clear();
}

void Journal::clear(SdkAppId sdkappid) {
  std::lock_guard lock(mutex_);
  std::erase_if(entries_, [&](const auto& entry) { return entry->sdkappid == sdkappid; });
}

}  // namespace live::domain
