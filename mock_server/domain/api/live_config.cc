// Row 19 (the body) and the effect of each live_config call.
#include "domain/api/live_config.h"

#include <fmt/format.h>

#include "domain/callbacks/callbacks.h"
#include "protocol/callback.h"

namespace live::domain {

using protocol::ErrorCode;
using json = nlohmann::json;

namespace {

Outcome invalid(std::string text) { return Outcome::reject(ErrorCode::kInvalidParameter, std::move(text)); }

// {"Url":"http(s)://…","CallbackCommandList":[…]}, shared by set_callback and update_callback.
std::optional<Outcome> checkCallbackBody(const json& body) {
  if (!body.is_object()) return invalid(fmt::format("the request body must be a JSON object, not {}", body.type_name()));
  const auto url = body.find("Url");
  if (url == body.end()) return invalid("the request body has no \"Url\" field (it is mandatory)");
  if (!url->is_string()) return invalid(fmt::format("\"Url\" must be a string, not {}", url->type_name()));
  if (auto problem = callbackUrlProblem(url->get_ref<const std::string&>())) {
    return invalid(fmt::format("\"Url\" {}", *problem));
  }
  const auto commands = body.find("CallbackCommandList");
  if (commands == body.end()) return invalid("the request body has no \"CallbackCommandList\" field (it is mandatory)");
  if (!commands->is_array()) {
    return invalid(fmt::format("\"CallbackCommandList\" must be an array of strings, not {}", commands->type_name()));
  }
  for (std::size_t i = 0; i < commands->size(); ++i) {
    const json& command = (*commands)[i];
    if (!command.is_string() || !protocol::isCallbackCommand(command.get_ref<const std::string&>())) {
      return invalid(fmt::format("\"CallbackCommandList\"[{}] is {}; expected one of Live.CallbackAfterCreateRoom, "
                                 "Live.CallbackAfterDestroyRoom, Live.CallbackAfterUpdateRoomInfo",
                                 i, command.dump()));
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<Outcome> SetCallbackApi::checkBody(CallContext& context) const { return checkCallbackBody(context.body); }

Outcome SetCallbackApi::apply(const CallContext& context, DomainState& state) const {
  if (!state.callbacks.set(context.sdkappid, context.body["Url"].get<std::string>(),
                           context.body["CallbackCommandList"].get<std::vector<std::string>>())) {
    return Outcome::reject(ErrorCode::kCallbackExists,
                           fmt::format("app {} has a callback configuration already; change it with update_callback",
                                       context.sdkappid));
  }
  return Outcome::success();
}

std::optional<Outcome> UpdateCallbackApi::checkBody(CallContext& context) const {
  return checkCallbackBody(context.body);
}

Outcome UpdateCallbackApi::apply(const CallContext& context, DomainState& state) const {
  // Chosen: with no configuration yet, update_callback creates one (the vendor's page is silent).
  state.callbacks.update(context.sdkappid, context.body["Url"].get<std::string>(),
                         context.body["CallbackCommandList"].get<std::vector<std::string>>());
  return Outcome::success();
}

std::optional<Outcome> SetCallbackTokenApi::checkBody(CallContext& context) const {
  const json& body = context.body;
  if (!body.is_object()) return invalid(fmt::format("the request body must be a JSON object, not {}", body.type_name()));
  const auto token = body.find("Token");
  if (token == body.end()) return invalid("the request body has no \"Token\" field (it is mandatory)");
  if (!token->is_string()) return invalid(fmt::format("\"Token\" must be a string, not {}", token->type_name()));
  if (auto problem = callbackTokenProblem(token->get_ref<const std::string&>())) {
    return invalid(fmt::format("\"Token\" {}", *problem));
  }
  const auto enabled = body.find("IsTokenEnable");
  if (enabled == body.end()) return invalid("the request body has no \"IsTokenEnable\" field (it is mandatory)");
  if (!enabled->is_boolean()) {
    return invalid(fmt::format("\"IsTokenEnable\" must be true or false, not {}", enabled->type_name()));
  }
  return std::nullopt;
}

Outcome SetCallbackTokenApi::apply(const CallContext& context, DomainState& state) const {
  state.callbacks.setToken(context.sdkappid, context.body["Token"].get<std::string>(),
                           context.body["IsTokenEnable"].get<bool>());
  return Outcome::success();
}

}  // namespace live::domain
