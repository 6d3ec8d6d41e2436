// libFuzzer target: the whole vendor-API request handler in process (query parsing, the check
// chain of docs/destroy_room.md, "The check table", faults, the room operation, the journal and the envelope).
//
// Input: line 1 is the method, line 2 the request target (path and query), the rest the body. A
// query value "@ID" for `usersig` is replaced by a valid UserSig for identifier ID, so the fuzzer
// reaches the rows behind signature verification. Every answer must be well formed: a 200 carries
// a parseable envelope with the answer's ErrorCode and a well-formed RequestId (none for the IM
// commands), and the handler never throws.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "domain/config.h"
#include "domain/emulator.h"
#include "http/query.h"
#include "protocol/envelope.h"
#include "protocol/text.h"
#include "protocol/usersig.h"

namespace {

constexpr std::int64_t kNow = 1'700'000'000;

live::domain::Emulator& emulator() {
  static live::domain::Emulator* instance = [] {
    live::domain::EmulatorOptions options;
    options.frozen_clock = live::domain::Instant(std::chrono::seconds(kNow));
    options.journal_size = 16;
    return new live::domain::Emulator(live::domain::embeddedDefaultConfig(), options);
  }();
  return *instance;
}

std::string_view nextLine(std::string_view& rest) {
  const auto newline = rest.find('\n');
  const std::string_view line = rest.substr(0, newline);
  rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  live::domain::ApiCall call;
  call.method = std::string(nextLine(rest));
  const std::string_view target = nextLine(rest);
  call.path = std::string(target.substr(0, target.find('?')));
  call.query = live::http::parseQuery(target);
  for (auto& [name, value] : call.query) {
    if (name == "usersig" && !value.empty() && value.front() == '@' &&
        live::protocol::isValidUtf8(value.substr(1))) {
      value = live::protocol::generateUserSig(
          {88888888, "emulator-secret-key", value.substr(1), kNow, 86400, std::nullopt});
    }
  }
  call.body = std::string(rest);
  call.peer = "127.0.0.1:1";

  auto& instance = emulator();
  instance.reset();
  const live::domain::ApiAnswer answer = instance.handle(std::move(call));
  if (answer.http_status == 200) {
    // The IM commands' envelope carries no RequestId (docs/room-family.md, "IM accounts"); every
    // other answer carries a well-formed one.
    const auto envelope = live::protocol::parseEnvelope(answer.body);
    if (!envelope || envelope.value().error_code != answer.envelope.error_code) std::abort();
    const std::string& request_id = envelope.value().request_id;
    if (answer.envelope.im ? !request_id.empty() : !live::protocol::isWellFormedRequestId(request_id)) {
      std::abort();
    }
  }
  (void)instance.journal().entries();
  return 0;
}
