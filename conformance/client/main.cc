// live-client: the reference client's command line (docs/live-client.md).
//   destroy-room [ROOM_ID...]   dissolve rooms (from arguments, or one per line on stdin)
//   create-room, get-room, update-room, list-rooms, room-stats   the room lifecycle
//   adapter [OP] ROOM_ID...     the live-conformance adapter protocol (destroy, create, get, update, list)
//   usersig                     print a UserSig for the settings
//   verify-usersig USERSIG      say whether a UserSig is valid for the settings, and if not, why
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "cli/command_line.h"
#include "live_client.h"
#include "protocol/text.h"
#include "protocol/usersig.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitApiError = 1;
constexpr int kExitTransport = 2;
constexpr int kExitUsage = live::cli::kExitUsage;

std::int64_t nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string when(std::int64_t unix_seconds) {
  return fmt::format("{} ({:%Y-%m-%d %H:%M:%S} UTC)", unix_seconds,
                     std::chrono::sys_seconds(std::chrono::seconds(unix_seconds)));
}

// Settings shared by the subcommands; each may come from the environment.
struct Settings {
  std::string endpoint;
  std::uint32_t sdkappid = 0;
  std::string identifier;
  std::string secret_key;
  std::string usersig;
  std::string ca_file;
};

CLI::Option* addSdkAppId(CLI::App* command, Settings& settings) {
  return command->add_option("--sdkappid", settings.sdkappid, "SDKAppID")->envname("LIVE_SDKAPPID");
}
CLI::Option* addIdentifier(CLI::App* command, Settings& settings) {
  return command->add_option("--identifier", settings.identifier, "App admin account")
      ->envname("LIVE_IDENTIFIER");
}
CLI::Option* addSecretKey(CLI::App* command, Settings& settings) {
  return command->add_option("--secret-key", settings.secret_key, "the app's secret key")
      ->envname("LIVE_SECRET_KEY");
}

// The options every call takes: where, who, and how it signs (each also from the environment).
void addConnectionOptions(CLI::App* command, Settings& settings) {
  command->add_option("--endpoint", settings.endpoint, "base URL, e.g. http://127.0.0.1:9000")
      ->envname("LIVE_ENDPOINT")
      ->required();
  command->add_option("--ca-file", settings.ca_file,
                      "for an https endpoint: PEM file of the certificate authorities to trust "
                      "(default: the system's)")
      ->envname("LIVE_CA_FILE")
      ->check(CLI::ExistingFile);
  addSdkAppId(command, settings)->required();
  addIdentifier(command, settings)->required();
  auto* key = addSecretKey(command, settings);
  auto* sig = command->add_option("--usersig", settings.usersig, "a ready UserSig instead of --secret-key")
                  ->envname("LIVE_USERSIG");
  key->excludes(sig);
}

// A client for the settings, or nullptr after printing why not.
std::unique_ptr<live::client::LiveClient> clientFor(const Settings& settings, live::client::ClientOptions options) {
  if (settings.secret_key.empty() && settings.usersig.empty()) {
    std::fprintf(stderr, "live-client: give --secret-key or --usersig (see --help)\n");
    return nullptr;
  }
  options.endpoint = settings.endpoint;
  options.ca_file = settings.ca_file;
  options.sdkappid = settings.sdkappid;
  options.identifier = settings.identifier;
  if (!settings.usersig.empty()) {
    const std::string usersig = settings.usersig;
    options.usersig_provider = [usersig] { return usersig; };
  } else {
    options.secret_key = settings.secret_key;
  }
  auto client = live::client::LiveClient::create(options);
  if (!client) {
    std::fprintf(stderr, "live-client: %s\n", client.error().c_str());
    return nullptr;
  }
  return std::move(client).value();
}

void printLine(const nlohmann::ordered_json& line) {
  std::fputs((line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n").c_str(), stdout);
  std::fflush(stdout);
}

int exitCodeOf(const live::client::RoomCallResult& result) {
  if (result.ok()) return kExitOk;
  return result.outcome == live::client::RoomCallResult::Outcome::kApiError ? kExitApiError : kExitTransport;
}

// create-room, get-room, update-room, room-stats: one call, its JSON line, its exit code.
int roomCall(const Settings& settings, const live::client::ClientOptions& options,
             const std::function<live::client::RoomCallResult(live::client::LiveClient&)>& call) {
  auto client = clientFor(settings, options);
  if (!client) return kExitUsage;
  const auto result = call(*client);
  printLine(result.toJson());
  return exitCodeOf(result);
}

// list-rooms: one JSON line per room, every page; a failure's line last.
int listRooms(const Settings& settings, const live::client::ClientOptions& options, int count) {
  auto client = clientFor(settings, options);
  if (!client) return kExitUsage;
  const auto listed = client->listAllRooms(count);
  for (const auto& room : listed.rooms) printLine(room);
  if (!listed.last.ok()) printLine(listed.last.toJson());
  std::fprintf(stderr, "summary: %zu rooms in %d pages%s\n", listed.rooms.size(), listed.pages,
               listed.last.ok() ? "" : ", then a failure (the last line)");
  return exitCodeOf(listed.last);
}

// A JSON object given on the command line (--info), or nullopt after printing why not.
std::optional<nlohmann::json> objectArgument(const std::string& text, const char* option) {
  auto parsed = nlohmann::json::parse(text, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    std::fprintf(stderr, "live-client: %s must be a JSON object, e.g. '{\"CoverURL\":\"https://...\"}'\n", option);
    return std::nullopt;
  }
  return parsed;
}

int destroyRooms(const Settings& settings, std::vector<std::string> rooms, unsigned concurrency,
                 const live::client::ClientOptions& base) {
  auto client = clientFor(settings, base);
  if (!client) return kExitUsage;
  if (rooms.empty() || (rooms.size() == 1 && rooms[0] == "-")) {
    rooms.clear();
    for (std::string line; std::getline(std::cin, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.empty()) rooms.push_back(line);
    }
  }

  const bool progress = isatty(STDERR_FILENO) != 0 && rooms.size() > 1;
  std::mutex output_mutex;
  std::atomic<std::size_t> next{0};
  std::size_t done = 0, destroyed = 0, already = 0;
  std::map<std::string, std::size_t> failures;  // by ErrorCode or transport kind
  bool api_error = false, transport_error = false;

  const auto work = [&] {
    for (std::size_t index = next++; index < rooms.size(); index = next++) {
      const auto result = client->destroyRoom(rooms[index]);
      std::lock_guard lock(output_mutex);
      printLine(result.toJson());
      ++done;
      using Outcome = live::client::DestroyResult::Outcome;
      switch (result.outcome) {
        case Outcome::kDestroyed: ++destroyed; break;
        case Outcome::kAlreadyDestroyed: ++already; break;
        case Outcome::kApiError:
          api_error = true;
          ++failures[std::to_string(result.error_code)];
          break;
        case Outcome::kTransportError:
          transport_error = true;
          ++failures[std::string(live::client::toString(result.transport))];
          break;
      }
      if (progress) {
        std::fprintf(stderr, "\r%zu/%zu done: %zu destroyed, %zu already gone, %zu failed", done,
                     rooms.size(), destroyed, already, done - destroyed - already);
        std::fflush(stderr);
      }
    }
  };
  std::vector<std::thread> workers;
  for (unsigned i = 1; i < std::max(1u, concurrency); ++i) workers.emplace_back(work);
  work();
  for (auto& worker : workers) worker.join();

  if (progress) std::fputs("\n", stderr);
  if (rooms.size() > 1) {
    std::string failed;
    for (const auto& [kind, count] : failures) failed += fmt::format("{}{} x{}", failed.empty() ? " (" : ", ", kind, count);
    if (!failed.empty()) failed += ")";
    std::fprintf(stderr, "summary: %zu rooms: %zu destroyed, %zu already gone, %zu failed%s\n",
                 rooms.size(), destroyed, already, rooms.size() - destroyed - already, failed.c_str());
  }
  if (transport_error) return kExitTransport;
  if (api_error) return kExitApiError;
  return kExitOk;
}

// adapter [OP] ROOM...: the adapter protocol of live-conformance (docs/conformance.md, "The adapter
// protocol"). OP is destroy (also when absent), create, get, update or list; one JSON line per item
// with the protocol's outcome words.
int runAdapter(const Settings& settings, std::vector<std::string> arguments, const live::client::ClientOptions& options) {
  static const std::vector<std::string> kOperations = {"destroy", "create", "get", "update", "list"};
  std::string operation = "destroy";
  if (!arguments.empty() && std::find(kOperations.begin(), kOperations.end(), arguments.front()) != kOperations.end()) {
    operation = arguments.front();
    arguments.erase(arguments.begin());
  }
  if (operation == "destroy") return destroyRooms(settings, arguments, 1, options);
  auto client = clientFor(settings, options);
  if (!client) return kExitUsage;
  int exit_code = kExitOk;
  const auto report = [&](const live::client::RoomCallResult& result, const char* success) {
    auto line = result.toJson();
    if (result.outcome == live::client::RoomCallResult::Outcome::kOk) line["outcome"] = success;
    printLine(line);
    exit_code = std::max(exit_code, exitCodeOf(result));
  };
  if (operation == "list") {
    const auto listed = client->listAllRooms();
    for (const auto& room : listed.rooms) {
      printLine({{"RoomId", room.value("RoomId", "")}, {"outcome", "listed"}});
    }
    if (!listed.last.ok()) report(listed.last, "listed");
    return exit_code;
  }
  for (const auto& room : arguments) {
    if (operation == "create") {
      report(client->createRoom({{"RoomId", room}, {"RoomType", "Live"}}), "created");
    } else if (operation == "get") {
      report(client->getRoomInfo(room), "ok");
    } else {
      report(client->updateRoomInfo({{"RoomId", room}, {"Notice", "updated by live-client adapter"}}), "updated");
    }
  }
  return exit_code;
}

// Prints each check of the UserSig against the settings; returns whether all passed.
bool verifyUserSig(const std::string& usersig, const Settings& settings, bool check_sdkappid,
                   bool check_identifier, bool check_key, std::int64_t now) {
  const auto claims = live::protocol::decodeUserSig(usersig);
  if (!claims) {
    std::printf("decode: FAILED: %s (the emulator and the service answer 70003)\n", claims.error().c_str());
    std::printf("verdict: invalid\n");
    return false;
  }
  const auto& c = claims.value();
  std::printf("decoded: TLS.ver %s, TLS.identifier \"%s\", TLS.sdkappid %llu, TLS.time %s, "
              "TLS.expire %lld%s\n",
              c.version.c_str(), c.identifier.c_str(), static_cast<unsigned long long>(c.sdkappid),
              when(c.time).c_str(), static_cast<long long>(c.expire),
              c.userbuf ? fmt::format(", TLS.userbuf \"{}\"", *c.userbuf).c_str() : "");
  bool valid = true;
  if (check_sdkappid) {
    if (c.sdkappid == settings.sdkappid) {
      std::printf("sdkappid: ok\n");
    } else {
      valid = false;
      std::printf("sdkappid: MISMATCH: issued for %llu, expected %u (70014)\n",
                  static_cast<unsigned long long>(c.sdkappid), settings.sdkappid);
    }
  }
  if (check_identifier) {
    if (c.identifier == settings.identifier) {
      std::printf("identifier: ok\n");
    } else {
      valid = false;
      std::printf("identifier: MISMATCH: issued for \"%s\", expected \"%s\" (70013)\n",
                  c.identifier.c_str(), settings.identifier.c_str());
    }
  }
  if (c.expiredAt(now)) {
    valid = false;
    std::printf("expiry: EXPIRED: valid until %s, now is %s (70001)\n", when(c.validUntil()).c_str(),
                when(now).c_str());
  } else {
    std::printf("expiry: ok, valid until %s\n", when(c.validUntil()).c_str());
  }
  if (check_key) {
    if (live::protocol::userSigSignatureMatches(c, settings.secret_key)) {
      std::printf("signature: ok\n");
    } else {
      valid = false;
      std::printf("signature: MISMATCH: TLS.sig is not the HMAC-SHA256 of the signed text under "
                  "this secret key (70009); the signed text is %s\n",
                  nlohmann::json(live::protocol::userSigSignedText(c)).dump().c_str());
    }
  } else {
    std::printf("signature: not checked (give --secret-key)\n");
  }
  std::printf("verdict: %s\n", valid ? "valid" : "invalid");
  return valid;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"live-client: reference client for Tencent Cloud's live_engine_http_srv REST API",
               "live-client"};
  cli.require_subcommand(1);
  // Each subcommand binds its own settings: CLI11 applies environment values to every subcommand's
  // options, which would overwrite a shared variable set by the command line of another.
  Settings settings;
  Settings usersig_settings;
  Settings verify_settings;

  // destroy-room
  std::vector<std::string> rooms;
  unsigned concurrency = 1;
  live::client::ClientOptions options;
  options.max_requests_per_second = 190;
  std::int64_t timeout_ms = 3000, deadline_ms = 20000, initial_backoff_ms = 100, max_backoff_ms = 2000;
  auto* destroy = cli.add_subcommand("destroy-room", "Dissolve rooms (arguments, or one id per line on stdin)");
  destroy->add_option("ROOM_ID", rooms, "room ids; none or '-' reads stdin");
  addConnectionOptions(destroy, settings);
  destroy->add_option("--concurrency", concurrency, "rooms in flight at once")
      ->check(CLI::Range(1u, 256u))
      ->capture_default_str();
  destroy->add_option("--max-rate", options.max_requests_per_second,
                      "most requests started per second (0 = no pacing); the documented limit is 200")
      ->check(CLI::Range(0u, 100000u))
      ->capture_default_str();
  destroy->add_option("--max-attempts", options.retry.max_attempts, "attempts per room, retries included")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  destroy->add_option("--timeout-ms", timeout_ms, "connect and read timeout per attempt")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{600000}))
      ->capture_default_str();
  destroy->add_option("--deadline-ms", deadline_ms, "overall time budget per room")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{3600000}))
      ->capture_default_str();
  destroy->add_option("--initial-backoff-ms", initial_backoff_ms, "wait before the first retry")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{60000}))
      ->capture_default_str();
  destroy->add_option("--max-backoff-ms", max_backoff_ms, "cap on any wait between attempts")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{600000}))
      ->capture_default_str();

  // The room lifecycle: one subcommand each, with its own settings (see above).
  Settings create_settings, get_settings, update_settings, list_settings, stats_settings;
  live::client::ClientOptions room_options;  // the library's retry defaults, no pacing
  std::string room_id, name, owner, info_text;
  int list_count = 20;
  auto* create = cli.add_subcommand("create-room", "Create a live room (create_room)");
  create->add_option("ROOM_ID", room_id, "the new room's id")->required();
  create->add_option("--name", name, "RoomName (default: the id)");
  create->add_option("--owner", owner, "Owner_Account (default: --identifier)");
  create->add_option("--info", info_text, "further RoomInfo members as a JSON object, e.g. '{\"IsPublicVisible\":false}'");
  addConnectionOptions(create, create_settings);
  auto* get = cli.add_subcommand("get-room", "Print a room's RoomInfo (get_room_info)");
  get->add_option("ROOM_ID", room_id, "the room")->required();
  addConnectionOptions(get, get_settings);
  auto* update = cli.add_subcommand("update-room", "Change some of a room's RoomInfo members (update_room_info)");
  update->add_option("ROOM_ID", room_id, "the room")->required();
  update->add_option("--name", name, "a new RoomName");
  update->add_option("--info", info_text, "the members to change as a JSON object, e.g. '{\"Notice\":\"...\"}'");
  addConnectionOptions(update, update_settings);
  auto* list = cli.add_subcommand("list-rooms", "Print every public live room, one JSON line each, every page (get_room_list, under 10 pages per second)");
  list->add_option("--count", list_count, "rooms per page")->check(CLI::Range(1, 20))->capture_default_str();
  addConnectionOptions(list, list_settings);
  auto* stats = cli.add_subcommand("room-stats", "Print a room's counters (get_room_stats)");
  stats->add_option("ROOM_ID", room_id, "the room")->required();
  addConnectionOptions(stats, stats_settings);

  // adapter: the conformance adapter protocol, with destroy-room's defaults.
  Settings adapter_settings;
  std::vector<std::string> adapter_arguments;
  auto* adapter = cli.add_subcommand("adapter", "The live-conformance adapter: [destroy|create|get|update|list] ROOM_ID... "
                                                "(docs/conformance.md, \"The adapter protocol\")");
  adapter->add_option("ARGUMENTS", adapter_arguments, "an operation (default destroy), then room ids");
  addConnectionOptions(adapter, adapter_settings);

  // usersig
  std::int64_t expire = 86400 * 180;
  auto* usersig = cli.add_subcommand("usersig", "Print a UserSig for --identifier, signed with --secret-key");
  addSdkAppId(usersig, usersig_settings)->required();
  addIdentifier(usersig, usersig_settings)->required();
  addSecretKey(usersig, usersig_settings)->required();
  usersig->add_option("--expire", expire, "validity in seconds")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{10} * 365 * 86400))
      ->capture_default_str();

  // verify-usersig
  std::string to_verify;
  std::int64_t verify_now = 0;
  auto* verify = cli.add_subcommand("verify-usersig",
                                    "Decode a UserSig and say whether it is valid for the settings");
  verify->add_option("USERSIG", to_verify, "the UserSig as sent in the usersig parameter")->required();
  auto* verify_sdkappid = addSdkAppId(verify, verify_settings);
  auto* verify_identifier = addIdentifier(verify, verify_settings);
  addSecretKey(verify, verify_settings);
  verify->add_option("--now", verify_now, "Unix seconds to check expiry against (default: now)");

  if (const auto exit_code = live::cli::parseCommandLine(cli, argc, argv, "live-client", LIVE_VERSION,
                                                        "docs/live-client.md")) {
    return *exit_code;
  }

  if (create->parsed() || update->parsed()) {
    auto info = objectArgument(info_text.empty() ? "{}" : info_text, "--info");
    if (!info) return kExitUsage;
    (*info)["RoomId"] = room_id;
    if (!name.empty()) (*info)["RoomName"] = name;
    if (create->parsed()) {
      if (!owner.empty()) (*info)["Owner_Account"] = owner;
      if (!info->contains("RoomType")) (*info)["RoomType"] = "Live";
      return roomCall(create_settings, room_options, [&](auto& client) { return client.createRoom(*info); });
    }
    return roomCall(update_settings, room_options, [&](auto& client) { return client.updateRoomInfo(*info); });
  }
  if (get->parsed()) {
    return roomCall(get_settings, room_options, [&](auto& client) { return client.getRoomInfo(room_id); });
  }
  if (stats->parsed()) {
    return roomCall(stats_settings, room_options, [&](auto& client) { return client.getRoomStats(room_id); });
  }
  if (list->parsed()) return listRooms(list_settings, room_options, list_count);
  if (destroy->parsed() || adapter->parsed()) {
    options.connect_timeout = options.read_timeout = std::chrono::milliseconds(timeout_ms);
    options.retry.deadline = std::chrono::milliseconds(deadline_ms);
    options.retry.initial_backoff = std::chrono::milliseconds(initial_backoff_ms);
    options.retry.max_backoff = std::chrono::milliseconds(max_backoff_ms);
    if (adapter->parsed()) return runAdapter(adapter_settings, adapter_arguments, options);
    return destroyRooms(settings, rooms, concurrency, options);
  }
  if (usersig->parsed()) {
    if (!live::protocol::isValidUtf8(usersig_settings.identifier)) {
      std::fprintf(stderr, "live-client: --identifier is not valid UTF-8, which a UserSig cannot carry\n");
      return kExitUsage;
    }
    std::printf("%s\n", live::protocol::generateUserSig(
                            {usersig_settings.sdkappid, usersig_settings.secret_key,
                             usersig_settings.identifier, nowSeconds(), expire, std::nullopt})
                            .c_str());
    return kExitOk;
  }
  // A setting given on the command line or in the environment is checked; others are not.
  const bool valid = verifyUserSig(to_verify, verify_settings,
                                   verify_sdkappid->count() > 0 || std::getenv("LIVE_SDKAPPID") != nullptr,
                                   verify_identifier->count() > 0 || std::getenv("LIVE_IDENTIFIER") != nullptr,
                                   !verify_settings.secret_key.empty(),
                                   verify_now != 0 ? verify_now : nowSeconds());
  return valid ? kExitOk : kExitApiError;
}
