// The table behind describe(): every code the project emits or recognises, once.
#include "protocol/error_catalog.h"

#include <array>

namespace live::protocol {
namespace {

constexpr std::array kCatalog = {
    ErrorDescription{ErrorCode::kOk, "ok", "Success."},
    ErrorDescription{ErrorCode::kInvalidRequest, "invalid_request",
                     "HTTP parsing error or invalid URL parameter."},
    ErrorDescription{ErrorCode::kInvalidJsonBody, "invalid_json_body",
                     "The request body is not valid JSON."},
    ErrorDescription{ErrorCode::kAccountOrSignature, "account_or_signature",
                     "Account or signature error in the request URL."},
    ErrorDescription{ErrorCode::kRateLimited, "rate_limited",
                     "REST API call frequency exceeds the limit."},
    ErrorDescription{ErrorCode::kRequestResourceError, "request_resource_error",
                     "The requested resource does not exist."},
    ErrorDescription{ErrorCode::kAdminRequired, "admin_required",
                     "The request needs App admin permissions."},
    ErrorDescription{ErrorCode::kSdkAppIdMissing, "sdkappid_missing",
                     "SDKAppID is missing from the request."},
    ErrorDescription{ErrorCode::kAppDisabled, "app_disabled", "The app has been disabled."},
    ErrorDescription{ErrorCode::kPackageExpired, "package_expired",
                     "The app's package has expired."},
    ErrorDescription{ErrorCode::kUserSigExpired, "usersig_expired", "The UserSig has expired."},
    ErrorDescription{ErrorCode::kUserSigEmpty, "usersig_empty", "The UserSig length is 0."},
    ErrorDescription{ErrorCode::kUserSigInvalid, "usersig_invalid",
                     "The UserSig could not be decoded."},
    ErrorDescription{ErrorCode::kUserSigVerificationFailed, "usersig_verification_failed",
                     kUserSigVerificationFailedText},
    ErrorDescription{ErrorCode::kUserSigIdentifierMismatch, "usersig_identifier_mismatch",
                     "The identifier in the request does not match the UserSig's."},
    ErrorDescription{ErrorCode::kUserSigSdkAppIdMismatch, "usersig_sdkappid_mismatch",
                     "The SDKAppID in the request does not match the UserSig's."},
    ErrorDescription{ErrorCode::kSdkAppIdNotFound, "sdkappid_not_found",
                     "The SDKAppID does not exist."},
    ErrorDescription{ErrorCode::kInternalError, "internal_error",
                     "Internal server error, please retry."},
    ErrorDescription{ErrorCode::kInvalidParameter, "invalid_parameter",
                     "Invalid parameter, please check the request for correctness."},
    ErrorDescription{ErrorCode::kCallbackExists, "callback_exists",
                     "A callback configuration exists already; change it with update_callback."},
    ErrorDescription{ErrorCode::kRoomNotFound, "room_not_found",
                     "The room does not exist, possibly because it was never created or has "
                     "already been dissolved."},
    ErrorDescription{ErrorCode::kNoPermission, "no_permission",
                     "No permission to change the room: the operator is neither the owner nor the "
                     "root administrator, or the room is not a live room."},
    ErrorDescription{ErrorCode::kRoomIdInUse, "room_id_in_use", "The RoomId is already in use."},
    ErrorDescription{ErrorCode::kRoomIdInUseByCaller, "room_id_in_use_by_caller",
                     "The RoomId is already in use, and the room belongs to the operator."},
    ErrorDescription{ErrorCode::kRoomCreatedTooOften, "room_created_too_often",
                     "The same RoomId was created twice within 1 second."},
    ErrorDescription{ErrorCode::kNotAMember, "not_a_member", "The account is not a member of the room."},
    ErrorDescription{ErrorCode::kTooManyAdmins, "too_many_admins", "A room has at most 5 admins."},
    ErrorDescription{ErrorCode::kSeatsNotSupported, "seats_not_supported", "This room does not support seats."},
    ErrorDescription{ErrorCode::kMetadataTooManyKeys, "metadata_too_many_keys",
                     "A room's metadata has at most 10 keys."},
    ErrorDescription{ErrorCode::kMetadataValueTooLong, "metadata_value_too_long",
                     "A metadata value is at most 2 KB."},
    ErrorDescription{ErrorCode::kMetadataTooLarge, "metadata_too_large", "A room's metadata is at most 16 KB in all."},
    ErrorDescription{ErrorCode::kImInvalidParameter, "im_invalid_parameter",
                     "Invalid parameter (IM account commands)."},
};

}  // namespace

std::span<const ErrorDescription> errorCatalog() { return kCatalog; }

const ErrorDescription* describe(ErrorCode code) { return describe(std::int64_t{toInt(code)}); }

const ErrorDescription* describe(std::int64_t code) {
  for (const auto& entry : kCatalog) {
    if (toInt(entry.code) == code) return &entry;
  }
  return nullptr;
}

}  // namespace live::protocol
