#!/usr/bin/env bash
# Both suites drive an emulator that requires a control token: without the token the runner stops
# with exit 69 and says what to give; with --control-token (server) or LIVE_CONTROL_TOKEN (client)
# every case runs and passes.
#   token_target.sh LIVE_EMULATOR LIVE_CONFORMANCE FIXTURES_CONFIG CLIENT_ADAPTER
set -uo pipefail
emulator="$1"
conformance="$2"
config="$3"
adapter="$4"
token="conformance-token-$$"
coproc EMULATOR { exec "$emulator" --port 0 --config "$config" --control-token "$token" --log-format none; }
trap 'kill "$EMULATOR_PID" 2>/dev/null' EXIT
read -r line <&"${EMULATOR[0]}"
url="${line#live-emulator listening on }"

fail() { echo "token_target: $*" >&2; exit 1; }

output=$("$conformance" server --target "$url" 2>&1)
status=$?
[ "$status" -eq 69 ] || fail "without the token: expected exit 69, got $status: $output"
grep -q -- "--control-token or LIVE_CONTROL_TOKEN" <<<"$output" || fail "without the token, no hint: $output"
echo "without the token: exit 69 and the hint, as it must"

output=$("$conformance" server --target "$url" --control-token "$token" 2>&1)
status=$?
printf '%s\n' "$output" | tail -n 1
[ "$status" -eq 0 ] || fail "server suite with --control-token: exit $status"

output=$(LIVE_CONTROL_TOKEN="$token" "$conformance" client --target "$url" --adapter "$adapter" 2>&1)
status=$?
printf '%s\n' "$output" | tail -n 1
[ "$status" -eq 0 ] || fail "client suite with LIVE_CONTROL_TOKEN: exit $status"
echo "token_target: both suites pass against a token-protected emulator"
