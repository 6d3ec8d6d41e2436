// parseQuery keeps repeats, order and odd bytes.
#include "http/query.h"

#include <catch2/catch.hpp>

using live::http::parseQuery;
using Pairs = std::vector<std::pair<std::string, std::string>>;

TEST_CASE("parseQuery keeps every occurrence in order, identical ones too") {
  CHECK(parseQuery("/p?a=1&a=1&b=2") == Pairs{{"a", "1"}, {"a", "1"}, {"b", "2"}});
}

TEST_CASE("parseQuery decodes escapes and plus, and tolerates malformed input") {
  CHECK(parseQuery("/p?x=a%2Bb+c&y=%zz&z&&=v") ==
        Pairs{{"x", "a+b c"}, {"y", "%zz"}, {"z", ""}, {"", "v"}});
  CHECK(parseQuery("/p") == Pairs{});
  CHECK(parseQuery("/p?") == Pairs{});
  CHECK(parseQuery("/p?n=%00") == Pairs{{"n", std::string(1, '\0')}});
}
