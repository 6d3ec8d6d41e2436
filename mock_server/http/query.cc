// parseQuery: split here, decode with cpp-httplib's decode_url so escapes mean what they mean to
// the rest of the stack.
#include "http/query.h"

#include <httplib.h>

namespace live::http {

namespace {

// Text without '%' or '+' decodes to itself; only the rest needs the library's decoder.
std::string decode(const std::string& text) {
  if (text.find_first_of("%+") == std::string::npos) return text;
  return httplib::detail::decode_url(text, true);
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
    const std::string name(segment.substr(0, equals));
    const std::string value(equals == std::string_view::npos ? std::string_view()
                                                             : segment.substr(equals + 1));
    pairs.emplace_back(decode(name), decode(value));
  }
  return pairs;
}

}  // namespace live::http
