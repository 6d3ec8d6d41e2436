// Control API handlers: parse, call the domain, answer JSON. Each handler is small; the access rule
// wraps all of them.
#include "http/control_api.h"

#include <fmt/format.h>
#include <arpa/inet.h>
#include <malloc.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <memory>

#include <functional>
#include <nlohmann/json.hpp>

#include "domain/api/api_catalog.h"
#include "domain/api/parse.h"
#include "http/embedded_files.h"
#include "http/metrics_text.h"
#include "http/routes.h"
#include "protocol/json_limits.h"

namespace live::http {
namespace {

using json = nlohmann::json;
using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

constexpr const char* kJson = "application/json";
constexpr std::size_t kTrimAfterBytes = 1024 * 1024;  // an answer this big is worth trimming after

void reply(httplib::Response& response, int status, const json& body) {
  response.status = status;
  response.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), kJson);
}

void fail(httplib::Response& response, int status, const std::string& message) {
  reply(response, status, json{{"error", message}});
}


// Parses a JSON request body, or answers 400 and returns nullopt.
std::optional<json> jsonBody(const httplib::Request& request, httplib::Response& response) {
  if (request.body.empty()) {
    fail(response, 400, "the request body is empty; send JSON");
    return std::nullopt;
  }
  auto body = protocol::parseUntrustedJson(request.body);
  if (!body) {
    fail(response, 400, "the request body is " + body.error());
    return std::nullopt;
  }
  return std::move(body).value();
}

// Parses an optional sdkappid query parameter; answers 400 on a bad value.
bool sdkAppIdParameter(const httplib::Request& request, httplib::Response& response,
                       std::optional<domain::SdkAppId>& out) {
  if (!request.has_param("sdkappid")) return true;
  const std::string text = request.get_param_value("sdkappid");
  out = domain::parseDecimalUint32(text);
  if (!out) fail(response, 400, fmt::format("sdkappid \"{}\" is not an integer in 0..4294967295", text));
  return out.has_value();
}

// For a call scoped by ?sdkappid=: parses it, and answers 404 when no such app exists. True when
// the call may go on (`out` is empty when the call is not scoped).
bool scopedApp(const httplib::Request& request, httplib::Response& response, const domain::Emulator& emulator,
               std::optional<domain::SdkAppId>& out) {
  if (!sdkAppIdParameter(request, response, out)) return false;
  if (out && emulator.findApp(*out) == nullptr) {
    fail(response, 404, fmt::format("no app {} exists (configured, or added with POST /__emulator/apps)", *out));
    return false;
  }
  return true;
}

// `callbacks` is emulator.callbacks().all(), read once for a whole list of apps.
json appJson(domain::Emulator& emulator, const domain::App& app,
             const std::map<domain::SdkAppId, domain::CallbackConfig>& callbacks, bool with_key) {
  const auto settings = emulator.appStatuses().settingsOf(app);
  json entry{{"sdkappid", app.sdkappid},
             {"root_admin", app.root_admin},
             {"admins", app.admins},
             {"status", domain::toString(settings.status)},
             {"response_style", protocol::toString(settings.response_style)},
             {"strict_members", settings.strict_members},
             {"require_imported_accounts", app.require_imported_accounts},
             {"accounts", emulator.accounts().list(app.sdkappid).size()},
             {"auto_dissolve", domain::autoDissolveRulesToJson(emulator.rooms().rules(app.sdkappid).value_or(app.auto_dissolve))},
             {"added_at_run_time", !emulator.isConfiguredApp(app.sdkappid)}};
  const auto callback = callbacks.find(app.sdkappid);
  entry["callback"] = callback != callbacks.end() ? domain::callbackConfigToJson(callback->second) : json();
  if (with_key) entry["secret_key"] = app.secret_key;
  return entry;
}

json clockJson(domain::EmulatorClock& clock) {
  return json{{"now", domain::unixSecondsFractional(clock.now())},
              {"mode", clock.mode() == domain::EmulatorClock::Mode::kReal ? "real" : "manual"}};
}

json appClockJson(domain::Emulator& emulator, domain::SdkAppId sdkappid) {
  json answer = clockJson(emulator.clock());
  answer["sdkappid"] = sdkappid;
  answer["now"] = domain::unixSecondsFractional(emulator.appNow(sdkappid));
  answer["ahead_seconds"] = std::chrono::duration<double>(emulator.appClockOffset(sdkappid)).count();
  return answer;
}

}  // namespace

namespace {

std::string lowered(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// The host name of a Host header value: "127.0.0.1:9000" -> "127.0.0.1", "[::1]:9000" -> "::1".
std::string hostName(const std::string& host_header) {
  if (!host_header.empty() && host_header.front() == '[') {
    const auto close = host_header.find(']');
    return close == std::string::npos ? host_header : host_header.substr(1, close - 1);
  }
  return lowered(host_header.substr(0, host_header.find(':')));
}

bool isIpAddress(const std::string& name) {
  in6_addr v6{};
  in_addr v4{};
  return inet_pton(AF_INET, name.c_str(), &v4) == 1 || inet_pton(AF_INET6, name.c_str(), &v6) == 1;
}

bool isWildcard(const std::string& address) { return address == "0.0.0.0" || address == "::" || address.empty(); }

bool changesState(const std::string& method) { return method != "GET" && method != "HEAD"; }

}  // namespace

std::optional<Refusal> refuseForeign(const httplib::Request& request, const ControlAccess& access) {
  // A browser always sends Host; a request without one comes from no web page.
  const std::string host_header = request.get_header_value("Host");
  if (!host_header.empty()) {
    const std::string name = hostName(host_header);
    const bool allowed =
        name == "localhost" || name == lowered(access.bound_host) ||
        (isWildcard(access.bound_host) && isIpAddress(name)) ||
        std::any_of(access.allowed_hosts.begin(), access.allowed_hosts.end(),
                    [&](const std::string& allowed_name) { return lowered(allowed_name) == name; });
    if (!allowed) {
      return Refusal{403, fmt::format("the control API refuses Host \"{}\": it answers requests for the "
                                      "bound address ({}) and localhost{}, so that no web page can reach "
                                      "it by DNS rebinding; start the emulator with --allow-host {} to "
                                      "allow that name",
                                      host_header, access.bound_host,
                                      isWildcard(access.bound_host) ? " and IP addresses" : "", name)};
    }
  }
  if (request.has_header("Origin")) {
    const std::string origin = request.get_header_value("Origin");
    const std::string own = access.scheme + "://" + lowered(host_header);
    if (host_header.empty() || lowered(origin) != own) {
      return Refusal{403, fmt::format("the control API refuses calls from web pages of other origins "
                                      "(Origin: {}); it answers its own pages ({}) and clients that "
                                      "send no Origin, such as curl, SDKs and test code",
                                      origin, host_header.empty() ? "none without a Host" : own)};
    }
  }
  if (changesState(request.method)) {
    const std::string type = request.get_header_value("Content-Type");
    if (lowered(type.substr(0, type.find(';'))) != "application/json") {
      return Refusal{415, fmt::format("a control call that changes state needs \"Content-Type: "
                                      "application/json\" (found {}), even without a body; web pages' "
                                      "plain form posts cannot send it",
                                      type.empty() ? "none" : "\"" + type + "\"")};
    }
  }
  return std::nullopt;
}

bool isLoopbackAddress(const std::string& address) {
  return address.rfind("127.", 0) == 0 || address == "::1" || address.rfind("::ffff:127.", 0) == 0;
}

std::vector<ControlRoute> installControlApi(httplib::Server& http_server, domain::Emulator& emulator,
                                           ControlAccess access, ServerHealth health) {
  // Every route is registered through this recorder, so the list of routes (checked against
  // openapi.json by a test) cannot fall behind the code.
  struct Recorder {
    httplib::Server& http;
    std::vector<ControlRoute> routes;
    void Get(const std::string& pattern, const Handler& handler) { http.Get(pattern, handler); routes.push_back({"GET", pattern}); }
    void Post(const std::string& pattern, const Handler& handler) { http.Post(pattern, handler); routes.push_back({"POST", pattern}); }
    void Delete(const std::string& pattern, const Handler& handler) { http.Delete(pattern, handler); routes.push_back({"DELETE", pattern}); }
  } server{http_server, {}};
  // Every control handler passes this gate first.
  auto trim_pending = std::make_shared<std::atomic<bool>>(false);
  const auto guarded = [access, &emulator, trim_pending](Handler handler) -> Handler {
    return [access, handler, &emulator, trim_pending](const httplib::Request& request, httplib::Response& response) {
      if (const auto refusal = refuseForeign(request, access)) {
        return fail(response, refusal->status, refusal->message);
      }
      if (access.token) {
        const std::string header = request.get_header_value("Authorization");
        const std::string expected = "Bearer " + *access.token;
        if (header.empty()) {
          response.set_header("WWW-Authenticate", "Bearer");
          return fail(response, 401, "the control API needs \"Authorization: Bearer <token>\"");
        }
        if (header.size() != expected.size() ||
            CRYPTO_memcmp(header.data(), expected.data(), expected.size()) != 0) {
          return fail(response, 403, "the control API token is wrong");
        }
      } else if (!isLoopbackAddress(request.remote_addr)) {
        return fail(response, 403,
                    "the control API answers loopback clients only; start the emulator with "
                    "--control-token to allow others");
      }
      // Rooms whose time to dissolve by themselves has come are gone before any control call looks.
      emulator.catchUp();
      // After a control call that freed much (a full journal read's answer of 11 MB, a reset's rooms
      // and journal), the next one gives free memory back to the system first, so RSS follows what
      // is live (docs/performance.md, "Dashboard and soak"). The vendor API never pays for it.
      if (trim_pending->exchange(false)) malloc_trim(0);
      handler(request, response);
      if (changesState(request.method) || response.body.size() > kTrimAfterBytes) trim_pending->store(true);
    };
  };

  // The dashboard (docs/dashboard.md): static files built into the binary. They hold no state and
  // no secret, so they are served without the token (the page asks for it and sends it with its
  // calls), but only to whom the control API itself would answer.
  const auto page = [access](const EmbeddedFile& file, const char* type) -> Handler {
    return [access, file, type](const httplib::Request& request, httplib::Response& response) {
      if (const auto refusal = refuseForeign(request, access)) return fail(response, refusal->status, refusal->message);
      if (!access.token && !isLoopbackAddress(request.remote_addr)) {
        return fail(response, 403, "the dashboard answers loopback clients only; start the emulator with "
                                   "--control-token to allow others");
      }
      response.set_header("Content-Security-Policy",
                          "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                          "img-src 'self' data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'");
      response.set_header("X-Content-Type-Options", "nosniff");
      response.set_header("Cache-Control", "no-cache");
      response.set_content(file.bytes.data(), file.bytes.size(), type);
    };
  };
  const auto fileType = [](std::string_view name) {
    return name.ends_with(".html") ? "text/html; charset=utf-8"
           : name.ends_with(".js") ? "text/javascript; charset=utf-8"
                                   : "text/css; charset=utf-8";
  };
  for (const auto& file : dashboardFiles()) {
    if (file.name == "index.html") {
      server.Get("/__emulator/ui", page(file, fileType(file.name)));
      server.Get("/__emulator/ui/", page(file, fileType(file.name)));
    }
  }
  server.Get(R"(/__emulator/ui/([A-Za-z0-9_.-]+))",
             [page, fileType, access](const httplib::Request& request, httplib::Response& response) {
               const std::string name = request.matches[1];
               for (const auto& file : dashboardFiles()) {
                 if (file.name == name) return page(file, fileType(file.name))(request, response);
               }
               if (const auto refusal = refuseForeign(request, access)) return fail(response, refusal->status, refusal->message);
               fail(response, 404, fmt::format("the dashboard has no file \"{}\"", name));
             });

  // This API's description (docs/control-api.md, "OpenAPI"), built into the binary.
  server.Get("/__emulator/openapi.json", guarded([](const httplib::Request&, httplib::Response& response) {
               const auto& document = openapiFiles().front();
               response.set_content(document.bytes.data(), document.bytes.size(), kJson);
             }));

  server.Get("/__emulator/health", guarded([health](const httplib::Request&, httplib::Response& response) {
               json answer{{"status", "ok"}};
               if (health.request_log) answer["request_log"] = health.request_log();
               reply(response, 200, answer);
             }));

  // ?sdkappid=N resets one app only (docs/control-api.md, "Apps at run time").
  server.Post("/__emulator/reset", guarded([&emulator](const httplib::Request& request, httplib::Response& response) {
                std::optional<domain::SdkAppId> sdkappid;
                if (!scopedApp(request, response, emulator, sdkappid)) return;
                if (sdkappid) {
                  emulator.resetApp(*sdkappid);
                  return reply(response, 200, json{{"status", "reset"}, {"sdkappid", *sdkappid}, {"parts", emulator.statefulParts()}});
                }
                emulator.reset();
                reply(response, 200, json{{"status", "reset"}, {"parts", emulator.statefulParts()}});
              }));

  server.Get("/__emulator/rooms", guarded([&emulator](const httplib::Request& request, httplib::Response& response) {
               std::optional<domain::SdkAppId> sdkappid;
               if (!sdkAppIdParameter(request, response, sdkappid)) return;
               std::vector<domain::Room> rooms;
               if (sdkappid) {
                 auto listed = emulator.rooms().list(*sdkappid);
                 if (!listed) return fail(response, 404, fmt::format("no app {} is configured", *sdkappid));
                 rooms = std::move(*listed);
               } else {
                 rooms = emulator.rooms().all();
               }
               json list = json::array();
               for (const auto& room : rooms) list.push_back(domain::roomToJson(room));
               reply(response, 200, json{{"rooms", list}});
             }));

  // One room object, or {"rooms":[room objects]} added all or nothing.
  server.Post("/__emulator/rooms", guarded([&emulator](const httplib::Request& request, httplib::Response& response) {
                auto body = jsonBody(request, response);
                if (!body) return;
                const bool batch = body->is_object() && body->contains("rooms");
                if (batch && (body->size() != 1 || !(*body)["rooms"].is_array())) {
                  return fail(response, 400, R"(expected a room object or {"rooms":[room objects]})");
                }
                const json items = batch ? (*body)["rooms"] : json::array({*body});
                std::vector<domain::Room> rooms;
                rooms.reserve(items.size());
                for (std::size_t i = 0; i < items.size(); ++i) {
                  const std::string path = batch ? fmt::format("rooms[{}]", i) : "room";
                  const json& item = items[i];
                  // A well-formed id of an app that is not configured is 404; anything else wrong is
                  // parseRoom's 400.
                  const auto sdkappid = item.is_object() && item.contains("sdkappid")
                                            ? domain::nonNegativeInteger(item["sdkappid"])
                                            : std::nullopt;
                  if (sdkappid && *sdkappid <= UINT32_MAX &&
                      !emulator.findApp(static_cast<domain::SdkAppId>(*sdkappid))) {
                    return fail(response, 404, fmt::format("{}: no app {} is configured", path, *sdkappid));
                  }
                  auto parsed = domain::parseRoom(item, path, emulator.apps());
                  if (!parsed) return fail(response, 400, parsed.error());
                  rooms.push_back(domain::roomAt(parsed.value(), emulator.appNow(parsed.value().room.sdkappid)));
                }
                for (std::size_t i = 0; i < rooms.size(); ++i) {
                  if (emulator.rooms().add(rooms[i]) == domain::RoomStore::AddResult::kAdded) continue;
                  // Undo this request's additions so that a conflict changes nothing.
                  for (std::size_t j = 0; j < i; ++j) emulator.rooms().remove(rooms[j].sdkappid, rooms[j].room_id);
                  return fail(response, 409, fmt::format("room \"{}\" already exists in app {}{}", rooms[i].room_id,
                                                         rooms[i].sdkappid, batch ? "; no room was added" : ""));
                }
                if (!batch) return reply(response, 201, domain::roomToJson(rooms[0]));
                reply(response, 201, json{{"added", rooms.size()}});
              }));

  // Occupancy: members enter and leave, the owner's heartbeat is lost or restored (docs/control-api.md,
  // "Occupancy and self-dissolving rooms").
  const auto occupancyJson = [](const domain::RoomStore::OccupancyView& view) {
    json members = json::array();
    for (const auto& [id, robot] : view.occupancy.members) members.push_back({{"id", id}, {"robot", robot}});
    const auto at = [](const std::optional<domain::Instant>& instant) {
      return instant ? json(domain::unixSecondsFractional(*instant)) : json(nullptr);
    };
    // Who sits where (the room's parts write only the seats' locks).
    json seats = json::array();
    for (std::size_t i = 0; i < view.room.parts.seats.size(); ++i) {
      const auto& seat = view.room.parts.seats[i];
      seats.push_back({{"Index", i},
                       {"Member_Account", seat.member},
                       {"IsTakenDisabled", seat.taken_disabled},
                       {"IsVideoDisabled", seat.video_disabled},
                       {"IsAudioDisabled", seat.audio_disabled}});
    }
    return json{{"room", domain::roomToJson(view.room)},
                {"members", members},
                {"seats", seats},
                {"empty_since", view.occupancy.members.empty() ? at(view.occupancy.empty_since) : json(nullptr)},
                {"owner_left_at", at(view.occupancy.owner_left_at)},
                {"owner_heartbeat_lost_at", at(view.occupancy.owner_heartbeat_lost_at)},
                {"dissolves_at", view.dissolves ? at(view.dissolves->at) : json(nullptr)},
                {"dissolve_reason",
                 view.dissolves ? json(std::string(domain::toString(view.dissolves->reason))) : json(nullptr)}};
  };
  server.Post(R"(/__emulator/rooms/([0-9]+)/(.+)/members)",
              guarded([&emulator, occupancyJson](const httplib::Request& request, httplib::Response& response) {
                auto body = jsonBody(request, response);
                if (!body) return;
                auto events = domain::parseMemberEvents(*body, "members");
                if (!events) return fail(response, 400, events.error());
                const std::string id_text = request.matches[1];
                const std::string room_id = request.matches[2];
                const auto sdkappid = domain::parseDecimalUint32(id_text);
                if (!sdkappid) return fail(response, 404, fmt::format("no app {} is configured", id_text));
                const auto view = emulator.changeMembers(*sdkappid, room_id, events.value());
                if (!view) return fail(response, 404, fmt::format("no room \"{}\" in app {}", room_id, *sdkappid));
                reply(response, 200, occupancyJson(*view));
              }));
  server.Get(R"(/__emulator/rooms/([0-9]+)/(.+)/members)",
             guarded([&emulator, occupancyJson](const httplib::Request& request, httplib::Response& response) {
               const std::string id_text = request.matches[1];
               const std::string room_id = request.matches[2];
               const auto sdkappid = domain::parseDecimalUint32(id_text);
               if (!sdkappid) return fail(response, 404, fmt::format("no app {} is configured", id_text));
               const auto view = emulator.rooms().occupancy(*sdkappid, room_id);
               if (!view) return fail(response, 404, fmt::format("no room \"{}\" in app {}", room_id, *sdkappid));
               reply(response, 200, occupancyJson(*view));
             }));

  // Each app's settings in force: status, response style, auto-dissolve rules.
  server.Get("/__emulator/apps", guarded([&emulator](const httplib::Request&, httplib::Response& response) {
               json apps = json::array();
               const auto callbacks = emulator.callbacks().all();
               for (const auto& app : emulator.apps()) apps.push_back(appJson(emulator, app, callbacks, false));
               reply(response, 200, json{{"apps", apps}});
             }));
  // An app added at run time, for one test (docs/control-api.md, "Apps at run time"). The answer
  // carries its secret key, which the test signs its UserSigs with.
  server.Post("/__emulator/apps", guarded([&emulator](const httplib::Request& request, httplib::Response& response) {
                auto body = jsonBody(request, response);
                if (!body) return;
                auto app = emulator.addApp(*body);
                if (!app) {
                  const bool exists = app.error().find("exists already") != std::string::npos;
                  return fail(response, exists ? 409 : 400, app.error());
                }
                reply(response, 201, appJson(emulator, app.value(), emulator.callbacks().all(), true));
              }));
  server.Delete(R"(/__emulator/apps/([0-9]+))",
                guarded([&emulator](const httplib::Request& request, httplib::Response& response) {
                  const std::string id_text = request.matches[1];
                  const auto sdkappid = domain::parseDecimalUint32(id_text);
                  const auto result = sdkappid ? emulator.removeApp(*sdkappid) : domain::Emulator::RemoveAppResult::kAbsent;
                  if (result == domain::Emulator::RemoveAppResult::kConfigured) {
                    return fail(response, 409, fmt::format("app {} is in the configuration: only apps added with "
                                                           "POST /__emulator/apps can be removed", id_text));
                  }
                  if (result == domain::Emulator::RemoveAppResult::kAbsent) {
                    return fail(response, 404, fmt::format("no app {} was added at run time", id_text));
                  }
                  reply(response, 200, json{{"deleted", *sdkappid}});
                }));

  // Sets some or all of a room's five counters ({"TotalViewers": 12, ...}); the others keep theirs.
  server.Post(R"(/__emulator/rooms/([0-9]+)/(.+)/statistic)",
              guarded([&emulator](const httplib::Request& request, httplib::Response& response) {
                auto body = jsonBody(request, response);
                if (!body) return;
                // Validated before the room is touched, so a bad counter changes nothing.
                if (auto checked = domain::parseStatistic(*body, "statistic", {}); !checked) {
                  return fail(response, 400, checked.error());
                }
                const std::string id_text = request.matches[1];
                const std::string room_id = request.matches[2];
                const auto sdkappid = domain::parseDecimalUint32(id_text);
                if (!sdkappid) return fail(response, 404, fmt::format("no app {} is configured", id_text));
                const auto changed = emulator.rooms().modify(*sdkappid, room_id, [&](domain::Room& room) {
                  room.statistic = domain::parseStatistic(*body, "statistic", room.statistic).value();
                });
                if (!changed) {
                  return fail(response, 404, fmt::format("no room \"{}\" in app {}", room_id, *sdkappid));
                }
                reply(response, 200, domain::roomToJson(*changed));
              }));

  server.Delete(R"(/__emulator/rooms/([0-9]+)/(.+))",
                guarded([&emulator](const httplib::Request& request, httplib::Response& response) {
                  const std::string id_text = request.matches[1];
                  const std::string room_id = request.matches[2];
                  const auto parsed = domain::parseDecimalUint32(id_text);
                  if (!parsed) return fail(response, 404, fmt::format("no app {} is configured", id_text));
                  const domain::SdkAppId sdkappid = *parsed;
                  switch (emulator.removeRoom(sdkappid, room_id)) {
                    case domain::RoomStore::RemoveResult::kRemoved:
                      return reply(response, 200, json{{"deleted", room_id}});
                    case domain::RoomStore::RemoveResult::kUnknownApp:
                      return fail(response, 404, fmt::format("no app {} is configured", sdkappid));
                    default:
                      return fail(response, 404, fmt::format("no room \"{}\" in app {}", room_id, sdkappid));
                  }
                }));

  server.Post("/__emulator/faults", guarded([&emulator](const httplib::Request& request, httplib::Response& response) {
                auto body = jsonBody(request, response);
                if (!body) return;
                auto rule = domain::parseFaultRule(*body, "fault");
                if (!rule) return fail(response, 400, rule.error());
                reply(response, 201, json{{"id", emulator.faults().add(std::move(rule).value())}});
              }));
  server.Get("/__emulator/faults", guarded([&emulator](const httplib::Request& request, httplib::Response& response) {
               std::optional<domain::SdkAppId> sdkappid;
               if (!scopedApp(request, response, emulator, sdkappid)) return;
               json list = json::array();
               for (const auto& rule : sdkappid ? emulator.faults().list(*sdkappid) : emulator.faults().list()) {
                 list.push_back(domain::faultRuleToJson(rule));
               }
               reply(response, 200, json{{"faults", list}});
             }));
  server.Delete(R"(/__emulator/faults/([0-9]+))",
                guarded([&emulator](const httplib::Request& request, httplib::Response& response) {
                  const std::string id_text = request.matches[1];
                  const auto id = domain::nonNegativeInteger(json::parse(id_text, nullptr, false));
                  if (!id || !emulator.faults().remove(*id)) {
                    return fail(response, 404, fmt::format("no fault rule {} is left (used up, expired or never added)", id_text));
                  }
                  reply(response, 200, json{{"deleted", *id}});
                }));
  server.Delete("/__emulator/faults", guarded([&emulator](const httplib::Request& request, httplib::Response& response) {
                  std::optional<domain::SdkAppId> sdkappid;
                  if (!scopedApp(request, response, emulator, sdkappid)) return;
                  if (sdkappid) emulator.faults().clear(*sdkappid); else emulator.faults().clear();
                  reply(response, 200, json{{"faults", json::array()}});
                }));

  server.Get("/__emulator/requests", guarded([&emulator](const httplib::Request& request, httplib::Response& response) {
               domain::JournalFilter filter;
               if (request.has_param("api")) filter.api = request.get_param_value("api");
               if (request.has_param("room_id")) filter.room_id = request.get_param_value("room_id");
               if (request.has_param("room")) filter.room_id = request.get_param_value("room");
               if (!sdkAppIdParameter(request, response, filter.sdkappid)) return;
               // Polling: ?after_seq=N returns what came after N; ?limit=M at most M entries.
               std::optional<std::uint64_t> after_seq;
               std::size_t limit = SIZE_MAX;
               bool newest = false;
               if (request.has_param("after_seq")) {
                 const auto value = domain::nonNegativeInteger(json::parse(request.get_param_value("after_seq"), nullptr, false));
                 if (!value) return fail(response, 400, "after_seq: expected a non-negative integer (a seq from the journal)");
                 after_seq = *value;
               }
               if (request.has_param("limit")) {
                 const auto value = domain::nonNegativeInteger(json::parse(request.get_param_value("limit"), nullptr, false));
                 if (!value || *value == 0) return fail(response, 400, "limit: expected a positive integer");
                 limit = static_cast<std::size_t>(std::min<std::uint64_t>(*value, SIZE_MAX));
               }
               // ?last=M: the newest M entries (the dashboard's first read).
               if (request.has_param("last")) {
                 if (request.has_param("limit")) return fail(response, 400, "give limit or last, not both");
                 const auto value = domain::nonNegativeInteger(json::parse(request.get_param_value("last"), nullptr, false));
                 if (!value || *value == 0) return fail(response, 400, "last: expected a positive integer");
                 limit = static_cast<std::size_t>(std::min<std::uint64_t>(*value, SIZE_MAX));
                 newest = true;
               }
               const auto selection = emulator.journal().select(filter, after_seq, limit, newest);
               // Written straight into the answer: no JSON document of 10,000 entries.
               std::string body = "{\"requests\":[";
               body.reserve(1024 * (selection.entries.size() + 1));
               for (std::size_t i = 0; i < selection.entries.size(); ++i) {
                 if (i > 0) body += ',';
                 domain::appendJournalEntryJson(*selection.entries[i], body);
               }
               body += "],\"last_seq\":" + std::to_string(selection.last_seq) + "}";
               response.status = 200;
               response.body = std::move(body);  // moved, not copied as set_content() would
               response.set_header("Content-Type", kJson);
             }));
  server.Delete("/__emulator/requests", guarded([&emulator](const httplib::Request& request, httplib::Response& response) {
                  std::optional<domain::SdkAppId> sdkappid;
                  if (!scopedApp(request, response, emulator, sdkappid)) return;
                  if (sdkappid) emulator.journal().clear(*sdkappid); else emulator.journal().clear();
                  reply(response, 200, json{{"requests", json::array()}});
                }));

  // Verification on the journal or the callback log, optionally waiting for it to hold
  // (docs/control-api.md, "Verification"). A verification that fails is still answered 200.
  server.Post("/__emulator/verify", guarded([&emulator](const httplib::Request& request, httplib::Response& response) {
                auto body = jsonBody(request, response);
                if (!body) return;
                auto verification = domain::parseVerification(*body);
                if (!verification) return fail(response, 400, verification.error());
                if (verification.value().sdkappid && emulator.findApp(*verification.value().sdkappid) == nullptr) {
                  return fail(response, 404, fmt::format("sdkappid: no app {} exists", *verification.value().sdkappid));
                }
                const auto result = emulator.verify(verification.value());
                reply(response, 200, json{{"ok", result.ok}, {"matched", result.matched}, {"message", result.message},
                                          {"calls", result.calls}});
              }));

  // Webhook deliveries (docs/control-api.md, "Callbacks"), filtered like the journal.
  server.Get("/__emulator/callbacks", guarded([&emulator](const httplib::Request& request, httplib::Response& response) {
               domain::CallbackFilter filter;
               if (request.has_param("command")) filter.command = request.get_param_value("command");
               if (request.has_param("room_id")) filter.room_id = request.get_param_value("room_id");
               if (!sdkAppIdParameter(request, response, filter.sdkappid)) return;
               json callbacks = json::array();
               for (const auto& delivery : emulator.callbackLog().select(filter)) {
                 callbacks.push_back(domain::callbackDeliveryToJson(delivery));
               }
               reply(response, 200, json{{"callbacks", callbacks}});
             }));
  server.Delete("/__emulator/callbacks", guarded([&emulator](const httplib::Request& request, httplib::Response& response) {
                  std::optional<domain::SdkAppId> sdkappid;
                  if (!scopedApp(request, response, emulator, sdkappid)) return;
                  if (sdkappid) emulator.callbackLog().clear(*sdkappid); else emulator.callbackLog().clear();
                  reply(response, 200, json{{"callbacks", json::array()}});
                }));

  // ?sdkappid=N: that app's own time, which only {"advance_seconds": S} moves.
  server.Get("/__emulator/clock", guarded([&emulator](const httplib::Request& request, httplib::Response& response) {
               std::optional<domain::SdkAppId> sdkappid;
               if (!scopedApp(request, response, emulator, sdkappid)) return;
               reply(response, 200, sdkappid ? appClockJson(emulator, *sdkappid) : clockJson(emulator.clock()));
             }));
  server.Post("/__emulator/clock", guarded([&emulator](const httplib::Request& request, httplib::Response& response) {
                std::optional<domain::SdkAppId> sdkappid;
                if (!scopedApp(request, response, emulator, sdkappid)) return;
                auto body = jsonBody(request, response);
                if (!body) return;
                auto setting = domain::parseClockSetting(*body, "clock");
                if (!setting) return fail(response, 400, setting.error());
                if (sdkappid) {
                  if (setting.value().kind != domain::ClockSetting::Kind::kAdvance) {
                    return fail(response, 400, "clock: an app's own clock only moves forward, with {\"advance_seconds\": S}; "
                                               "freeze or free the emulator's clock without ?sdkappid");
                  }
                  emulator.advanceApp(*sdkappid, std::chrono::nanoseconds(static_cast<std::int64_t>(setting.value().seconds * 1e9)));
                  return reply(response, 200, appClockJson(emulator, *sdkappid));
                }
                emulator.apply(setting.value());
                reply(response, 200, clockJson(emulator.clock()));
              }));

  // Prometheus' text format (docs/control-api.md, "Metrics").
  server.Get("/__emulator/metrics", guarded([&emulator](const httplib::Request&, httplib::Response& response) {
               response.status = 200;
               response.body = prometheusText(emulator);
               response.set_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
             }));

  // The rate limiter's window of each app and API (the dashboard's limiter panel).
  server.Get("/__emulator/limiter", guarded([&emulator](const httplib::Request& request, httplib::Response& response) {
               std::optional<domain::SdkAppId> sdkappid;
               if (!scopedApp(request, response, emulator, sdkappid)) return;
               json windows = json::array();
               for (const auto& window : emulator.rateWindows()) {
                 if (sdkappid && window.sdkappid != *sdkappid) continue;
                 windows.push_back({{"sdkappid", window.sdkappid},
                                    {"api", window.api},
                                    {"limit", window.limit},
                                    {"in_window", window.in_window}});
               }
               reply(response, 200, json{{"now", domain::unixSecondsFractional(emulator.clock().now())},
                                         {"windows", windows}});
             }));

  // The scenario recipes built into the binary (fixtures/scenarios/), ready to post back.
  server.Get("/__emulator/scenarios", guarded([](const httplib::Request&, httplib::Response& response) {
               json recipes = json::array();
               for (const auto& recipe : scenarioRecipes()) {
                 std::string name(recipe.name);
                 if (name.ends_with(".json")) name.resize(name.size() - 5);
                 json document = json::parse(recipe.bytes, nullptr, false);
                 const std::string description =
                     document.is_object() ? document.value("description", std::string()) : std::string();
                 recipes.push_back({{"name", name}, {"description", description}, {"scenario", document}});
               }
               reply(response, 200, json{{"scenarios", recipes}});
             }));

  server.Post("/__emulator/scenarios", guarded([&emulator](const httplib::Request& request, httplib::Response& response) {
                auto body = jsonBody(request, response);
                if (!body) return;
                auto scenario = domain::parseScenario(*body, emulator.apps());
                if (!scenario) return fail(response, 400, scenario.error());
                if (auto problem = emulator.problemWith(scenario.value())) return fail(response, 400, *problem);
                emulator.apply(scenario.value());
                reply(response, 200,
                      json{{"applied",
                            {{"rooms", scenario.value().rooms.size()},
                             {"faults", scenario.value().faults.size()},
                             {"clock", clockJson(emulator.clock())}}}});
              }));

  // Anything else under /__emulator/: say what exists.
  const auto unknown = guarded([](const httplib::Request& request, httplib::Response& response) {
    fail(response, 404,
         fmt::format("{} {} is not a control call; see docs/control-api.md",
                     request.method, request.path));
  });
  routeEveryMethod(http_server, R"(/__emulator/.*)", unknown);
  return std::move(server.routes);
}

}  // namespace live::http
