#include "protocol/callback.h"

#include <catch2/catch.hpp>

using namespace live::protocol;

TEST_CASE("callback Sign: the vendor's vector (token xxxxyyyy, RequestTime 1669872112)") {
  CHECK(callbackSign("xxxxyyyy", 1669872112) == "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061");
  // The check can fail: another time or token gives another Sign.
  CHECK(callbackSign("xxxxyyyy", 1669872113) != "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061");
  CHECK(callbackSign("xxxxyyyz", 1669872112) != "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061");
}

TEST_CASE("callback commands: the three the vendor documents, nothing else") {
  CHECK(isCallbackCommand("Live.CallbackAfterDestroyRoom"));
  CHECK(isCallbackCommand("Live.CallbackAfterCreateRoom"));
  CHECK_FALSE(isCallbackCommand("Live.CallbackAfterDestroyroom"));
  CHECK_FALSE(isCallbackCommand(""));
}
