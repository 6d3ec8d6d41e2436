// What the family's commands share in their own rows (19 onward): reading accounts, lists and
// indexes from a body with 100002 naming the member, the room-not-found answer, a success with data
// under "Response", and the imported-account rule. Written once for every command.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/api/api_catalog.h"
#include "domain/api/call.h"

namespace live::domain {

std::optional<Outcome> invalidParameter(std::string problem);
// The call's instant on the emulator's clock: the rate limiter's decision (row 17), or its arrival.
inline Instant callTime(const CallContext& context) { return context.decided_at.value_or(context.now); }
// 100004 for the call's room.
Outcome roomNotFound(const CallContext& context);
// A success whose "Response" is `response`, sent in both response styles.
Outcome successWith(const nlohmann::ordered_json& response);
// A success whose members go at the top level of the IM envelope.
Outcome imSuccessWith(const nlohmann::ordered_json& members);

// The member `name` of `body`, a required account; the problem names it.
std::optional<std::string> readAccount(const nlohmann::json& body, std::string_view name, std::string& out);
// The member `name`, a required array of 1..`max` accounts (duplicates dropped, order kept).
std::optional<std::string> readAccountList(const nlohmann::json& body, std::string_view name, std::size_t max,
                                           std::vector<std::string>& out);
// The member `name`, an integer in 0..`max` (required unless `fallback` is given).
std::optional<std::string> readInteger(const nlohmann::json& body, std::string_view name, std::uint64_t max,
                                       std::uint64_t& out, std::optional<std::uint64_t> fallback = std::nullopt);
// The member `name`, optional, true or false.
std::optional<std::string> readOptionalBool(const nlohmann::json& body, std::string_view name,
                                            std::optional<bool>& out);
// Row 19 of the commands whose body starts {"RoomId":"..."}: the object, its RoomId, then `rest`'s
// problem with the rest of the body, if any (100002).
using BodyRule = std::optional<std::string> (*)(const nlohmann::json& body);
std::optional<Outcome> checkRoomBody(CallContext& context, BodyRule rest);
// The answer of a command whose change went through RoomStore::modifyRoom: `refusal` when the
// change refused, 100004 when the room (row 20) or its app is not there, success otherwise.
Outcome answerOf(RoomStore::ModifyResult result, const std::optional<Outcome>& refusal, const CallContext& context);

// Chosen rule of an app with require_imported_accounts: `account` (named `member` in the message)
// must have been imported through account_import; 100002 otherwise (docs/room-family.md).
std::optional<Outcome> requireImported(const CallContext& context, const DomainState& state, std::string_view member,
                                       const std::string& account);

}  // namespace live::domain
