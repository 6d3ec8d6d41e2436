#!/usr/bin/env bash
# A server that answers OK to everything must fail most server cases: starts one, runs the server
# suite against it, and checks that more cases failed than passed.
#   always_ok_target.sh ALWAYS_OK_SERVER LIVE_CONFORMANCE
set -uo pipefail
server="$1"
conformance="$2"
coproc SERVER { exec "$server"; }
read -r line <&"${SERVER[0]}"
url="${line#listening on }"
# It sends no callbacks: each callback case fails after a short wait instead of the default 5 s.
output=$("$conformance" server --target "$url" --callback-wait 300 2>&1)
status=$?
kill "$SERVER_PID" 2>/dev/null
printf '%s\n' "$output" | tail -n 5
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' <<<"$output")
passed=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$summary")
failed=$(sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$summary")
if [ "$status" -ne 1 ] || [ -z "$summary" ] || [ "$failed" -le "$passed" ]; then
  echo "always_ok_target: expected exit 1 and most cases failed; got exit $status, '$summary'" >&2
  exit 1
fi
echo "always_ok_target: $failed of $((passed + failed)) cases failed, as they must"
