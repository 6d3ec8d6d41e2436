// The control API under /__emulator/ (docs/control-api.md): our own API, so ordinary HTTP
// statuses and {"error": "..."} bodies that say what was wrong.
#pragma once

#include <httplib.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "domain/emulator.h"

namespace live::http {

struct ControlAccess {
  // Without a token only loopback clients are served. With one, every client must send
  // "Authorization: Bearer <token>" (401 without it, 403 with another).
  std::optional<std::string> token;
  // What no web page may do (docs/control-api.md, "Access"): a Host that is not the bound address,
  // localhost, an IP address (for a wildcard bind) or one of `allowed_hosts` is refused (DNS
  // rebinding); an Origin other than the emulator's own is refused (cross-site requests); a call
  // that changes state needs Content-Type: application/json (a plain form post cannot send it).
  std::string bound_host = "127.0.0.1";
  std::vector<std::string> allowed_hosts;  // --allow-host
  std::string scheme = "http";
};

// Why the control API refuses `request` on these grounds, with the HTTP status, or nullopt.
struct Refusal {
  int status;
  std::string message;
};
std::optional<Refusal> refuseForeign(const httplib::Request& request, const ControlAccess& access);

// True for 127.0.0.0/8, ::1 and IPv4-mapped 127.x, as cpp-httplib formats peer addresses.
bool isLoopbackAddress(const std::string& address);

// What /__emulator/health reports of the HTTP layer itself.
struct ServerHealth {
  std::function<nlohmann::json()> request_log;  // {"format":…, "dropped_lines":…}
};

// A route the control API registers: its method and cpp-httplib's pattern (a regex).
struct ControlRoute {
  std::string method;
  std::string pattern;
};

// Registers every control call; returns their routes (not the catch-all that answers 404).
std::vector<ControlRoute> installControlApi(httplib::Server& server, domain::Emulator& emulator,
                                            ControlAccess access, ServerHealth health = {});

}  // namespace live::http
