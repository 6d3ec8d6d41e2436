#!/usr/bin/env bash
# The control API from curl, as the docs show it: a JSON post is served; curl's plain -d (a form
# post), a foreign Origin and a foreign Host are refused, each with a message that says why.
#   control_api_curl_test.sh LIVE_EMULATOR
set -uo pipefail
coproc EMULATOR { exec "$1" --port 0 --log-format none; }
trap 'kill "$EMULATOR_PID" 2>/dev/null' EXIT
read -r line <&"${EMULATOR[0]}"
url="${line#live-emulator listening on }"
fail() { echo "control_api_curl_test: $*" >&2; exit 1; }
fault='{"api":"destroy_room","action":{"error_code":100001}}'

status=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$url/__emulator/faults" -H 'Content-Type: application/json' -d "$fault")
[ "$status" = 201 ] || fail "a JSON post: HTTP $status, expected 201"
body=$(curl -s -w ' %{http_code}' -X POST "$url/__emulator/faults" -d "$fault")
[[ "$body" == *"application/json"*" 415" ]] || fail "a form post: expected 415 naming application/json, got $body"
body=$(curl -s -w ' %{http_code}' "$url/__emulator/requests" -H 'Origin: http://evil.example')
[[ "$body" == *"Origin: http://evil.example"*" 403" ]] || fail "a foreign Origin: expected 403, got $body"
body=$(curl -s -w ' %{http_code}' "$url/__emulator/requests" -H 'Host: attacker.example')
[[ "$body" == *"--allow-host attacker.example"*" 403" ]] || fail "a foreign Host: expected 403, got $body"
echo "control_api_curl_test: curl is served; a form post, a foreign Origin and a foreign Host are refused"
