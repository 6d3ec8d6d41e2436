// --state-file: rooms that survive restarts (docs/control-api.md, "State file").
//
// Design: an append-only log, one JSON record per line, fdatasync()ed before the change it records
// takes effect, so before any answer that reports it. Appending costs one short write and one sync
// per change, whatever the number of rooms; rewriting the whole state atomically (temporary file,
// fsync, rename) on every change would cost time and I/O proportional to the rooms (a million
// rooms is ~100 MB per destroy). The whole-file rewrite is used only where it is cheap or needed:
// at start, on reset, and to compact the log once it has grown to several times the live state.
//
// Format (version 1), UTF-8 text, one JSON object per line, each line ending in '\n':
//   {"format":"live-emulator-state","version":1}       always the first line
//   {"put":{room object as in the config, every field}}  a room added or replaced
//   {"remove":{"sdkappid":N,"room_id":"..."}}           a room removed
//   {"account_put":{"sdkappid":N,"UserID":"...","Nick":"...","FaceUrl":"..."}}  an IM account imported
//   {"account_remove":{"sdkappid":N,"UserID":"..."}}    an IM account deleted
//   {"accounts":[{account as in account_put}, ...]}     every app's IM accounts, replaced (reset, rewrite)
// The state is the result of applying the records in order. A last line without its '\n' is a
// write that was cut off before it was acknowledged: it is ignored (and dropped by the rewrite at
// start). Anything else that does not read is corruption: the file is refused, never replaced.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "domain/accounts/account_store.h"
#include "domain/rooms/model.h"
#include "domain/rooms/room_store.h"
#include "protocol/result.h"

namespace live::domain {

class Emulator;

// A change could not be made durable; the change did not happen.
class StateFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class StateFile final : public RoomStore::ChangeLog, public AccountStore::ChangeLog {
 public:
  static constexpr int kVersion = 1;

  // What a state file holds: rooms, and each app's IM accounts.
  struct State {
    std::vector<Room> rooms;
    AccountStore::AllAccounts accounts;
  };

  ~StateFile() override;
  StateFile(const StateFile&) = delete;
  StateFile& operator=(const StateFile&) = delete;

  // Reads a state file: its rooms, validated against `apps`. Failure messages name the file and
  // the line. `notes` receives remarks that are not errors (a cut-off last line).
  static Result<State> readState(const std::string& path, const std::vector<App>& apps,
                                 std::vector<std::string>* notes = nullptr);
  // Its rooms only.
  static Result<std::vector<Room>> read(const std::string& path, const std::vector<App>& apps,
                                        std::vector<std::string>* notes = nullptr);

  // Connects `emulator`'s rooms to `path`: an existing file is the room state (loaded, then
  // rewritten compacted); a missing one is created from the emulator's current rooms. From then on
  // every change is durable in the file before it takes effect. A file that cannot be read,
  // parsed or written is refused with a message naming it.
  static Result<std::unique_ptr<StateFile>> attach(const std::string& path, Emulator& emulator,
                                                   std::vector<std::string>* notes = nullptr);

  void recordPut(const Room& room) override;
  void recordRemove(SdkAppId sdkappid, std::string_view room_id) override;
  void recordReplaceAll(const std::vector<Room>& rooms) override;
  bool wantsCompaction() const override;
  void recordAccountPut(SdkAppId sdkappid, const std::string& user_id, const ImAccount& account) override;
  void recordAccountRemove(SdkAppId sdkappid, std::string_view user_id) override;
  void recordAccountsReplaced(const AccountStore::AllAccounts& accounts) override;

 private:
  explicit StateFile(std::string path) : path_(std::move(path)) {}
  void append(const std::string& line);
  void appendLocked(const std::string& line);  // caller holds mutex_
  void rewrite(const std::vector<Room>& rooms);  // caller holds mutex_

  const std::string path_;
  std::mutex mutex_;
  int fd_ = -1;  // the log, open for appending; guarded by mutex_
  // The accounts as the file has them, for a rewrite: kept here rather than read from the store, so
  // that a rewrite (under the room store's locks) never waits for the account store's lock.
  AccountStore::AllAccounts accounts_;  // guarded by mutex_
  std::atomic<std::size_t> records_since_rewrite_{0};
  std::atomic<std::size_t> rooms_at_rewrite_{0};
};

}  // namespace live::domain
