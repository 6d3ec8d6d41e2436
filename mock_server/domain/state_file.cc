// The state file's log, its rewrite and its reader. See state_file.h for the format and why.
#include "domain/state_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <utility>

#include "domain/config.h"
#include "domain/emulator.h"
#include "domain/api/parse.h"
#include "protocol/json_limits.h"

namespace live::domain {
namespace {

using json = nlohmann::json;

const json& header() {
  static const json value = {{"format", "live-emulator-state"}, {"version", StateFile::kVersion}};
  return value;
}

// A room's counters are written only when one is non-zero, and its RoomInfo members only when one
// is not its default: most rooms have neither, and such a line reads the same in a build that
// predates them.
std::string putLine(const Room& room) {
  json object = roomToJson(room);
  if (room.statistic.isZero()) object.erase("statistic");
  if (room.info.isDefault()) object.erase("info");
  if (room.parts.empty()) object.erase("parts");
  return json{{"put", object}}.dump() + '\n';
}

json accountJson(SdkAppId sdkappid, const std::string& user_id, const ImAccount& account) {
  return json{{"sdkappid", sdkappid}, {"UserID", user_id}, {"Nick", account.nick}, {"FaceUrl", account.face_url}};
}

std::string accountsLine(const AccountStore::AllAccounts& accounts) {
  json list = json::array();
  for (const auto& [sdkappid, app_accounts] : accounts) {
    for (const auto& [user_id, account] : app_accounts) list.push_back(accountJson(sdkappid, user_id, account));
  }
  return json{{"accounts", std::move(list)}}.dump() + '\n';
}

std::string errorText(int error) { return std::strerror(error); }

// Writes all of `data`, or fails with errno set.
bool writeAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

// {"sdkappid":N,"UserID":"...",...} of a configured app: the app and the account, or the problem.
std::optional<std::string> readAccount(const json& value, std::string_view what, const std::vector<App>& apps,
                                       SdkAppId& sdkappid, std::string& user_id, ImAccount& account) {
  const auto app = value.is_object() && value.contains("sdkappid") ? nonNegativeInteger(value["sdkappid"]) : std::nullopt;
  if (!app || *app > std::numeric_limits<SdkAppId>::max()) {
    return fmt::format("{}.sdkappid: expected an integer in 0..4294967295", what);
  }
  sdkappid = static_cast<SdkAppId>(*app);
  if (std::none_of(apps.begin(), apps.end(), [&](const App& known) { return known.sdkappid == sdkappid; })) {
    return fmt::format("{}.sdkappid: no app {} is configured", what, sdkappid);
  }
  const auto id = value.find("UserID");
  if (id == value.end() || !id->is_string() || id->get_ref<const std::string&>().empty()) {
    return fmt::format("{}.UserID: expected a non-empty string", what);
  }
  user_id = id->get<std::string>();
  account.nick = value.value("Nick", std::string());
  account.face_url = value.value("FaceUrl", std::string());
  return std::nullopt;
}

// One record line, applied to `state`; a failure message without the file and line.
std::optional<std::string> applyRecord(const std::string& line, const std::vector<App>& apps,
                                       std::map<std::pair<SdkAppId, std::string>, Room>& rooms,
                                       AccountStore::AllAccounts& accounts) {
  const auto parsed = protocol::parseUntrustedJson(line);
  if (!parsed) return "the record is " + parsed.error();
  const json& record = parsed.value();
  if (!record.is_object() || record.size() != 1) {
    return "expected an object with one key: \"put\", \"remove\", \"account_put\", \"account_remove\" or \"accounts\"";
  }
  if (const auto put = record.find("put"); put != record.end()) {
    auto room = parseRoom(*put, "put", apps);
    if (!room) return room.error();
    if (!room.value().has_create_time) return "put.create_time: required in a state file";
    const Room& loaded = room.value().room;
    rooms.insert_or_assign({loaded.sdkappid, loaded.room_id}, loaded);
    return std::nullopt;
  }
  if (const auto remove = record.find("remove"); remove != record.end()) {
    const auto sdkappid = remove->is_object() && remove->contains("sdkappid")
                              ? nonNegativeInteger((*remove)["sdkappid"])
                              : std::nullopt;
    if (!sdkappid || *sdkappid > std::numeric_limits<SdkAppId>::max()) {
      return "remove.sdkappid: expected an integer in 0..4294967295";
    }
    const auto room_id = remove->find("room_id");
    if (room_id == remove->end() || !room_id->is_string()) return "remove.room_id: expected a string";
    rooms.erase({static_cast<SdkAppId>(*sdkappid), room_id->get<std::string>()});
    return std::nullopt;
  }
  if (const auto put = record.find("account_put"); put != record.end()) {
    SdkAppId sdkappid = 0;
    std::string user_id;
    ImAccount account;
    if (auto problem = readAccount(*put, "account_put", apps, sdkappid, user_id, account)) return problem;
    accounts[sdkappid].insert_or_assign(user_id, account);
    return std::nullopt;
  }
  if (const auto remove = record.find("account_remove"); remove != record.end()) {
    SdkAppId sdkappid = 0;
    std::string user_id;
    ImAccount unused;
    if (auto problem = readAccount(*remove, "account_remove", apps, sdkappid, user_id, unused)) return problem;
    accounts[sdkappid].erase(user_id);
    return std::nullopt;
  }
  if (const auto all = record.find("accounts"); all != record.end()) {
    if (!all->is_array()) return "accounts: expected an array";
    AccountStore::AllAccounts replaced;
    for (const auto& entry : *all) {
      SdkAppId sdkappid = 0;
      std::string user_id;
      ImAccount account;
      if (auto problem = readAccount(entry, "accounts[]", apps, sdkappid, user_id, account)) return problem;
      replaced[sdkappid].insert_or_assign(user_id, account);
    }
    accounts = std::move(replaced);
    return std::nullopt;
  }
  return "expected an object with one key: \"put\", \"remove\", \"account_put\", \"account_remove\" or \"accounts\"";
}

}  // namespace

StateFile::~StateFile() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::vector<Room>> StateFile::read(const std::string& path, const std::vector<App>& apps,
                                          std::vector<std::string>* notes) {
  auto state = readState(path, apps, notes);
  if (!state) return Failure{state.error()};
  return std::move(state).value().rooms;
}

Result<StateFile::State> StateFile::readState(const std::string& path, const std::vector<App>& apps,
                                              std::vector<std::string>* notes) {
  std::error_code status_error;
  if (!std::filesystem::is_regular_file(path, status_error)) {
    return Failure{fmt::format("{}: the state file cannot be read ({})", path,
                               status_error ? status_error.message() : "not a regular file")};
  }
  std::ifstream stream(path, std::ios::binary);
  std::string content;
  if (stream) content.assign(std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>());
  if (!stream || stream.bad()) {
    return Failure{fmt::format("{}: the state file cannot be read ({})", path, errorText(errno))};
  }
  if (content.empty()) {
    return Failure{fmt::format("{}: the state file is empty, so it is not a live-emulator state "
                               "file; remove it to start from the config's rooms",
                               path)};
  }
  std::map<std::pair<SdkAppId, std::string>, Room> rooms;
  AccountStore::AllAccounts accounts;
  std::size_t line_number = 0;
  std::size_t start = 0;
  while (start < content.size()) {
    const std::size_t end = content.find('\n', start);
    ++line_number;
    if (end == std::string::npos) {
      // Cut off mid-write: never acknowledged, so dropping it loses nothing.
      if (notes != nullptr) {
        notes->push_back(fmt::format("{}:{}: ignored an incomplete last record (a write cut off "
                                     "before it was acknowledged)",
                                     path, line_number));
      }
      break;
    }
    const std::string line = content.substr(start, end - start);
    start = end + 1;
    if (line_number == 1) {
      const auto parsed_first = protocol::parseUntrustedJson(line);
      const json first = parsed_first ? parsed_first.value() : json(nullptr);
      if (first.is_object() && first.value("format", json()) == header()["format"] &&
          first.value("version", json()) != header()["version"]) {
        return Failure{fmt::format("{}:1: state file version {} is not supported (this emulator "
                                   "reads version {})",
                                   path, first.value("version", json()).dump(), kVersion)};
      }
      if (first != header()) {
        return Failure{fmt::format("{}:1: not a live-emulator state file (expected the header {})",
                                   path, header().dump())};
      }
      continue;
    }
    if (auto problem = applyRecord(line, apps, rooms, accounts)) {
      return Failure{fmt::format("{}:{}: the state file is corrupt: {}", path, line_number, *problem)};
    }
  }
  if (line_number == 1 && start == 0) {
    return Failure{fmt::format("{}:1: not a live-emulator state file (its header is incomplete)", path)};
  }
  State result;
  result.rooms.reserve(rooms.size());
  for (auto& [key, room] : rooms) result.rooms.push_back(std::move(room));
  result.accounts = std::move(accounts);
  return result;
}

Result<std::unique_ptr<StateFile>> StateFile::attach(const std::string& path, Emulator& emulator,
                                                     std::vector<std::string>* notes) {
  std::unique_ptr<StateFile> file(new StateFile(path));
  std::error_code error;
  const bool exists = std::filesystem::exists(path, error);
  if (error) return Failure{fmt::format("{}: the state file cannot be read ({})", path, error.message())};
  std::vector<Room> rooms;
  if (exists) {
    auto loaded = readState(path, emulator.config().apps, notes);
    if (!loaded) return Failure{loaded.error()};
    rooms = std::move(loaded.value().rooms);
    emulator.rooms().replaceAll(rooms);
    emulator.accounts().replaceAll(loaded.value().accounts);
  } else {
    rooms = emulator.rooms().all();
  }
  // Read before the file's lock is taken: the account store takes that lock under its own.
  auto accounts = emulator.accounts().all();
  try {
    std::lock_guard lock(file->mutex_);
    file->accounts_ = std::move(accounts);
    file->rewrite(rooms);
  } catch (const StateFileError& failure) {
    return Failure{failure.what()};
  }
  emulator.rooms().attach(file.get());
  emulator.accounts().attach(file.get());
  return file;
}

void StateFile::rewrite(const std::vector<Room>& rooms) {
  const std::string temporary = path_ + ".tmp";
  const auto fail = [&](std::string_view step) {
    const int error = errno;
    throw StateFileError(fmt::format("state file {}: {} failed ({})", path_, step, errorText(error)));
  };
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("creating " + temporary);
  std::string buffer = header().dump() + '\n';
  bool written = true;
  for (const auto& room : rooms) {
    buffer += putLine(room);
    if (buffer.size() >= (1u << 20)) {
      written = written && writeAll(fd, buffer);
      buffer.clear();
    }
  }
  if (std::any_of(accounts_.begin(), accounts_.end(), [](const auto& app) { return !app.second.empty(); })) {
    buffer += accountsLine(accounts_);
  }
  written = written && writeAll(fd, buffer) && ::fsync(fd) == 0;
  const int write_error = errno;
  ::close(fd);
  if (!written) {
    errno = write_error;
    ::unlink(temporary.c_str());
    fail("writing " + temporary);
  }
  // The rename is the commit point: before it the old file is whole, after it the new one.
  if (::rename(temporary.c_str(), path_.c_str()) != 0) fail("renaming " + temporary);
  std::string directory = std::filesystem::path(path_).parent_path().string();
  if (directory.empty()) directory = ".";
  if (const int dir_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir_fd >= 0) {
    ::fsync(dir_fd);  // makes the rename itself durable
    ::close(dir_fd);
  }
  const int log_fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd_ >= 0) ::close(fd_);  // it names the replaced file now
  fd_ = log_fd;
  if (log_fd < 0) fail("opening for appending");
  records_since_rewrite_ = 0;
  rooms_at_rewrite_ = rooms.size();
}

void StateFile::append(const std::string& line) {
  std::lock_guard lock(mutex_);
  appendLocked(line);
}

void StateFile::appendLocked(const std::string& line) {
  if (fd_ < 0) {
    throw StateFileError(fmt::format("state file {}: not writable after an earlier failure", path_));
  }
  const off_t before = ::lseek(fd_, 0, SEEK_END);
  if (writeAll(fd_, line) && ::fdatasync(fd_) == 0) {
    ++records_since_rewrite_;
    return;
  }
  const int error = errno;
  // Take back a partial record, so that later records do not follow a torn line. If even that
  // fails, stop writing: the file up to here is still valid.
  if (before < 0 || ::ftruncate(fd_, before) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
  throw StateFileError(fmt::format("state file {}: append failed ({})", path_, errorText(error)));
}

void StateFile::recordPut(const Room& room) { append(putLine(room)); }

void StateFile::recordRemove(SdkAppId sdkappid, std::string_view room_id) {
  append(json{{"remove", {{"sdkappid", sdkappid}, {"room_id", room_id}}}}.dump() + '\n');
}

void StateFile::recordReplaceAll(const std::vector<Room>& rooms) {
  std::lock_guard lock(mutex_);
  rewrite(rooms);
}

void StateFile::recordAccountPut(SdkAppId sdkappid, const std::string& user_id, const ImAccount& account) {
  std::lock_guard lock(mutex_);  // the record and the copy for rewrites change together
  appendLocked(json{{"account_put", accountJson(sdkappid, user_id, account)}}.dump() + '\n');
  accounts_[sdkappid].insert_or_assign(user_id, account);
}

void StateFile::recordAccountRemove(SdkAppId sdkappid, std::string_view user_id) {
  std::lock_guard lock(mutex_);
  appendLocked(json{{"account_remove", {{"sdkappid", sdkappid}, {"UserID", user_id}}}}.dump() + '\n');
  if (const auto app = accounts_.find(sdkappid); app != accounts_.end()) {
    if (const auto it = app->second.find(user_id); it != app->second.end()) app->second.erase(it);
  }
}

void StateFile::recordAccountsReplaced(const AccountStore::AllAccounts& accounts) {
  std::lock_guard lock(mutex_);
  appendLocked(accountsLine(accounts));
  accounts_ = accounts;
}

bool StateFile::wantsCompaction() const {
  return records_since_rewrite_.load() > 1024 + 2 * rooms_at_rewrite_.load();
}

}  // namespace live::domain
