// Parity: measuring any server, production included, against the contract without changing its
// state (docs/parity.md).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "protocol/result.h"
#include "suites.h"

namespace live::conformance {

inline constexpr const char* kParitySnapshotFormat = "live-conformance parity snapshot";
inline constexpr int kParitySnapshotVersion = 1;

// The server cases that need no control API and cannot change state: no setup, one request per
// step, an expected failure that does not rest on the fixtures' state (not rows 10, 17, 21, 22,
// and no other configured app), and never success. Their RoomIds are replaced when they run.
std::vector<nlohmann::json> selectParityCases(const std::vector<Fixture>& fixtures, const nlohmann::json& config);

// Who calls (the LIVE_* variables against a --target).
struct ParityCaller {
  std::uint32_t sdkappid = 0;
  std::string identifier;
  std::string secret_key;
};

struct ParityOptions {
  int rate = 5;  // requests per second at most
  bool dry_run = false;
  std::string filter;
  std::string target_label;  // recorded in the snapshot: no credentials
  std::string tool;
};

// Runs the cases, printing one line per case (or, with dry_run, every request with the UserSig
// masked, sending nothing); returns the snapshot.
nlohmann::json runParity(Target& target, const ParityCaller& caller, const std::vector<nlohmann::json>& cases,
                         const ParityOptions& options);

// A snapshot file, checked: failures name the file and the field.
Result<nlohmann::json> loadSnapshot(const std::string& path);

struct Difference {
  std::string case_name;
  std::string field;
  std::string a;
  std::string b;
};
std::vector<Difference> compareSnapshots(const nlohmann::json& a, const nlohmann::json& b);

// fixtures/parity/known-differences.json: differences that are understood, each with its reason.
struct KnownDifference {
  std::string case_name;
  std::string field;
  std::string reason;
};
Result<std::vector<KnownDifference>> loadKnownDifferences(const std::string& path);

}  // namespace live::conformance
