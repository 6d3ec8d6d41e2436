#include "report.h"

#include <fmt/format.h>

#include <cstdio>

namespace live::conformance {
namespace {

std::string xmlEscape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default:
        // XML 1.0 has no way to carry other control characters.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
          out += '?';
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace

std::string_view toString(Level level) { return level == Level::kRequired ? "required" : "recommended"; }

std::optional<Level> levelFromString(std::string_view text) {
  if (text == "required") return Level::kRequired;
  if (text == "recommended") return Level::kRecommended;
  return std::nullopt;
}

std::set<std::string> parseKnownFailures(const std::string& text) {
  std::set<std::string> names;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (const auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    const auto first = line.find_first_not_of(" \t\r");
    if (first != std::string::npos) {
      const auto last = line.find_last_not_of(" \t\r");
      names.insert(line.substr(first, last - first + 1));
    }
    start = end + 1;
  }
  return names;
}

Report::Report(std::set<std::string> known_failures, bool strict)
    : known_failures_(std::move(known_failures)), strict_(strict) {}

void Report::add(CaseResult result) {
  if (!result.skipped.empty()) {
    std::printf("%-6s %s: %s [%s, SKIPPED: %s]\n", "skip", result.name.c_str(), result.title.c_str(),
                std::string(toString(result.level)).c_str(), result.skipped.c_str());
    std::fflush(stdout);
    results_.push_back(std::move(result));
    return;
  }
  result.known_failure = known_failures_.count(result.name) > 0;
  std::string status;
  if (result.passed()) {
    status = result.known_failure ? "PASS (listed as a known failure: remove it from the list)" : "PASS";
  } else if (result.known_failure) {
    status = "XFAIL (known failure)";
  } else {
    status = result.level == Level::kRequired || strict_ ? "FAIL" : "FAIL (recommended)";
  }
  std::printf("%-6s %s: %s [%s, %s]\n", result.passed() ? "ok" : "not ok", result.name.c_str(),
              result.title.c_str(), std::string(toString(result.level)).c_str(), status.c_str());
  for (const auto& failure : result.failures) std::printf("         - %s\n", failure.c_str());
  for (const auto& warning : result.warnings) std::printf("         ~ warning: %s\n", warning.c_str());
  std::fflush(stdout);
  results_.push_back(std::move(result));
}

int Report::finish() {
  int passed = 0;
  int failed = 0;
  int expected = 0;
  int required_failed = 0;
  int unexpectedly_passed = 0;
  int skipped = 0;
  for (const auto& result : results_) {
    if (!result.skipped.empty()) {
      ++skipped;
    } else if (result.passed()) {
      ++passed;
      if (result.known_failure) ++unexpectedly_passed;
    } else if (result.known_failure) {
      ++expected;
    } else {
      ++failed;
      if (result.level == Level::kRequired || strict_) ++required_failed;
    }
  }
  std::string extra;
  if (skipped > 0) extra += fmt::format(", {} skipped", skipped);
  if (expected > 0) extra += fmt::format(" ({} expected failures listed as known)", expected);
  if (unexpectedly_passed > 0) {
    extra += fmt::format(" ({} listed as known failures passed: update the list)", unexpectedly_passed);
  }
  if (required_failed == 0 && failed > 0) {
    extra += " (only recommended cases failed; --strict fails the run on them too)";
  }
  std::printf("%s\n", gradeLine().c_str());
  std::printf("%d passed, %d failed%s\n", passed, failed, extra.c_str());
  std::fflush(stdout);
  return required_failed == 0 ? 0 : 1;
}

Report::Grade Report::grade() const {
  Grade grade;
  for (const auto& result : results_) {
    if (!result.skipped.empty()) continue;  // neither run nor passed
    auto& counts = result.level == Level::kRequired ? grade.required : grade.recommended;
    ++counts.run;
    if (result.passed()) ++counts.passed;
  }
  return grade;
}

std::string Report::gradeLine() const {
  const Grade counts = grade();
  return fmt::format("required {}/{}, recommended {}/{}", counts.required.passed, counts.required.run,
                     counts.recommended.passed, counts.recommended.run);
}

std::string Report::junitXml(const std::string& suite_name) const {
  int failures = 0;
  int skipped = 0;
  double seconds = 0;
  for (const auto& result : results_) {
    if (!result.skipped.empty()) {
      ++skipped;
    } else if (!result.passed()) {
      (result.known_failure ? skipped : failures) += 1;
    }
    seconds += result.seconds;
  }
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += fmt::format("<testsuites name=\"live-conformance\" tests=\"{}\" failures=\"{}\" time=\"{:.3f}\">\n",
                     results_.size(), failures, seconds);
  xml += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" time=\"{:.3f}\">\n",
                     xmlEscape(suite_name), results_.size(), failures, skipped, seconds);
  const Grade counts = grade();
  xml += "    <properties>\n";
  xml += fmt::format("      <property name=\"required.passed\" value=\"{}\"/>\n", counts.required.passed);
  xml += fmt::format("      <property name=\"required.total\" value=\"{}\"/>\n", counts.required.run);
  xml += fmt::format("      <property name=\"recommended.passed\" value=\"{}\"/>\n", counts.recommended.passed);
  xml += fmt::format("      <property name=\"recommended.total\" value=\"{}\"/>\n", counts.recommended.run);
  xml += fmt::format("      <property name=\"strict\" value=\"{}\"/>\n", strict_ ? "true" : "false");
  xml += "    </properties>\n";
  for (const auto& result : results_) {
    xml += fmt::format("    <testcase classname=\"live-conformance.{}.{}\" name=\"{}\" time=\"{:.3f}\">",
                       xmlEscape(result.suite), toString(result.level), xmlEscape(result.name),
                       result.seconds);
    std::string details = result.title + "\n";
    for (const auto& failure : result.failures) details += "- " + failure + "\n";
    if (!result.skipped.empty()) {
      xml += fmt::format("\n      <skipped message=\"{}\"/>\n    ", xmlEscape(result.skipped));
    } else if (!result.passed() && result.known_failure) {
      xml += fmt::format("\n      <skipped message=\"known failure\">{}</skipped>\n    ", xmlEscape(details));
    } else if (!result.passed()) {
      xml += fmt::format("\n      <failure message=\"{}\">{}</failure>\n    ",
                         xmlEscape(result.failures.front()), xmlEscape(details));
    }
    if (!result.warnings.empty()) {
      std::string warnings;
      for (const auto& warning : result.warnings) warnings += "warning: " + warning + "\n";
      xml += fmt::format("\n      <system-out>{}</system-out>\n    ", xmlEscape(warnings));
    }
    xml += "</testcase>\n";
  }
  xml += "  </testsuite>\n</testsuites>\n";
  return xml;
}

}  // namespace live::conformance
