// The vendor's webhook ("callback") protocol (docs/webhooks.md): the signed query of a callback,
// the commands, and the answer a receiver gives. Shared by the emulator, which sends callbacks, and
// live-conformance, which checks a user's receiver.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace live::protocol {

inline constexpr std::string_view kCallbackAfterDestroyRoom = "Live.CallbackAfterDestroyRoom";
inline constexpr std::string_view kCallbackAfterCreateRoom = "Live.CallbackAfterCreateRoom";
inline constexpr std::string_view kCallbackAfterUpdateRoomInfo = "Live.CallbackAfterUpdateRoomInfo";
// The commands set_callback accepts in CallbackCommandList.
inline constexpr std::string_view kCallbackCommands[] = {
    "Live.CallbackAfterCreateRoom", "Live.CallbackAfterDestroyRoom", "Live.CallbackAfterUpdateRoomInfo"};
bool isCallbackCommand(std::string_view command);

// Sign = lower-case hex SHA-256 of the token immediately followed by RequestTime (decimal).
std::string callbackSign(std::string_view token, std::int64_t request_time);

// The documented answer of a receiver that accepts a callback.
inline constexpr std::string_view kCallbackOkAnswer = R"({"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0})";

}  // namespace live::protocol
