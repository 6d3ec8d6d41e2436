#include "domain/callbacks/callbacks.h"

#include "domain/rooms/room_info.h"

#include <fmt/format.h>

#include <algorithm>

#include "protocol/callback.h"
#include "protocol/text.h"

namespace live::domain {

using json = nlohmann::json;

namespace {

// A receiver's answer is kept up to this size in the delivery record.
constexpr std::size_t kAnswerBytes = 4096;
// The member an unknown_member fault adds to a destroy callback's body (chosen).
constexpr std::string_view kUnknownCallbackMember = "ExtensionInfo";

// How far a stale_request_time fault moves RequestTime back (two minutes: receivers are told to
// refuse more than one).
constexpr std::int64_t kStaleSeconds = 120;

std::string percentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0f];
    }
  }
  return out;
}

}  // namespace

bool CallbackConfig::enables(std::string_view command) const {
  return !url.empty() && std::find(commands.begin(), commands.end(), command) != commands.end();
}

std::optional<std::string> callbackUrlProblem(std::string_view url) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    return "must start with http:// or https://";
  }
  const auto host_start = url.find("://") + 3;
  if (host_start >= url.size() || url[host_start] == '/' || url[host_start] == ':') return "names no host";
  if (url.size() > 1024) return "is longer than 1024 bytes";  // chosen
  if (url.find_first_of(" \t\r\n") != std::string_view::npos) return "contains white space";
  return std::nullopt;
}

std::optional<std::string> callbackTokenProblem(std::string_view token) {
  if (token.empty() || token.size() > 128) return "must be 1..128 characters";
  if (!protocol::isValidUtf8(token)) return "must be valid UTF-8";
  return std::nullopt;
}

Result<CallbackConfig> parseCallbackConfig(const json& value, const std::string& path) {
  if (!value.is_object()) {
    return Failure{path + R"(: expected {"url": "http://...", "commands": [...], "token": "...", "token_enabled": true})"};
  }
  CallbackConfig config;
  for (const auto& [key, field] : value.items()) {
    if (key == "url") {
      if (!field.is_string()) return Failure{path + ".url: expected a string"};
      config.url = field.get<std::string>();
      if (auto problem = callbackUrlProblem(config.url)) return Failure{fmt::format("{}.url: {}", path, *problem)};
    } else if (key == "commands") {
      if (!field.is_array()) return Failure{path + ".commands: expected an array of callback commands"};
      for (std::size_t i = 0; i < field.size(); ++i) {
        if (!field[i].is_string() || !protocol::isCallbackCommand(field[i].get<std::string>())) {
          return Failure{fmt::format("{}.commands[{}]: expected one of Live.CallbackAfterCreateRoom, "
                                     "Live.CallbackAfterDestroyRoom, Live.CallbackAfterUpdateRoomInfo",
                                     path, i)};
        }
        config.commands.push_back(field[i].get<std::string>());
      }
    } else if (key == "token") {
      if (!field.is_string()) return Failure{path + ".token: expected a string"};
      config.token = field.get<std::string>();
      if (auto problem = callbackTokenProblem(config.token)) return Failure{fmt::format("{}.token: {}", path, *problem)};
    } else if (key == "token_enabled") {
      if (!field.is_boolean()) return Failure{path + ".token_enabled: expected true or false"};
      config.token_enabled = field.get<bool>();
    } else {
      return Failure{fmt::format("{}: unknown key \"{}\" (allowed: url, commands, token, token_enabled)", path, key)};
    }
  }
  if (config.url.empty()) return Failure{path + ".url: required"};
  if (!value.contains("commands")) return Failure{path + ".commands: required"};
  if (config.token_enabled && config.token.empty()) return Failure{path + ".token: required when token_enabled is true"};
  if (!value.contains("token_enabled")) config.token_enabled = !config.token.empty();
  return config;
}

json callbackConfigToJson(const CallbackConfig& config) {
  // The token itself is a secret: shown only as set or not.
  return json{{"url", config.url},
              {"commands", config.commands},
              {"token_set", !config.token.empty()},
              {"token_enabled", config.token_enabled}};
}

CallbackSettings::CallbackSettings(ResetRegistry& registry, std::map<SdkAppId, CallbackConfig> initial)
    : Resettable(registry, "callbacks"), initial_(std::move(initial)) {
  reset();
}

void CallbackSettings::publish() {
  published_.clear();
  for (const auto& [sdkappid, config] : configs_) {
    if (!config.url.empty()) published_.emplace(sdkappid, std::make_shared<const CallbackConfig>(config));
  }
  any_url_.store(!published_.empty(), std::memory_order_release);
}

std::shared_ptr<const CallbackConfig> CallbackSettings::of(SdkAppId sdkappid) const {
  if (!any_url_.load(std::memory_order_acquire)) return nullptr;
  std::lock_guard lock(mutex_);
  const auto it = published_.find(sdkappid);
  return it == published_.end() ? nullptr : it->second;
}

bool CallbackSettings::set(SdkAppId sdkappid, std::string url, std::vector<std::string> commands) {
  std::lock_guard lock(mutex_);
  CallbackConfig& config = configs_[sdkappid];
  if (!config.url.empty()) return false;
  config.url = std::move(url);
  config.commands = std::move(commands);
  publish();
  return true;
}

void CallbackSettings::update(SdkAppId sdkappid, std::string url, std::vector<std::string> commands) {
  std::lock_guard lock(mutex_);
  CallbackConfig& config = configs_[sdkappid];
  config.url = std::move(url);
  config.commands = std::move(commands);
  publish();
}

void CallbackSettings::setToken(SdkAppId sdkappid, std::string token, bool enabled) {
  std::lock_guard lock(mutex_);
  CallbackConfig& config = configs_[sdkappid];
  config.token = std::move(token);
  config.token_enabled = enabled;
  publish();
}

void CallbackSettings::put(SdkAppId sdkappid, CallbackConfig config) {
  std::lock_guard lock(mutex_);
  configs_[sdkappid] = std::move(config);
  publish();
}

std::map<SdkAppId, CallbackConfig> CallbackSettings::all() const {
  std::lock_guard lock(mutex_);
  return configs_;
}

void CallbackSettings::reset() {
  std::lock_guard lock(mutex_);
  configs_ = initial_;
  runtime_initial_.clear();
  publish();
}

void CallbackSettings::resetApp(SdkAppId sdkappid) {
  std::lock_guard lock(mutex_);
  configs_.erase(sdkappid);
  if (const auto it = initial_.find(sdkappid); it != initial_.end()) configs_.emplace(sdkappid, it->second);
  if (const auto it = runtime_initial_.find(sdkappid); it != runtime_initial_.end()) configs_.emplace(sdkappid, it->second);
  publish();
}

void CallbackSettings::addApp(SdkAppId sdkappid, std::optional<CallbackConfig> config) {
  std::lock_guard lock(mutex_);
  configs_.erase(sdkappid);
  runtime_initial_.erase(sdkappid);
  if (config) {
    runtime_initial_.emplace(sdkappid, *config);
    configs_.emplace(sdkappid, std::move(*config));
  }
  publish();
}

void CallbackSettings::removeApp(SdkAppId sdkappid) {
  std::lock_guard lock(mutex_);
  configs_.erase(sdkappid);
  runtime_initial_.erase(sdkappid);
  publish();
}

json callbackDeliveryToJson(const CallbackDelivery& delivery) {
  const std::string url = delivery.work ? delivery.work->url() : std::string();
  const std::string text = delivery.work ? delivery.work->body() : std::string();
  json body = json::parse(text, nullptr, false);
  json out{{"id", delivery.id},
           {"time", unixSecondsFractional(delivery.time)},
           {"sdkappid", delivery.sdkappid},
           {"room_id", delivery.room_id},
           {"command", delivery.command},
           {"event_type", delivery.event_type},
           {"request", {{"method", "POST"}, {"url", url}, {"body", body.is_discarded() ? json(text) : body}}},
           {"state", delivery.state},
           {"delay_ms", delivery.delay_ms}};
  if (delivery.fault_id) out["fault_id"] = *delivery.fault_id;
  if (delivery.fault != CallbackFault::kNone) out["fault"] = toString(delivery.fault);
  if (delivery.state == "delivered") {
    json answer = json::parse(delivery.answer, nullptr, false);
    out["response"] = {{"http_status", delivery.http_status},
                       {"body", answer.is_discarded() ? json(delivery.answer) : answer}};
  }
  if (delivery.state == "delivered" || delivery.state == "failed") out["latency_ms"] = delivery.latency_ms;
  if (!delivery.error.empty()) out["error"] = delivery.error;
  return out;
}

CallbackLog::CallbackLog(ResetRegistry& registry, std::size_t capacity, ChangeSignal* signal)
    : Resettable(registry, "callback_log"), capacity_(std::max<std::size_t>(capacity, 1)), signal_(signal) {}

std::uint64_t CallbackLog::record(CallbackDelivery delivery) {
  std::uint64_t id = 0;
  {
    std::lock_guard lock(mutex_);
    delivery.id = id = next_id_++;
    if (deliveries_.size() == capacity_) deliveries_.pop_front();
    deliveries_.push_back(std::move(delivery));
  }
  if (signal_ != nullptr) signal_->notify();
  return id;
}

void CallbackLog::complete(std::uint64_t id, std::string state, int http_status, std::string answer,
                           double latency_ms, std::string error) {
  std::unique_lock lock(mutex_);
  const auto it = std::lower_bound(deliveries_.begin(), deliveries_.end(), id,
                                   [](const CallbackDelivery& delivery, std::uint64_t wanted) { return delivery.id < wanted; });
  if (it == deliveries_.end() || it->id != id) return;  // cleared or pushed out meanwhile
  it->state = std::move(state);
  it->http_status = http_status;
  if (answer.size() > kAnswerBytes) answer.resize(kAnswerBytes);
  it->answer = std::move(answer);
  it->latency_ms = latency_ms;
  it->error = std::move(error);
  lock.unlock();
  if (signal_ != nullptr) signal_->notify();
}

std::vector<CallbackDelivery> CallbackLog::select(const CallbackFilter& filter) const {
  std::lock_guard lock(mutex_);
  std::vector<CallbackDelivery> out;
  for (const auto& delivery : deliveries_) {
    if (filter.command && delivery.command != *filter.command) continue;
    if (filter.sdkappid && delivery.sdkappid != *filter.sdkappid) continue;
    if (filter.room_id && delivery.room_id != *filter.room_id) continue;
    out.push_back(delivery);
  }
  return out;
}

void CallbackLog::clear() {
  std::lock_guard lock(mutex_);
  deliveries_.clear();
}

void CallbackLog::clear(SdkAppId sdkappid) {
  std::lock_guard lock(mutex_);
  std::erase_if(deliveries_, [&](const CallbackDelivery& delivery) { return delivery.sdkappid == sdkappid; });
}

std::string CallbackWork::url() const {
  std::int64_t sent_time = request_time;
  const CallbackConfig& settings = *config;
  const SdkAppId sdkappid = room->sdkappid;
  std::string url = settings.url;
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += fmt::format("SdkAppid={}&CallbackCommand={}&contenttype=json&ClientIP={}&OptPlatform={}", sdkappid,
                     percentEncode(command), percentEncode(actor.client_ip), percentEncode(actor.platform));
  if (settings.token_enabled && !settings.token.empty()) {
    if (fault == CallbackFault::kStaleRequestTime) sent_time -= kStaleSeconds;
    const std::string token = fault == CallbackFault::kWrongSign ? settings.token + "-not-the-token" : settings.token;
    url += fmt::format("&RequestTime={}&Sign={}", sent_time, protocol::callbackSign(token, sent_time));
  }
  return url;
}

std::string CallbackWork::body() const {
  const auto event_ms = std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
  if (command == protocol::kCallbackAfterCreateRoom) {
    // The create fields as the room has them (defaults filled in), and CreateTime.
    return nlohmann::ordered_json{{"CallbackCommand", command},
                                  {"Operator_Account", actor.operator_account},
                                  {"RoomInfo", roomInfoObject(*room, {"RoomId", "RoomName", "RoomType", "Owner_Account",
                                                                      "CoverURL", "IsMessageDisabled", "Category",
                                                                      "IsPublicVisible", "IsSeatEnabled", "TakeSeatMode",
                                                                      "MaxSeatCount", "MaxMemberCount", "ActivityStatus",
                                                                      "IsUnlimitedRoomEnabled", "SeatLayoutTemplateId",
                                                                      "SeatTemplate", "CreateTime"})},
                                  {"EventTime", event_ms}}
        .dump();
  }
  if (command == protocol::kCallbackAfterUpdateRoomInfo) {
    // RoomId and the members the call gave, with their new values.
    std::vector<std::string_view> names{"RoomId"};
    names.insert(names.end(), changed.begin(), changed.end());
    return nlohmann::ordered_json{{"CallbackCommand", command},
                                  {"Operator_Account", actor.operator_account},
                                  {"RoomInfo", roomInfoObject(*room, names)},
                                  {"EventTime", event_ms}}
        .dump();
  }
  const Room& dissolved = *room;
  // RoomInfo as the vendor documents it; CustomInfo and BackgroundURL are not kept and are the
  // vendor's defaults (chosen, docs/webhooks.md).
  auto info = roomInfoObject(dissolved, {"RoomName", "RoomType", "Owner_Account", "IsSeatEnabled", "TakeSeatMode",
                                         "MaxMemberCount", "MaxSeatCount", "Category"});
  info["CustomInfo"] = "";
  for (const auto name : {"IsMessageDisabled", "CoverURL", "ActivityStatus", "IsPublicVisible", "ViewCount"}) {
    info[name] = roomInfoMember(dissolved, name);
  }
  info["BackgroundURL"] = "";
  info["IsUnlimitedRoomEnabled"] = roomInfoMember(dissolved, "IsUnlimitedRoomEnabled");
  const nlohmann::ordered_json body{
      {"CallbackCommand", protocol::kCallbackAfterDestroyRoom},
      {"Operator_Account", actor.operator_account},
      {"RoomId", dissolved.room_id},
      {"EventType", actor.event_type},
      {"EventTime", event_ms},
      {"RoomInfo", std::move(info)},
      {"Statistic",
       {{"TotalViewers", dissolved.statistic.total_viewers},
        {"TotalGiftsSent", dissolved.statistic.total_gifts_sent},
        {"TotalGiftCoins", dissolved.statistic.total_gift_coins},
        {"TotalUniqueGiftSenders", dissolved.statistic.total_unique_gift_senders},
        {"TotalLikesReceived", dissolved.statistic.total_likes_received}}}};
  if (fault == CallbackFault::kUnknownMember) {
    // A member no page documents yet, as a later revision of the vendor's callback may add.
    auto extended = body;
    extended[std::string(kUnknownCallbackMember)] = {{"Note", "a member this receiver does not know"}};
    return extended.dump();
  }
  return body.dump();
}

}  // namespace live::domain
