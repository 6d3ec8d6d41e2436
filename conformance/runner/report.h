// How live-conformance reports: a line per case (pass / FAIL / expected failure), JUnit XML for CI
// systems, and the graded closing lines ("required 19/19, recommended 6/9"). Knows nothing of what
// the cases check.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace live::conformance {

// A case's level (docs/conformance.md, "Levels"): required cases are safety and honesty, which every
// client must have; recommended ones are resilience.
enum class Level { kRequired, kRecommended };
std::string_view toString(Level level);
std::optional<Level> levelFromString(std::string_view text);  // "required", "recommended"

struct CaseResult {
  std::string suite;  // "server", "client" or "webhook"
  std::string name;
  std::string title;
  Level level = Level::kRequired;
  std::vector<std::string> failures;  // empty: passed. Each says what was expected and what was seen.
  std::vector<std::string> warnings;  // reported, never failed (e.g. an adapter's stray stdout lines)
  std::string skipped;                // not run, and why (e.g. --no-callbacks); neither passed nor failed
  bool known_failure = false;         // listed in the known-failures file
  double seconds = 0;

  bool passed() const { return failures.empty(); }
};

class Report {
 public:
  // `strict`: recommended cases decide the exit status too.
  explicit Report(std::set<std::string> known_failures = {}, bool strict = false);

  // Marks a listed case, prints its line(s) at once and keeps it.
  void add(CaseResult result);
  // The closing lines; returns the exit code: 0 only when every required case passed (with
  // `strict`, every recommended one too); a listed known failure does not count against it.
  int finish();
  // "required 19/19, recommended 6/9": passed of run, per level (a known failure is not a pass).
  std::string gradeLine() const;
  // JUnit XML of every case so far; the grade is in the suite's <properties>.
  std::string junitXml(const std::string& suite_name) const;

 private:
  struct Grade {
    struct Counts {
      int passed = 0;
      int run = 0;
    };
    Counts required;
    Counts recommended;
  };
  Grade grade() const;

  std::set<std::string> known_failures_;
  bool strict_ = false;
  std::vector<CaseResult> results_;
};

// The known-failures file: one case name per line; blank lines and "#" comments are skipped.
std::set<std::string> parseKnownFailures(const std::string& text);

}  // namespace live::conformance
