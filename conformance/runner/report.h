// How live-conformance reports: a line per case (pass / FAIL / expected failure), JUnit XML for CI
// systems, and the closing "N passed, N failed" line. Knows nothing of what the cases check.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace live::conformance {

enum class Strength { kRequired, kRecommended };

struct CaseResult {
  std::string suite;  // "server" or "client"
  std::string name;
  std::string title;
  Strength strength = Strength::kRequired;
  std::vector<std::string> failures;  // empty: passed. Each says what was expected and what was seen.
  bool known_failure = false;         // listed in the known-failures file
  double seconds = 0;

  bool passed() const { return failures.empty(); }
};

class Report {
 public:
  explicit Report(std::set<std::string> known_failures = {});

  // Marks a listed case, prints its line(s) at once and keeps it.
  void add(CaseResult result);
  // The closing lines; returns the exit code: 0 only when every required case passed (a listed
  // known failure does not count against it).
  int finish();
  // JUnit XML of every case so far.
  std::string junitXml(const std::string& suite_name) const;

 private:
  std::set<std::string> known_failures_;
  std::vector<CaseResult> results_;
};

// The known-failures file: one case name per line; blank lines and "#" comments are skipped.
std::set<std::string> parseKnownFailures(const std::string& text);

}  // namespace live::conformance
