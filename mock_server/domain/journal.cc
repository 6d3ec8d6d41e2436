// Journal storage and its JSON form (docs/control-api.md, "Journal": seq, time, method, path, query, body, usersig,
// response, plus the fields that make filtering and debugging easy).
#include "domain/journal.h"

#include <algorithm>

namespace live::domain {
namespace {

using json = nlohmann::json;

// Journal strings come from the network; invalid UTF-8 is shown with replacement characters.
json text(const std::string& value) {
  return json::parse(json(value).dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace

json journalEntryToJson(const JournalEntry& entry) {
  json query = json::object();
  for (const auto& [name, value] : entry.query) {
    const std::string key = text(name).get<std::string>();
    if (!query.contains(key)) {
      query[key] = text(value);
    } else {
      // A repeated parameter shows every value, in order.
      if (!query[key].is_array()) query[key] = json::array({query[key]});
      query[key].push_back(text(value));
    }
  }
  json usersig = json::object();
  if (entry.usersig_claims) {
    const auto& claims = *entry.usersig_claims;
    usersig = {{"TLS.ver", claims.version},     {"TLS.identifier", text(claims.identifier)},
               {"TLS.sdkappid", claims.sdkappid}, {"TLS.time", claims.time},
               {"TLS.expire", claims.expire},     {"valid_until", claims.validUntil()}};
    if (claims.userbuf) usersig["TLS.userbuf"] = text(*claims.userbuf);
    if (!entry.usersig_problem.empty()) usersig["problem"] = entry.usersig_problem;
  } else if (!entry.usersig_problem.empty()) {
    usersig = {{"error", entry.usersig_problem}};
  } else {
    usersig = nullptr;  // not reached: the call failed before the UserSig was read
  }
  json response_body = nullptr;
  if (!entry.response_body.empty()) {
    response_body = json::parse(entry.response_body, nullptr, false);
    if (response_body.is_discarded()) response_body = text(entry.response_body);
  }
  json out{{"seq", entry.seq},
           {"time", unixSecondsFractional(entry.time)},
           {"method", text(entry.method)},
           {"path", text(entry.path)},
           {"query", query},
           {"body", text(entry.body)},
           {"content_type", text(entry.content_type)},
           {"usersig", usersig},
           {"response",
            {{"http_status", entry.http_status},
             {"body", response_body},
             {"dropped", entry.dropped},
             {"delay_ms", entry.delay_ms}}},
           {"api", entry.api.empty() ? json(nullptr) : json(entry.api)},
           {"sdkappid", entry.sdkappid ? json(*entry.sdkappid) : json(nullptr)},
           {"identifier", text(entry.identifier)},
           {"room_id", text(entry.room_id)},
           {"error_code", entry.error_code},
           {"request_id", entry.request_id},
           {"peer", entry.peer}};
  if (entry.body_truncated) out["body_truncated"] = true;
  if (entry.fault_id) out["fault_id"] = *entry.fault_id;
  if (!entry.event.empty()) {
    out["event"] = entry.event;
    out["reason"] = entry.reason;
    out["response"] = nullptr;  // nothing was asked, nothing answered
    out["usersig"] = nullptr;
  }
  return out;
}

Journal::Journal(ResetRegistry& registry, std::size_t capacity)
    : Resettable(registry, "journal"), capacity_(std::max<std::size_t>(capacity, 1)) {}

void Journal::record(JournalEntry entry) {
  if (entry.body.size() > kJournalBodyBytes) {
    entry.body.resize(kJournalBodyBytes);
    entry.body_truncated = true;
  }
  std::lock_guard lock(mutex_);
  if (entries_.size() == capacity_) entries_.pop_front();
  entries_.push_back(std::move(entry));
}

std::vector<JournalEntry> Journal::entries(const JournalFilter& filter) const {
  std::lock_guard lock(mutex_);
  std::vector<JournalEntry> selected;
  for (const auto& entry : entries_) {
    if (filter.api && entry.api != *filter.api) continue;
    if (filter.sdkappid && entry.sdkappid != filter.sdkappid) continue;
    if (filter.room_id && entry.room_id != *filter.room_id) continue;
    selected.push_back(entry);
  }
  // Entries are recorded as calls finish; show them in arrival order.
  std::sort(selected.begin(), selected.end(),
            [](const JournalEntry& a, const JournalEntry& b) { return a.seq < b.seq; });
  return selected;
}

void Journal::clear() {
  std::lock_guard lock(mutex_);
  entries_.clear();
}

}  // namespace live::domain
