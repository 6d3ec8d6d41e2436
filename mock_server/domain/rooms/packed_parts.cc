// The packing: a 4-byte total size, then admins, bans, metadata and seats, each a 4-byte count and
// its entries; a string is a 4-byte length and its bytes, an instant 8 bytes, a seat's flags 1.
// Integers are in the machine's byte order: the bytes never leave the process.
#include "domain/rooms/packed_parts.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace live::domain {
namespace {

class Writer {
 public:
  void u32(std::uint32_t value) { raw(&value, sizeof value); }
  void i64(std::int64_t value) { raw(&value, sizeof value); }
  void u8(std::uint8_t value) { raw(&value, sizeof value); }
  void text(std::string_view value) {
    u32(static_cast<std::uint32_t>(value.size()));
    raw(value.data(), value.size());
  }
  std::string bytes;

 private:
  void raw(const void* data, std::size_t size) { bytes.append(static_cast<const char*>(data), size); }
};

class Reader {
 public:
  explicit Reader(const char* data) : at_(data) {}
  std::uint32_t u32() { return read<std::uint32_t>(); }
  std::int64_t i64() { return read<std::int64_t>(); }
  std::uint8_t u8() { return read<std::uint8_t>(); }
  std::string text() {
    const auto size = u32();
    std::string value(at_, size);
    at_ += size;
    return value;
  }

 private:
  template <class T>
  T read() {
    T value;
    std::memcpy(&value, at_, sizeof value);
    at_ += sizeof value;
    return value;
  }
  const char* at_;
};

}  // namespace

PackedParts::PackedParts(const RoomParts& parts) {
  if (parts.empty()) return;
  Writer out;
  out.u32(0);  // the size, filled in below
  out.u32(static_cast<std::uint32_t>(parts.admins.size()));
  for (const auto& admin : parts.admins) out.text(admin);
  out.u32(static_cast<std::uint32_t>(parts.bans.size()));
  for (const auto& [member, until] : parts.bans) {
    out.text(member);
    out.i64(until);
  }
  out.u32(static_cast<std::uint32_t>(parts.metadata.size()));
  for (const auto& [key, value] : parts.metadata) {
    out.text(key);
    out.text(value);
  }
  out.u32(static_cast<std::uint32_t>(parts.seats.size()));
  for (const auto& seat : parts.seats) {
    out.text(seat.member);
    out.u8(static_cast<std::uint8_t>((seat.taken_disabled ? 1 : 0) | (seat.video_disabled ? 2 : 0) |
                                     (seat.audio_disabled ? 4 : 0)));
  }
  const auto size = static_cast<std::uint32_t>(out.bytes.size());
  std::memcpy(out.bytes.data(), &size, sizeof size);
  data_ = std::make_unique<char[]>(out.bytes.size());
  std::memcpy(data_.get(), out.bytes.data(), out.bytes.size());
}

RoomParts PackedParts::unpack() const {
  RoomParts parts;
  if (!data_) return parts;
  Reader in(data_.get());
  in.u32();  // the size
  for (auto n = in.u32(); n > 0; --n) parts.admins.push_back(in.text());
  for (auto n = in.u32(); n > 0; --n) {
    auto member = in.text();
    parts.bans.emplace(std::move(member), in.i64());
  }
  for (auto n = in.u32(); n > 0; --n) {
    auto key = in.text();
    parts.metadata.emplace_back(std::move(key), in.text());
  }
  for (auto n = in.u32(); n > 0; --n) {
    Seat seat;
    seat.member = in.text();
    const auto flags = in.u8();
    seat.taken_disabled = (flags & 1) != 0;
    seat.video_disabled = (flags & 2) != 0;
    seat.audio_disabled = (flags & 4) != 0;
    parts.seats.push_back(std::move(seat));
  }
  return parts;
}

}  // namespace live::domain
