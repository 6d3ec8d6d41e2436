// The control API under /__emulator/ (docs/control-api.md): our own API, so ordinary HTTP
// statuses and {"error": "..."} bodies that say what was wrong.
#pragma once

#include <httplib.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "domain/emulator.h"

namespace live::http {

struct ControlAccess {
  // Without a token only loopback clients are served. With one, every client must send
  // "Authorization: Bearer <token>" (401 without it, 403 with another).
  std::optional<std::string> token;
};

// True for 127.0.0.0/8, ::1 and IPv4-mapped 127.x, as cpp-httplib formats peer addresses.
bool isLoopbackAddress(const std::string& address);

// What /__emulator/health reports of the HTTP layer itself.
struct ServerHealth {
  std::function<nlohmann::json()> request_log;  // {"format":…, "dropped_lines":…}
};

void installControlApi(httplib::Server& server, domain::Emulator& emulator, ControlAccess access,
                       ServerHealth health = {});

}  // namespace live::http
