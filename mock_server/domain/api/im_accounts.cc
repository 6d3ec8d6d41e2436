// IM accounts' own rows (docs/room-family.md, "IM accounts"): v4/im_open_login_svc/ account_import,
// multiaccount_import, account_check and account_delete, answered in the IM envelope. Accounts are
// per app, and reset like everything else.
#include <fmt/format.h>

#include <algorithm>

#include "domain/accounts/account_store.h"
#include "domain/api/command_rules.h"
#include "domain/api/family.h"

namespace live::domain {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

std::optional<Outcome> imInvalid(std::string problem) {
  return Outcome::reject(protocol::ErrorCode::kImInvalidParameter, std::move(problem));
}

std::optional<std::string> userIdProblem(const json& value, std::string_view name) {
  if (!value.is_string()) return fmt::format("{} must be a string, not {}", name, value.type_name());
  const auto& text = value.get_ref<const std::string&>();
  if (text.empty() || text.size() > kMaxImUserIdBytes) {
    return fmt::format("{} is {} bytes long; a UserID is 1 to {} bytes", name, text.size(), kMaxImUserIdBytes);
  }
  return std::nullopt;
}

std::optional<Outcome> needObject(const json& body, std::string_view example) {
  if (body.is_object()) return std::nullopt;
  return imInvalid(fmt::format("the request body must be a JSON object like {}, not {}", example, body.type_name()));
}

// `name`: an array of 1..100 objects {"UserID": ...} (account_check's CheckItem, account_delete's DeleteItem).
std::optional<std::string> readUserItems(const json& body, std::string_view name, std::vector<std::string>& ids) {
  const auto it = body.find(name);
  if (it == body.end()) return fmt::format("the request body has no \"{}\" field (it is mandatory)", name);
  if (!it->is_array() || it->empty() || it->size() > kMaxImAccountsPerCall) {
    return fmt::format("\"{}\" must be an array of 1 to {} objects like {{\"UserID\":\"...\"}}", name,
                       kMaxImAccountsPerCall);
  }
  for (std::size_t i = 0; i < it->size(); ++i) {
    const json& item = (*it)[i];
    const std::string where = fmt::format("\"{}\"[{}].UserID", name, i);
    if (!item.is_object() || !item.contains("UserID")) return fmt::format("{} is missing", where);
    if (auto problem = userIdProblem(item["UserID"], where)) return problem;
    ids.push_back(item["UserID"].get<std::string>());
  }
  return std::nullopt;
}

}  // namespace

// --- account_import ----------------------------------------------------------------------------

std::optional<Outcome> AccountImportApi::checkBody(CallContext& context) const {
  if (auto failure = needObject(context.body, R"({"UserID":"..."})")) return failure;
  const auto id = context.body.find("UserID");
  if (id == context.body.end()) return imInvalid("the request body has no \"UserID\" field (it is mandatory)");
  if (auto problem = userIdProblem(*id, "\"UserID\"")) return imInvalid(std::move(*problem));
  for (const char* optional : {"Nick", "FaceUrl"}) {
    const auto it = context.body.find(optional);
    if (it != context.body.end() && !it->is_string()) {
      return imInvalid(fmt::format("\"{}\" must be a string, not {}", optional, it->type_name()));
    }
  }
  return std::nullopt;
}

Outcome AccountImportApi::apply(const CallContext& context, DomainState& state) const {
  // Importing an account again replaces its Nick and FaceUrl (documented as idempotent).
  state.accounts.put(context.sdkappid, context.body["UserID"].get<std::string>(),
                     ImAccount{context.body.value("Nick", std::string()), context.body.value("FaceUrl", std::string())});
  return imSuccessWith(ordered_json::object());
}

// --- multiaccount_import -----------------------------------------------------------------------

std::optional<Outcome> MultiAccountImportApi::checkBody(CallContext& context) const {
  if (auto failure = needObject(context.body, R"({"Accounts":["..."]})")) return failure;
  const auto accounts = context.body.find("Accounts");
  if (accounts == context.body.end()) return imInvalid("the request body has no \"Accounts\" field (it is mandatory)");
  if (!accounts->is_array() || accounts->empty() || accounts->size() > kMaxImAccountsPerCall) {
    return imInvalid(fmt::format("\"Accounts\" must be an array of 1 to {} UserIDs", kMaxImAccountsPerCall));
  }
  return std::nullopt;
}

Outcome MultiAccountImportApi::apply(const CallContext& context, DomainState& state) const {
  // Chosen: an entry that is not a valid UserID is not imported and is listed in FailAccounts.
  ordered_json failed = ordered_json::array();
  for (const auto& account : context.body["Accounts"]) {
    if (userIdProblem(account, "UserID")) {
      failed.push_back(account.is_string() ? account.get<std::string>() : account.dump());
      continue;
    }
    state.accounts.put(context.sdkappid, account.get<std::string>(), {});
  }
  return imSuccessWith({{"FailAccounts", std::move(failed)}});
}

// --- account_check -----------------------------------------------------------------------------

std::optional<Outcome> AccountCheckApi::checkBody(CallContext& context) const {
  if (auto failure = needObject(context.body, R"({"CheckItem":[{"UserID":"..."}]})")) return failure;
  std::vector<std::string> ids;
  if (auto problem = readUserItems(context.body, "CheckItem", ids)) return imInvalid(std::move(*problem));
  return std::nullopt;
}

Outcome AccountCheckApi::apply(const CallContext& context, DomainState& state) const {
  std::vector<std::string> ids;
  readUserItems(context.body, "CheckItem", ids);
  ordered_json results = ordered_json::array();
  for (const auto& id : ids) {
    results.push_back({{"UserID", id},
                       {"ResultCode", 0},
                       {"ResultInfo", ""},
                       {"AccountStatus", state.accounts.imported(context.sdkappid, id) ? "Imported" : "NotImported"}});
  }
  return imSuccessWith({{"ResultItem", std::move(results)}});
}

// --- account_delete ----------------------------------------------------------------------------

std::optional<Outcome> AccountDeleteApi::checkBody(CallContext& context) const {
  if (auto failure = needObject(context.body, R"({"DeleteItem":[{"UserID":"..."}]})")) return failure;
  std::vector<std::string> ids;
  if (auto problem = readUserItems(context.body, "DeleteItem", ids)) return imInvalid(std::move(*problem));
  return std::nullopt;
}

Outcome AccountDeleteApi::apply(const CallContext& context, DomainState& state) const {
  std::vector<std::string> ids;
  readUserItems(context.body, "DeleteItem", ids);
  ordered_json results = ordered_json::array();
  for (const auto& id : ids) {
    // Chosen: deleting an account that was never imported reports 70107 for that item.
    const bool removed = state.accounts.remove(context.sdkappid, id);
    results.push_back({{"UserID", id},
                       {"ResultCode", removed ? 0 : 70107},
                       {"ResultInfo", removed ? "" : "the UserID was never imported"}});
  }
  return imSuccessWith({{"ResultItem", std::move(results)}});
}

}  // namespace live::domain
