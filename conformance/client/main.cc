// live-client: the reference client's command line. This first cut has `usersig`, which generates
// a TLSSigAPIv2 UserSig from the same settings the other commands will use.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "protocol/usersig.h"

namespace {

constexpr int kExitUsage = 64;

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"live-client: reference client for Tencent Cloud's live_engine_http_srv REST API",
               "live-client"};
  cli.set_version_flag("--version", std::string(LIVE_VERSION));
  cli.require_subcommand(1);

  std::uint32_t sdkappid = 0;
  std::string identifier;
  std::string secret_key;
  std::int64_t expire = 86400 * 180;
  auto* usersig = cli.add_subcommand("usersig", "Print a UserSig for --identifier, signed with "
                                                "--secret-key");
  usersig->add_option("--sdkappid", sdkappid, "SDKAppID")->envname("LIVE_SDKAPPID")->required();
  usersig->add_option("--identifier", identifier, "the App admin account the UserSig is for")
      ->envname("LIVE_IDENTIFIER")
      ->required();
  usersig->add_option("--secret-key", secret_key, "the app's secret key")
      ->envname("LIVE_SECRET_KEY")
      ->required();
  usersig->add_option("--expire", expire, "validity in seconds")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{10} * 365 * 86400))
      ->capture_default_str();

  try {
    cli.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::fputs(cli.help().c_str(), stdout);
    return 0;
  } catch (const CLI::CallForVersion&) {
    std::printf("live-client %s\n", LIVE_VERSION);
    return 0;
  } catch (const CLI::ParseError& error) {
    std::fprintf(stderr, "live-client: %s (see --help)\n", error.what());
    return kExitUsage;
  }

  if (usersig->parsed()) {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    std::printf("%s\n", live::protocol::generateUserSig(
                            {sdkappid, secret_key, identifier, now, expire, std::nullopt})
                            .c_str());
  }
  return 0;
}
