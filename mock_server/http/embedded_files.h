// Files built into the binary (live_embed_files in CMakeLists.txt): the dashboard's page, script
// and style sheet, and the scenario recipes of fixtures/scenarios/. No file is read at run time.
#pragma once

#include <span>
#include <string_view>

namespace live::http {

struct EmbeddedFile {
  std::string_view name;   // the path below its folder: "index.html", "rate-limit-burst.json"
  std::string_view bytes;
};

std::span<const EmbeddedFile> dashboardFiles();   // mock_server/http/dashboard/
std::span<const EmbeddedFile> scenarioRecipes();  // fixtures/scenarios/, sorted by name
std::span<const EmbeddedFile> openapiFiles();     // mock_server/http/openapi.json, alone

}  // namespace live::http
