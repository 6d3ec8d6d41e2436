// live-conformance: checks a server implementation (server suite) or a client under test through
// its adapter (client suite) against the fixtures in fixtures/conformance/.
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>

#include "cli/command_line.h"
#include "protocol/json_limits.h"
#include "domain/api/parse.h"
#include "callback_receiver.h"
#include "parity.h"
#include "suites.h"
#include "testing/child_process.h"

namespace live::conformance {

using json = nlohmann::json;

std::string FixtureApps::keyOf(std::uint32_t sdkappid) const {
  for (const auto& app : config.value("apps", nlohmann::json::array())) {
    if (app.value("sdkappid", 0u) == sdkappid && app.contains("secret_key") && app["secret_key"].is_string()) {
      return app["secret_key"].get<std::string>();
    }
  }
  return "no-such-app-key";
}

namespace {

std::optional<std::string> readFile(const std::string& path) {
  std::ifstream stream(path, std::ios::binary);
  if (!stream) return std::nullopt;
  return std::string((std::istreambuf_iterator<char>(stream)), std::istreambuf_iterator<char>());
}

}  // namespace

Result<std::vector<Fixture>> loadFixtures(const std::string& directory, const std::string& list_key) {
  std::vector<std::string> files;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path().string());
  }
  if (error) return Failure{fmt::format("{}: cannot be read ({})", directory, error.message())};
  std::sort(files.begin(), files.end());
  std::vector<Fixture> fixtures;
  std::set<std::string> names;
  for (const auto& file : files) {
    const auto text = readFile(file);
    if (!text) return Failure{fmt::format("{}: cannot be read", file)};
    auto parsed = protocol::parseUntrustedJson(*text);
    if (!parsed) return Failure{fmt::format("{}: {}", file, parsed.error())};
    const auto& value = parsed.value();
    if (!value.is_object() || !value.contains(list_key) || !value[list_key].is_array()) {
      return Failure{fmt::format("{}: expected an object with a \"{}\" array", file, list_key)};
    }
    for (std::size_t i = 0; i < value[list_key].size(); ++i) {
      const auto& item = value[list_key][i];
      const std::string where = fmt::format("{}: {}[{}]", file, list_key, i);
      if (!item.is_object() || !item.contains("name") || !item["name"].is_string()) {
        return Failure{where + ".name: expected a string"};
      }
      if (!names.insert(item["name"].get<std::string>()).second) {
        return Failure{fmt::format("{}.name: \"{}\" is used twice", where, item["name"].get<std::string>())};
      }
      if (item.contains("strength")) return Failure{where + ".strength: renamed \"level\""};
      // A client scenario states its level; a server or webhook case is required unless it says so.
      if (list_key == "scenarios" && !item.contains("level")) {
        return Failure{where + ".level: missing (every client scenario is \"required\" or \"recommended\")"};
      }
      if (!item.value("level", json("required")).is_string() ||
          !levelFromString(item.value("level", json("required")).get<std::string>())) {
        return Failure{where + ".level: expected \"required\" or \"recommended\""};
      }
      // Resilience judges make a case recommended: a required case judges safety and honesty only.
      if (item.contains("judges") && item.value("level", "required") != "recommended") {
        return Failure{where + ".judges: only a recommended case applies resilience judges"};
      }
    }
    fixtures.push_back({file, value});
  }
  if (fixtures.empty()) return Failure{fmt::format("{}: no *.json fixtures", directory)};
  return fixtures;
}

void forEachCase(const std::vector<Fixture>& fixtures, const std::string& suite, const std::string& list_key,
                 const RunOptions& options, Report& report, const CaseRunner& run) {
  for (const auto& fixture : fixtures) {
    for (const auto& item : fixture.value[list_key]) {
      CaseResult result;
      result.suite = suite;
      result.name = item["name"].get<std::string>();
      if (!options.filter.empty() && result.name.find(options.filter) == std::string::npos) continue;
      result.title = item.value("title", "");
      result.level = *levelFromString(item.value("level", "required"));
      if (options.skip) result.skipped = options.skip(item);
      if (!result.skipped.empty()) {
        report.add(std::move(result));
        continue;
      }
      const auto started = std::chrono::steady_clock::now();
      try {
        result.failures = run(item, result.warnings);
      } catch (const std::exception& error) {
        result.failures = {fmt::format("the fixture could not be run ({}): {}", fixture.file, error.what())};
      }
      result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      const bool stop = options.fail_fast && !result.passed();
      report.add(std::move(result));
      if (stop) return;
    }
  }
}

}  // namespace live::conformance

namespace {

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 64;
constexpr int kExitUnavailable = 69;
constexpr int kExitConfig = 78;

int fail(int code, const std::string& message) {
  std::fprintf(stderr, "live-conformance: %s\n", message.c_str());
  return code;
}

std::string siblingProgram(const std::string& name) {
  std::error_code error;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? name : (self.parent_path() / name).string();
}

// The fixtures: installed beside the program (<prefix>/bin -> <prefix>/share/live-emulator/fixtures,
// docs/packaging.md) when they are there, else the source tree this program was built from.
std::string defaultFixtures() {
  std::error_code error;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) {
    const auto installed = self.parent_path().parent_path() / "share" / "live-emulator" / "fixtures" / "conformance";
    if (std::filesystem::is_regular_file(installed / "config.json", error)) return installed.string();
  }
  return LIVE_CONFORMANCE_FIXTURES;
}

// The emulator we started, stopped if we are interrupted: a CI job cancelled mid-run must not
// leave it behind.
volatile sig_atomic_t own_emulator_pid = 0;

void stopOwnEmulatorAndExit(int signal_number) {
  if (own_emulator_pid > 0) ::kill(own_emulator_pid, SIGTERM);
  ::_exit(128 + signal_number);
}

// Our own emulator on a free port, configured with the fixtures' apps.
class OwnEmulator {
 public:
  OwnEmulator(const std::string& program, const std::string& config, const std::string& control_token)
      : process_(program, arguments(config, control_token)) {
    own_emulator_pid = process_.pid();
    std::signal(SIGINT, stopOwnEmulatorAndExit);
    std::signal(SIGTERM, stopOwnEmulatorAndExit);
    const std::string line = process_.readLine(15000);
    const std::string prefix = "live-emulator listening on ";
    if (line.rfind(prefix, 0) == 0) url_ = line.substr(prefix.size());
  }
  ~OwnEmulator() {
    own_emulator_pid = 0;
    process_.signal(SIGTERM);
    if (process_.wait(10000) < 0) process_.signal(SIGKILL);
  }
  const std::string& url() const { return url_; }

 private:
  static std::vector<std::string> arguments(const std::string& config, const std::string& control_token) {
    std::vector<std::string> list{"--port", "0", "--config", config, "--log-format", "none",
                                  "--journal-size", "100000"};
    if (!control_token.empty()) list.insert(list.end(), {"--control-token", control_token});
    return list;
  }

  live::testing::ChildProcess process_;
  std::string url_;
};

}  // namespace

int compareCommand(const std::vector<std::string>& files, const std::string& known_differences_path) {
  using namespace live::conformance;
  auto a = loadSnapshot(files[0]);
  if (!a) return fail(kExitConfig, a.error());
  auto b = loadSnapshot(files[1]);
  if (!b) return fail(kExitConfig, b.error());
  std::vector<KnownDifference> known;
  if (!known_differences_path.empty()) {
    auto loaded = loadKnownDifferences(known_differences_path);
    if (!loaded) return fail(kExitConfig, loaded.error());
    known = std::move(loaded).value();
  }
  const auto differences = compareSnapshots(a.value(), b.value());
  std::size_t unexplained = 0;
  if (!differences.empty()) {
    std::printf("%-44s %-20s %-40s %s\n", "case", "field", files[0].c_str(), files[1].c_str());
  }
  for (const auto& difference : differences) {
    const auto listed = std::find_if(known.begin(), known.end(), [&](const KnownDifference& entry) {
      return entry.case_name == difference.case_name && entry.field == difference.field;
    });
    std::printf("%-44s %-20s %-40s %s%s\n", difference.case_name.c_str(), difference.field.c_str(),
                difference.a.c_str(), difference.b.c_str(),
                listed != known.end() ? fmt::format("   (known: {})", listed->reason).c_str() : "");
    if (listed == known.end()) ++unexplained;
  }
  std::printf("%zu differences, %zu of them not listed as known\n", differences.size(), unexplained);
  return unexplained == 0 ? 0 : kExitFailed;
}

int runParityCommand(const std::vector<std::string>& compare, const std::string& known_differences_path,
                     const std::string& fixtures_dir, const std::string& emulator_path, std::string target_url,
                     const std::string& ca_file, const std::string& snapshot_path, const std::string& filter,
                     live::conformance::ParityOptions options) {
  using namespace live::conformance;
  if (!compare.empty()) return compareCommand(compare, known_differences_path);
  if (!target_url.empty() && target_url.rfind("http://", 0) != 0 && target_url.rfind("https://", 0) != 0) {
    return fail(kExitUsage, fmt::format("--target \"{}\" must start with http:// or https://", target_url));
  }
  const std::string config_path = fixtures_dir + "/config.json";
  const auto config_text = readFile(config_path);
  if (!config_text) return fail(kExitConfig, fmt::format("{}: cannot be read", config_path));
  auto config = live::protocol::parseUntrustedJson(*config_text);
  if (!config) return fail(kExitConfig, fmt::format("{}: {}", config_path, config.error()));
  const FixtureApps apps{config.value()};
  auto fixtures = loadFixtures(fixtures_dir + "/server", "cases");
  if (!fixtures) return fail(kExitConfig, fixtures.error());
  const auto cases = selectParityCases(fixtures.value(), config.value());

  ParityCaller caller{kFixtureApp, kFixtureAdmin, apps.keyOf(kFixtureApp)};
  std::unique_ptr<OwnEmulator> own;
  if (!target_url.empty()) {
    // The caller's own app: never the fixtures'.
    for (const char* name : {"LIVE_SDKAPPID", "LIVE_IDENTIFIER", "LIVE_SECRET_KEY"}) {
      const char* value = std::getenv(name);
      if (value == nullptr || *value == '\0') {
        return fail(kExitUsage, fmt::format("{} is not set: parity against --target uses your own app's credentials "
                                            "(LIVE_SDKAPPID, LIVE_IDENTIFIER, LIVE_SECRET_KEY)", name));
      }
    }
    const auto sdkappid = live::domain::parseDecimalUint32(std::getenv("LIVE_SDKAPPID"));
    if (!sdkappid) return fail(kExitUsage, "LIVE_SDKAPPID: expected a decimal integer in 0..4294967295");
    caller = {*sdkappid, std::getenv("LIVE_IDENTIFIER"), std::getenv("LIVE_SECRET_KEY")};
    // The scheme and host only: never a path, query or user:password@ of the URL.
    const auto host_start = target_url.find("://") + 3;
    const auto host_end = target_url.find_first_of("/?#", host_start);
    std::string host = target_url.substr(host_start, host_end == std::string::npos ? std::string::npos : host_end - host_start);
    if (const auto at = host.rfind('@'); at != std::string::npos) host = host.substr(at + 1);
    options.target_label = target_url.substr(0, host_start) + host;
  } else {
    own = std::make_unique<OwnEmulator>(emulator_path, config_path, "");
    if (own->url().empty()) return fail(kExitUnavailable, fmt::format("{} did not start", emulator_path));
    target_url = own->url();
    options.target_label = "live-emulator (fixtures/conformance/config.json)";
  }
  options.filter = filter;
  options.tool = std::string("live-conformance ") + LIVE_VERSION;
  std::printf("live-conformance %s: parity%s against %s (%zu cases, at most %d requests/s)\n", LIVE_VERSION,
              options.dry_run ? " dry run" : "", target_url.c_str(), cases.size(), options.rate);
  std::fflush(stdout);
  Target target(target_url, "", ca_file);
  const auto snapshot = runParity(target, caller, cases, options);
  if (options.dry_run) return 0;
  // No answer at all: the target is unreachable, or TLS failed; say which, and write nothing.
  bool any_answer = false;
  std::string first_error;
  for (const auto& entry : snapshot["cases"]) {
    for (const auto& answer : entry["answers"]) {
      if (!answer.contains("error")) any_answer = true;
      if (answer.contains("error") && first_error.empty()) first_error = answer["error"].get<std::string>();
    }
  }
  if (!any_answer && !first_error.empty()) {
    return fail(kExitUnavailable, fmt::format("cannot reach {} ({})", target_url, first_error));
  }
  std::ofstream out(snapshot_path, std::ios::trunc);
  out << snapshot.dump(1) << "\n";
  if (!out) return fail(kExitUsage, fmt::format("--snapshot {}: cannot be written", snapshot_path));
  std::printf("snapshot: %s (%zu cases)\n", snapshot_path.c_str(), snapshot["cases"].size());
  return 0;
}

int main(int argc, char** argv) {
  using namespace live::conformance;
  // A reader that goes away (`| head`) must not kill us before we stop our emulator.
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App cli{"live-conformance: checks a server implementation, or a client through its adapter, "
               "against the destroy_room contract (fixtures/conformance/)",
               "live-conformance"};
  cli.require_subcommand(1);
  std::string fixtures_dir = defaultFixtures();
  std::string junit_path;
  bool fail_fast = false;
  std::string filter;
  std::string known_failures_path;
  bool strict = false;
  std::string emulator_path = siblingProgram("live-emulator");
  std::string target_url;
  std::string control_token;
  ClientAdapter adapter;
  const auto common = [&](CLI::App* command) {
    command->add_option("--fixtures", fixtures_dir, "fixtures directory (config.json, server/, client/)")
        ->capture_default_str();
    command->add_option("--junit", junit_path, "also write JUnit XML to FILE");
    command->add_option("--filter", filter, "run only cases whose name contains TEXT");
    command->add_flag("--fail-fast", fail_fast, "stop at the first failing case");
    command->add_flag("--strict", strict, "recommended cases decide the exit status too (by default only required ones do)");
    command->add_option("--known-failures", known_failures_path,
                        "file of case names (one per line, # comments) whose failures are expected");
    command->add_option("--emulator", emulator_path, "the live-emulator to start when no --target is given")
        ->capture_default_str();
    command->add_option("--control-token", control_token,
                        "sent as \"Authorization: Bearer TOKEN\" with every control-API call, for a "
                        "target started with --control-token (also given to an emulator we start)")
        ->envname("LIVE_CONTROL_TOKEN");
    command->add_option("--ca-file", adapter.ca_file,
                        "for an https target: PEM file of the certificate authorities to trust (also "
                        "given to the adapter as LIVE_CA_FILE)")
        ->envname("LIVE_CA_FILE")
        ->check(CLI::ExistingFile);
  };
  auto* server = cli.add_subcommand("server", "run the server fixtures against an implementation of the API");
  common(server);
  server->add_option("--target", target_url,
                     "base URL of the implementation under test (it must serve the control API of "
                     "docs/conformance.md); without it, a live-emulator is started on a free port");
  bool no_callbacks = false;
  std::string callback_bind = "127.0.0.1";
  std::string callback_host;
  server->add_flag("--no-callbacks", no_callbacks,
                   "do not start the suite's callback receiver; the cases that check callbacks are reported skipped");
  int callback_wait_ms = static_cast<int>(RunOptions{}.callbacks_within.count());
  server->add_option("--callback-wait", callback_wait_ms,
                     "milliseconds a case waits for the callbacks it expects (a target that sends none, or a slow one)")
      ->check(CLI::Range(1, 600000))
      ->capture_default_str();
  server->add_option("--callback-bind", callback_bind, "address the suite's callback receiver listens on")
      ->capture_default_str();
  server->add_option("--callback-host", callback_host,
                     "host the target calls the receiver at (default: --callback-bind), for a target in a container "
                     "or on another machine");
  auto* client = cli.add_subcommand("client", "run the client scenarios against a client through its adapter");
  common(client);
  client->add_option("--adapter", adapter.command,
                     "command run by /bin/sh once per scenario, with the room ids appended as arguments "
                     "(docs/conformance.md, \"The adapter protocol\")")
      ->required();
  client->add_option("--adapter-timeout-ms", adapter.timeout_ms, "longest one adapter run may take")
      ->capture_default_str();
  client->add_option("--target", target_url, "base URL of a running live-emulator to use instead of starting one");
  WebhookReceiver receiver{"", "conformance-callback-token", ""};
  auto* webhook = cli.add_subcommand("webhook", "check a webhook receiver of Live.CallbackAfterDestroyRoom "
                                                "(docs/webhooks.md)");
  common(webhook);
  webhook->add_option("--receiver", receiver.url,
                      "the receiver's URL; it serves SDKAppID 1400000000 and checks Signs with --token")
      ->required();
  webhook->add_option("--receiver-log", receiver.log_url,
                      "where the receiver tells what it processed (docs/webhooks.md, \"The receiver's log\"); the "
                      "cases judged from it are skipped without it");
  webhook->add_option("--token", receiver.token, "the callback token the receiver checks Signs with")
      ->capture_default_str()
      ->envname("LIVE_CALLBACK_TOKEN");
  webhook->add_option("--target", target_url, "base URL of a running live-emulator to use instead of starting one");
  auto* parity = cli.add_subcommand("parity", "send the server cases that need no control API and change no state to "
                                              "any target, production included, and record a snapshot; or compare "
                                              "two snapshots (docs/parity.md)");
  std::string snapshot_path = "parity-snapshot.json";
  std::vector<std::string> compare;
  std::string known_differences_path;
  ParityOptions parity_options;
  parity->add_option("--fixtures", fixtures_dir, "fixtures directory (config.json, server/)")->capture_default_str();
  parity->add_option("--filter", filter, "run only cases whose name contains TEXT");
  parity->add_option("--emulator", emulator_path, "the live-emulator to start when no --target is given")
      ->capture_default_str();
  parity->add_option("--target", target_url,
                     "base URL of the server to measure (the vendor's hosts included); credentials come from "
                     "LIVE_SDKAPPID, LIVE_IDENTIFIER and LIVE_SECRET_KEY. Without it, a live-emulator is started")
      ->envname("LIVE_ENDPOINT");
  parity->add_option("--ca-file", adapter.ca_file, "for an https target: PEM file of the certificate authorities to trust")
      ->envname("LIVE_CA_FILE")
      ->check(CLI::ExistingFile);
  parity->add_option("--snapshot", snapshot_path, "where to write the snapshot")->capture_default_str();
  parity->add_option("--rate", parity_options.rate, "requests per second at most (1..20)")
      ->capture_default_str()
      ->check(CLI::Range(1, 20));
  parity->add_flag("--dry-run", parity_options.dry_run, "print every request it would send (UserSig masked), send none");
  parity->add_option("--compare", compare, "compare two snapshots: print the cases that differ and how; exit 1 if any do")
      ->expected(2);
  parity->add_option("--known-differences", known_differences_path,
                     "with --compare: differences listed here (with their reasons) are reported, not failed");
  if (const auto exit_code = live::cli::parseCommandLine(cli, argc, argv, "live-conformance", LIVE_VERSION,
                                                        "docs/conformance.md")) {
    return *exit_code;
  }
  if (!target_url.empty() && target_url.rfind("http://", 0) != 0 && target_url.rfind("https://", 0) != 0) {
    return fail(kExitUsage, fmt::format("--target \"{}\" must start with http:// or https://", target_url));
  }
  if (webhook->parsed() && receiver.url.rfind("http://", 0) != 0 && receiver.url.rfind("https://", 0) != 0) {
    return fail(kExitUsage, fmt::format("--receiver \"{}\" must start with http:// or https://", receiver.url));
  }
  if (webhook->parsed() && (receiver.token.empty() || receiver.token.size() > 128)) {
    return fail(kExitUsage, "--token must be 1..128 characters (the vendor's limit)");
  }

  if (parity->parsed()) {
    return runParityCommand(compare, known_differences_path, fixtures_dir, emulator_path, target_url, adapter.ca_file,
                            snapshot_path, filter, parity_options);
  }

  std::set<std::string> known;
  if (!known_failures_path.empty()) {
    const auto text = readFile(known_failures_path);
    if (!text) return fail(kExitUsage, fmt::format("--known-failures {}: cannot be read", known_failures_path));
    known = parseKnownFailures(*text);
  }
  const std::string config_path = fixtures_dir + "/config.json";
  const auto config_text = readFile(config_path);
  if (!config_text) return fail(kExitConfig, fmt::format("{}: cannot be read", config_path));
  auto config = live::protocol::parseUntrustedJson(*config_text);
  if (!config) return fail(kExitConfig, fmt::format("{}: {}", config_path, config.error()));
  const FixtureApps apps{std::move(config).value()};

  const bool server_mode = server->parsed();
  const bool webhook_mode = webhook->parsed();
  const std::string suite = server_mode ? "server" : webhook_mode ? "webhook" : "client";
  auto fixtures = loadFixtures(fixtures_dir + "/" + suite, suite == "client" ? "scenarios" : "cases");
  if (!fixtures) return fail(kExitConfig, fixtures.error());

  std::unique_ptr<OwnEmulator> own;
  if (target_url.empty()) {
    own = std::make_unique<OwnEmulator>(emulator_path, config_path, control_token);
    if (own->url().empty()) return fail(kExitUnavailable, fmt::format("{} did not start", emulator_path));
    target_url = own->url();
  }
  std::printf("live-conformance %s: %s suite against %s%s\n", LIVE_VERSION, suite.c_str(),
              target_url.c_str(), own ? " (a live-emulator started for this run)" : "");
  if (client->parsed()) std::printf("adapter: %s\n", adapter.command.c_str());
  if (webhook_mode) std::printf("receiver: %s\n", receiver.url.c_str());
  std::fflush(stdout);

  Target target(target_url, control_token, adapter.ca_file);
  const auto probe = target.sendControl("GET", "/__emulator/health", "", "");
  if (!probe.received) {
    return fail(kExitUnavailable, fmt::format("cannot reach {} ({})", target_url, probe.error));
  }
  if (probe.status == 401 || probe.status == 403) {
    return fail(kExitUnavailable,
                fmt::format("{} refuses its control API (HTTP {}): give the emulator's token with "
                            "--control-token or LIVE_CONTROL_TOKEN",
                            target_url, probe.status));
  }
  Report report(known, strict);
  RunOptions options;
  options.filter = filter;
  options.fail_fast = fail_fast;
  options.callbacks_within = std::chrono::milliseconds(callback_wait_ms);
  if (server_mode) {
    std::unique_ptr<CallbackReceiver> callbacks;
    if (!no_callbacks) {
      callbacks = std::make_unique<CallbackReceiver>(callback_bind, callback_host.empty() ? callback_bind : callback_host);
      if (!callbacks->listening()) {
        return fail(kExitUnavailable, fmt::format("the callback receiver cannot listen on {} (--callback-bind, or "
                                                  "--no-callbacks to skip the cases that need it)",
                                                  callback_bind));
      }
      std::printf("callbacks: %s\n", callbacks->urlFor("<case>").c_str());
      std::fflush(stdout);
    }
    runServerSuite(target, apps, fixtures.value(), options, callbacks.get(), report);
  } else if (webhook_mode) {
    runWebhookSuite(target, receiver, apps, fixtures.value(), options, report);
  } else {
    runClientSuite(target, apps, adapter, fixtures.value(), options, report);
  }
  const int exit_code = report.finish();
  if (!junit_path.empty()) {
    std::ofstream junit(junit_path, std::ios::trunc);
    junit << report.junitXml(suite);
    if (!junit) return fail(kExitUsage, fmt::format("--junit {}: cannot be written", junit_path));
  }
  return exit_code == 0 ? 0 : kExitFailed;
}
