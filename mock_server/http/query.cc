// parseQuery: split here, decode with cpp-httplib's decode_url so escapes mean what they mean to
// the rest of the stack.
#include "http/query.h"

#include <httplib.h>

namespace live::http {

namespace {

// Text without '%' or '+' decodes to itself; only the rest needs the library's decoder. (A plain
// loop: find_first_of with a set costs several times more per byte, and a UserSig is ~200 bytes.)
std::string decode(std::string_view text) {
  bool escaped = false;
  for (const char c : text) escaped |= (c == '%') | (c == '+');
  if (!escaped) return std::string(text);
  return httplib::detail::decode_url(std::string(text), true);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> parseQuery(std::string_view target) {
  std::vector<std::pair<std::string, std::string>> pairs;
  const auto question = target.find('?');
  if (question == std::string_view::npos) return pairs;
  std::string_view rest = target.substr(question + 1);
  // A fragment is never sent by conforming clients; if present it is not part of the query.
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view segment = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (segment.empty()) continue;
    const auto equals = segment.find('=');
    pairs.emplace_back(decode(segment.substr(0, equals)),
                       decode(equals == std::string_view::npos ? std::string_view()
                                                               : segment.substr(equals + 1)));
  }
  return pairs;
}

}  // namespace live::http
