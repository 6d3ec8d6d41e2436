// live-emulator: the local stand-in for Tencent Cloud's live_engine_http_srv REST API.
// Command line and process lifecycle only; everything else lives in the libraries.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <httplib.h>
#include <malloc.h>
#include <pthread.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <thread>

#include "cli/command_line.h"
#include "domain/config.h"
#include "domain/emulator.h"
#include "domain/state_file.h"
#include "http/http_server.h"
#include "protocol/endpoints.h"

namespace {

// Exit codes (sysexits.h), documented in docs/live-emulator.md, "Exit codes".
constexpr int kExitOk = 0;
constexpr int kExitUnavailable = 69;  // cannot listen on the requested address
constexpr int kExitConfig = 78;

int fail(int code, const std::string& message) {
  std::fprintf(stderr, "live-emulator: %s\n", message.c_str());
  return code;
}

// --probe: asks a running emulator (this command line's --host/--port, or the environment's) for
// GET /__emulator/health, the way a container health check does where there is no curl. Exit 0
// when it answers 200, 1 otherwise, with the reason on stderr.
int probe(std::string host, int port, const std::string& control_token, bool tls) {
  if (host == "0.0.0.0" || host.empty()) host = "127.0.0.1";
  if (host == "::") host = "::1";
  const std::string url = live::protocol::baseUrl(tls ? "https" : "http", host, port);
  httplib::Client client(url);
  client.set_tcp_nodelay(true);
  client.set_connection_timeout(2, 0);
  client.set_read_timeout(2, 0);
  client.enable_server_certificate_verification(false);  // our own, on loopback
  httplib::Headers headers;
  if (!control_token.empty()) headers.emplace("Authorization", "Bearer " + control_token);
  const auto answer = client.Get("/__emulator/health", headers);
  if (!answer) {
    std::fprintf(stderr, "live-emulator --probe: %s/__emulator/health: no answer (%s)\n", url.c_str(),
                 httplib::to_string(answer.error()).c_str());
    return 1;
  }
  if (answer->status != 200) {
    std::fprintf(stderr, "live-emulator --probe: %s/__emulator/health: HTTP %d: %s\n", url.c_str(),
                 answer->status, answer->body.c_str());
    return 1;
  }
  std::printf("%s\n", answer->body.c_str());
  return kExitOk;
}

void printStartup(const live::domain::EmulatorConfig& config, std::size_t rooms, bool embedded_default,
                  const std::string& base_url) {
  for (const auto& app : config.apps) {
    std::string admins = app.root_admin + " (root)";
    for (const auto& admin : app.admins) admins += ", " + admin;
    std::printf("  app %u (%s): admins %s\n", app.sdkappid,
                std::string(live::domain::toString(app.status)).c_str(), admins.c_str());
    // Keys from a config file are never echoed; the embedded default's key is public by design.
    if (embedded_default) std::printf("  secret key: %s\n", app.secret_key.c_str());
  }
  std::printf("  rooms: %zu\n", rooms);
  std::printf("  dashboard: %s/__emulator/ui\n", base_url.c_str());
  if (embedded_default) {
    std::printf("  try: POST /v4/live_engine_http_srv/destroy_room?sdkappid=88888888&"
                "identifier=admin&usersig=<UserSig>&random=99999999&contenttype=json "
                "with body {\"RoomId\":\"live-room\"}\n");
  }
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  // Memory stays flat under long use (docs/performance.md, "Dashboard and soak"); both chosen.
  // - At most one malloc arena per core (at least 2). glibc's default of 8 per core gave each of
  //   the server's threads its own arena in turn, and RSS crept from 40 to 60 MiB over an 8-minute
  //   soak; with 2 arenas it stayed at 39-40 MiB, at the same throughput.
  // - Buffers of 256 KiB and more (a full journal read builds an 11 MB answer) are mapped and given
  //   back when freed; setting the threshold also stops glibc from raising it to the largest buffer
  //   freed and serving later ones from the heap.
  mallopt(M_ARENA_MAX, static_cast<int>(std::max(2u, std::thread::hardware_concurrency())));
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  CLI::App cli{"live-emulator: a local emulator of Tencent Cloud's live_engine_http_srv REST API "
               "(destroy_room)",
               "live-emulator"};
  std::string host = "127.0.0.1";
  int port = 9000;
  std::string config_path;
  std::optional<std::uint32_t> rate_limit;
  bool lenient = false;
  std::size_t journal_size = 10'000;
  std::vector<std::string> scenario_paths;
  std::string control_token;
  std::string log_format = "text";
  std::string state_path;
  std::string tls_cert;
  std::vector<std::string> allowed_hosts;
  std::string tls_key;
  // Chosen: four flags also come from the environment (a flag given wins), so that a container
  // image can listen on 0.0.0.0:9000 while `docker run IMAGE --config FILE` still works.
  cli.add_option("--host", host, "Address to listen on")->envname("LIVE_EMULATOR_HOST")->capture_default_str();
  cli.add_option("--port", port, "Port to listen on; 0 picks a free port")
      ->envname("LIVE_EMULATOR_PORT")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cli.add_option("--config", config_path, "JSON configuration file (apps, rooms, rate_limits); "
                                          "without it, the embedded default")
      ->envname("LIVE_EMULATOR_CONFIG");
  cli.add_option("--rate-limit", rate_limit,
                 "Requests per second per app for every API, overriding the documented limits "
                 "and the config; 0 turns limiting off")
      ->check(CLI::Range(0u, live::domain::RateLimiter::kMaxLimit));
  cli.add_flag("--lenient", lenient, "Accept requests without the 'random' parameter");
  cli.add_option("--journal-size", journal_size,
                 "Requests kept in the journal (GET /__emulator/requests), most recent first out")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}))
      ->capture_default_str();
  cli.add_option("--scenario", scenario_paths,
                 "Scenario file (rooms, faults, clock, app statuses) applied at start and after "
                 "each reset; repeatable");
  cli.add_option("--control-token", control_token,
                 "Serve the control API to any client sending 'Authorization: Bearer TOKEN' "
                 "(without it: loopback clients only)")
      ->envname("LIVE_EMULATOR_CONTROL_TOKEN");
  cli.add_option("--state-file", state_path,
                 "Keep rooms across restarts in FILE: created from the config's rooms if missing, "
                 "the room state if present; every change is durable before it is answered");
  cli.add_option("--allow-host", allowed_hosts,
                 "Also answer control calls whose Host is NAME (besides the bound address and "
                 "localhost); repeatable");
  auto* cert_option = cli.add_option("--tls-cert", tls_cert,
                                     "Serve HTTPS with this PEM certificate chain (scripts/dev-cert makes "
                                     "one); needs --tls-key");
  auto* key_option = cli.add_option("--tls-key", tls_key, "The PEM private key of --tls-cert");
  cert_option->needs(key_option);
  key_option->needs(cert_option);
  cli.add_option("--log-format", log_format, "Request log on stderr: text, json or none")
      ->check(CLI::IsMember({"text", "json", "none"}))
      ->capture_default_str();
  bool probe_only = false;
  cli.add_flag("--probe", probe_only,
               "Do not start: ask the emulator at --host/--port for GET /__emulator/health and exit "
               "0 if it is ready (a container health check)");
  if (const auto exit_code = live::cli::parseCommandLine(cli, argc, argv, "live-emulator", LIVE_VERSION,
                                                        "docs/live-emulator.md (flags, config, request log) and docs/control-api.md (the control API)")) {
    return *exit_code;
  }
  if (probe_only) return probe(host, port, control_token, !tls_cert.empty());

  live::domain::EmulatorConfig config;
  if (config_path.empty()) {
    config = live::domain::embeddedDefaultConfig();
  } else {
    auto loaded = live::domain::loadConfigFile(config_path);
    if (!loaded) return fail(kExitConfig, loaded.error());
    config = std::move(loaded).value();
  }

  // Signals are taken by one thread with sigwait(); every other thread inherits the block.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  live::domain::EmulatorOptions options;
  options.lenient_random = lenient;
  options.rate_limit = rate_limit;
  options.journal_size = journal_size;
  for (const auto& path : scenario_paths) {
    auto scenario = live::domain::loadScenarioFile(path, config.apps);
    if (!scenario) return fail(kExitConfig, scenario.error());
    // Member events need a room: one of the config's, or one a start-up scenario adds.
    for (std::size_t i = 0; i < scenario.value().members.size(); ++i) {
      const auto& entry = scenario.value().members[i];
      const auto names = [&](const live::domain::RoomConfig& room) {
        return room.room.sdkappid == entry.sdkappid && room.room.room_id == entry.room_id;
      };
      bool found = std::any_of(config.rooms.begin(), config.rooms.end(), names);
      for (const auto& earlier : options.scenarios) found = found || std::any_of(earlier.rooms.begin(), earlier.rooms.end(), names);
      found = found || std::any_of(scenario.value().rooms.begin(), scenario.value().rooms.end(), names);
      if (!found) {
        return fail(kExitConfig, fmt::format("{}: members[{}].room_id: no room \"{}\" in app {} (add it "
                                             "in the scenario's rooms)",
                                             path, i, entry.room_id, entry.sdkappid));
      }
    }
    options.scenarios.push_back(std::move(scenario).value());
  }
  live::http::ServerSettings settings;
  if (!control_token.empty()) settings.control.token = control_token;
  settings.control.bound_host = host;
  settings.control.allowed_hosts = allowed_hosts;
  settings.log_format = *live::http::logFormatFromString(log_format);
  const bool embedded_default = config_path.empty();
  const auto summary = config;
  live::domain::Emulator emulator(std::move(config), options);
  std::unique_ptr<live::domain::StateFile> state_file;
  if (!state_path.empty()) {
    std::vector<std::string> notes;
    auto attached = live::domain::StateFile::attach(state_path, emulator, &notes);
    for (const auto& note : notes) std::fprintf(stderr, "live-emulator: %s\n", note.c_str());
    if (!attached) return fail(kExitConfig, attached.error());
    state_file = std::move(attached).value();
  }
  if (!tls_cert.empty()) settings.tls = live::http::ServerSettings::TlsFiles{tls_cert, tls_key};
  live::http::HttpServer server(emulator, settings);
  if (const auto tls = server.loadTls(); !tls) return fail(kExitConfig, tls.error());
  const auto bound = server.bind(host, port);
  if (!bound) return fail(kExitUnavailable, bound.error());

  const std::string base_url = live::protocol::baseUrl(server.scheme(), host, bound.value());
  std::printf("live-emulator listening on %s\n", base_url.c_str());
  std::fflush(stdout);
  printStartup(summary, emulator.rooms().size(), embedded_default, base_url);

  std::thread signal_waiter([&server, stop_signals] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    server.stop();
  });
  server.serve();
  // serve() returns only after stop(): the waiter has already run.
  signal_waiter.join();
  return kExitOk;
}
