// The emulated APIs of the live_engine_http_srv family and of live_config. Adding a sibling API
// (create_room, get_room_info, room_lifecycle.h) is one new Api subclass and one row in the table in
// api_catalog.cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "domain/api/call.h"
#include "domain/rooms/room_store.h"

namespace live::domain {

class CallbackSettings;
class AccountStore;

// The state an API's operation may read and change.
struct DomainState {
  RoomStore& rooms;
  CallbackSettings& callbacks;
  AccountStore& accounts;
};

class Api {
 public:
  virtual ~Api() = default;
  virtual std::string_view name() const = 0;  // "destroy_room"
  virtual std::string_view path() const = 0;  // "/v4/live_engine_http_srv/destroy_room"
  virtual std::uint32_t documentedRateLimit() const = 0;  // requests per second, per app
  // The body's top-level members the command documents. Row 19 ignores any other member, and names
  // it in the journal, or refuses it for an app with strict_members (docs/destroy_room.md, "Body
  // members").
  virtual std::span<const std::string_view> bodyMembers() const = 0;
  // True for the IM commands (v4/im_open_login_svc/), answered in the IM envelope: ActionStatus,
  // ErrorInfo, ErrorCode and the data at the top level, no RequestId (docs/room-family.md).
  virtual bool imEnvelope() const { return false; }

  // The API's own body rule (docs/destroy_room.md, row 19), after the shared rows 1-18 passed and
  // context.body holds parsed JSON. Fills what apply() needs.
  virtual std::optional<Outcome> checkBody(CallContext& context) const = 0;
  // The API's state checks and its effect (rows 20 onward), atomic with respect to other calls.
  virtual Outcome apply(const CallContext& context, DomainState& state) const = 0;
};

// Every emulated API, in a fixed order; an API's index in this list is stable for the process.
std::span<const Api* const> emulatedApis();
// The API's position in emulatedApis(), or emulatedApis().size() for an API not in the table.
std::size_t apiIndex(const Api& api);
const Api* findApiByPath(std::string_view path);
const Api* findApiByName(std::string_view name);
std::string knownApiNames();  // "destroy_room", comma-separated, for messages

}  // namespace live::domain
