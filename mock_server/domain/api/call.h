// A vendor-API call as the domain sees it (no HTTP types), the state gathered while checking it,
// and the outcome that becomes the envelope.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/time/clock.h"
#include "domain/rooms/model.h"
#include "protocol/error_catalog.h"
#include "protocol/usersig.h"

namespace live::domain {

class Api;

// One request to a vendor API path, already split and percent-decoded by the transport.
struct ApiCall {
  std::string method;  // "POST"
  std::string path;    // "/v4/live_engine_http_srv/destroy_room"
  std::vector<std::pair<std::string, std::string>> query;  // in the order sent, duplicates kept
  std::string body;
  std::string peer;  // "ip:port" of the caller, for the journal
  std::string content_type;  // the Content-Type header as sent, for the journal
};

// What a successful call did to a room, for the webhook it may send (docs/webhooks.md).
struct RoomEvent {
  std::string_view command;     // the CallbackCommand, e.g. "Live.CallbackAfterDestroyRoom"
  std::string_view event_type;  // "DestroyByUser" for a dissolution; empty otherwise
  std::shared_ptr<const Room> room;  // the room afterwards (as it was, for a dissolution)
  std::vector<std::string> changed;  // update_room_info: the members given, by vendor name
};

// The first failing check's answer, or success.
struct Outcome {
  protocol::ErrorCode code = protocol::ErrorCode::kOk;
  std::string error_info;
  std::string extra_members;  // success payload members after RequestId, if the API has any
  // True when the payload is the command's data, sent in both response styles; false for
  // destroy_room's Statistic, which only the current style sends.
  bool extra_members_in_every_style = false;
  std::optional<RoomEvent> event;

  bool ok() const { return code == protocol::ErrorCode::kOk; }
  static Outcome success() { return {}; }
  static Outcome reject(protocol::ErrorCode code, std::string error_info) {
    Outcome outcome;
    outcome.code = code;
    outcome.error_info = std::move(error_info);
    return outcome;
  }
};

// What the checks learn about a call, row by row; later rows read what earlier rows filled in.
struct CallContext {
  explicit CallContext(const ApiCall& api_call, Instant at) : call(api_call), now(at) {}

  const ApiCall& call;
  Instant now;                       // one reading of the clock for the checks of the call; from
                                     // row 9 on, the app's time (AppClocks)
  Duration clock_offset{0};          // row 9: how far the app is ahead of the emulator's clock
  std::optional<Instant> decided_at;  // row 17: the rate limiter's instant, the call's recorded time
  const Api* api = nullptr;          // row 1
  SdkAppId sdkappid = 0;             // rows 3-4
  bool sdkappid_known = false;       // row 4 passed: `sdkappid` holds the request's
  std::string_view identifier;       // row 7
  std::string_view usersig;          // row 8
  const App* app = nullptr;          // row 9
  protocol::ResponseStyle response_style = protocol::ResponseStyle::k2024;  // row 10
  std::shared_ptr<const protocol::UserSigClaims> claims;  // row 11
  std::string usersig_problem;       // why the UserSig did not decode or verify, for the journal
  nlohmann::json body;               // row 18
  std::string room_id;               // row 19, for APIs that address a room
  const nlohmann::json* room_info = nullptr;  // row 19 of create_room and update_room_info: in `body`
  bool strict_members = false;       // row 10: the app refuses members a command does not document
  std::vector<std::string> ignored_members;  // row 19: members read past, for the journal ("RoomInfo.X")

  // Where row 19 puts members it reads past: `ignored_members`, or null for an app with
  // strict_members, which refuses them.
  std::vector<std::string>* ignoredSink() { return strict_members ? nullptr : &ignored_members; }
};

}  // namespace live::domain
