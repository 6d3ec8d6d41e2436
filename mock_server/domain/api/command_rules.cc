// The family's shared row helpers (command_rules.h).
#include "domain/api/command_rules.h"

#include <fmt/format.h>

#include <algorithm>

#include "domain/accounts/account_store.h"
#include "domain/api/parse.h"
#include "domain/api/room_lifecycle.h"

namespace live::domain {

using json = nlohmann::json;

std::optional<Outcome> invalidParameter(std::string problem) {
  return Outcome::reject(protocol::ErrorCode::kInvalidParameter, std::move(problem));
}

Outcome roomNotFound(const CallContext& context) {
  return Outcome::reject(protocol::ErrorCode::kRoomNotFound,
                         fmt::format("room \"{}\" does not exist in app {} (never created, or already destroyed)",
                                     context.room_id, context.sdkappid));
}

Outcome successWith(const nlohmann::ordered_json& response) {
  Outcome success = Outcome::success();
  success.extra_members = "\"Response\":" + response.dump();
  success.extra_members_in_every_style = true;
  return success;
}

Outcome imSuccessWith(const nlohmann::ordered_json& members) {
  Outcome success = Outcome::success();
  for (const auto& [name, value] : members.items()) {
    if (!success.extra_members.empty()) success.extra_members += ',';
    success.extra_members += json(name).dump() + ":" + value.dump();
  }
  success.extra_members_in_every_style = true;
  return success;
}

namespace {

std::optional<std::string> accountProblem(const json& value, std::string_view name) {
  if (!value.is_string()) return fmt::format("\"{}\" must be a string, not {}", name, value.type_name());
  const auto& text = value.get_ref<const std::string&>();
  if (text.empty() || text.size() > kMaxAccountBytes) {
    return fmt::format("\"{}\" is {} bytes long; an account is 1 to {} bytes", name, text.size(), kMaxAccountBytes);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> readAccount(const json& body, std::string_view name, std::string& out) {
  const auto it = body.find(name);
  if (it == body.end()) return fmt::format("the request body has no \"{}\" field (it is mandatory)", name);
  if (auto problem = accountProblem(*it, name)) return problem;
  out = it->get<std::string>();
  return std::nullopt;
}

std::optional<std::string> readAccountList(const json& body, std::string_view name, std::size_t max,
                                           std::vector<std::string>& out) {
  const auto it = body.find(name);
  if (it == body.end()) return fmt::format("the request body has no \"{}\" field (it is mandatory)", name);
  if (!it->is_array() || it->empty() || it->size() > max) {
    return fmt::format("\"{}\" must be an array of 1 to {} accounts, not {}", name, max,
                       it->is_array() ? fmt::format("{} entries", it->size()) : std::string(it->type_name()));
  }
  out.clear();
  for (std::size_t i = 0; i < it->size(); ++i) {
    if (auto problem = accountProblem((*it)[i], fmt::format("{}[{}]", name, i))) return problem;
    auto account = (*it)[i].get<std::string>();
    if (std::find(out.begin(), out.end(), account) == out.end()) out.push_back(std::move(account));
  }
  return std::nullopt;
}

std::optional<std::string> readInteger(const json& body, std::string_view name, std::uint64_t max, std::uint64_t& out,
                                       std::optional<std::uint64_t> fallback) {
  const auto it = body.find(name);
  if (it == body.end()) {
    if (fallback) {
      out = *fallback;
      return std::nullopt;
    }
    return fmt::format("the request body has no \"{}\" field (it is mandatory)", name);
  }
  const auto value = nonNegativeInteger(*it);
  if (!value || *value > max) return fmt::format("\"{}\" must be an integer in 0..{}, not {}", name, max, it->dump());
  out = *value;
  return std::nullopt;
}

std::optional<std::string> readOptionalBool(const json& body, std::string_view name, std::optional<bool>& out) {
  const auto it = body.find(name);
  if (it == body.end()) return std::nullopt;
  if (!it->is_boolean()) return fmt::format("\"{}\" must be true or false, not {}", name, it->dump());
  out = it->get<bool>();
  return std::nullopt;
}

std::optional<Outcome> checkRoomBody(CallContext& context, BodyRule rest) {
  if (auto failure = checkRoomIdBody(context)) return failure;
  if (auto problem = rest(context.body)) return invalidParameter(std::move(*problem));
  return std::nullopt;
}

Outcome answerOf(RoomStore::ModifyResult result, const std::optional<Outcome>& refusal, const CallContext& context) {
  if (result == RoomStore::ModifyResult::kRefused) return *refusal;
  if (result != RoomStore::ModifyResult::kChanged) return roomNotFound(context);
  return Outcome::success();
}

std::optional<Outcome> requireImported(const CallContext& context, const DomainState& state, std::string_view member,
                                       const std::string& account) {
  if (!context.app->require_imported_accounts || state.accounts.imported(context.sdkappid, account)) return std::nullopt;
  return invalidParameter(fmt::format("{} \"{}\" is not an imported account of app {} (import it with "
                                      "v4/im_open_login_svc/account_import first: this app has "
                                      "require_imported_accounts)",
                                      member, account, context.sdkappid));
}

}  // namespace live::domain
