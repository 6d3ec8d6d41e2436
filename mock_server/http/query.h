// Query-string splitting that keeps every occurrence of a parameter. cpp-httplib's own parser
// silently drops a repeated identical "name=value" pair, which would hide the ambiguity that
// docs/destroy_room.md, "Query parameters" answers with 60002.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace live::http {

// Splits the query part of a request target ("path?a=1&b=2") into decoded (name, value) pairs in
// the order sent. '+' decodes to a space; a malformed %-escape is kept as it is; an empty segment
// is skipped; a segment without '=' has an empty value.
std::vector<std::pair<std::string, std::string>> parseQuery(std::string_view target);

}  // namespace live::http
