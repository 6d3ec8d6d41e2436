// What every program of the kit does with its command line (docs/live-emulator.md): --help and
// --version print to stdout and exit 0, and --help ends with the docs page to read; a usage error
// prints one line, "<program>: <reason> (see --help)", on stderr and exits 64.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdio>
#include <optional>
#include <string>

namespace live::cli {

inline constexpr int kExitUsage = 64;  // sysexits.h EX_USAGE

// Parses argv into `app`. Returns the exit code to leave with now, or nullopt to go on. `docs` names
// the pages (in the source tree's docs/) that --help ends with.
inline std::optional<int> parseCommandLine(CLI::App& app, int argc, char** argv,
                                           const std::string& program, const std::string& version,
                                           const std::string& docs) {
  app.set_version_flag("--version", version);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::fputs(app.help().c_str(), stdout);
    std::printf("\nDocumentation: %s\n", docs.c_str());
    return 0;
  } catch (const CLI::CallForVersion&) {
    std::printf("%s %s\n", program.c_str(), version.c_str());
    return 0;
  } catch (const CLI::ParseError& error) {
    std::fprintf(stderr, "%s: %s (see --help)\n", program.c_str(), error.what());
    return kExitUsage;
  }
  return std::nullopt;
}

}  // namespace live::cli
