#!/usr/bin/env bash
# Prometheus' own checker accepts GET /__emulator/metrics after a mix of calls, and refuses a broken
# exposition (so the check can fail).
#   metrics_promtool_test.sh LIVE_EMULATOR LIVE_CLIENT
set -euo pipefail
emulator="$1"
client="$2"
command -v promtool >/dev/null || { echo "promtool is missing (Debian package prometheus; scripts/install-deps)" >&2; exit 1; }
work=$(mktemp -d)
coproc SERVER { exec "$emulator" --port 0 --log-format none; }
trap 'kill $SERVER_PID 2>/dev/null; rm -rf "$work"' EXIT
read -r -t 15 line <&"${SERVER[0]}" || { echo "the emulator did not start" >&2; exit 1; }
url="${line##* }"
sig=$("$client" usersig --sdkappid 88888888 --identifier admin --secret-key emulator-secret-key)
call() {  # call ROOM: one destroy_room call
  curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -d "{\"RoomId\":\"$1\"}" \
    "$url/v4/live_engine_http_srv/destroy_room?sdkappid=88888888&identifier=admin&usersig=$sig&random=1&contenttype=json"
}
call live-room; call live-room; call other
curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -d '{"api":"destroy_room","action":{"http_status":503}}' \
  "$url/__emulator/faults"
call faulted
curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -d '{"api":"destroy_room","action":{"drop_connection":true}}' \
  "$url/__emulator/faults"
call dropped || true
curl -s "$url/__emulator/metrics" > "$work/metrics.txt"
cat "$work/metrics.txt"
promtool check metrics < "$work/metrics.txt"
grep -q 'live_emulator_http_responses_total{status="503"} 1' "$work/metrics.txt"
grep -q 'live_emulator_http_responses_total{status="0"} 1' "$work/metrics.txt"
# A broken exposition: a sample whose value is not a number.
sed 's/^live_emulator_call_duration_seconds_count .*/live_emulator_call_duration_seconds_count many/' \
  "$work/metrics.txt" > "$work/broken.txt"
if promtool check metrics < "$work/broken.txt" 2>/dev/null; then
  echo "promtool accepted a broken exposition: the check cannot fail" >&2
  exit 1
fi
echo "metrics_promtool_test: ok"
