#!/usr/bin/env bash
# HTTPS end to end: scripts/dev-cert makes a local CA and certificate; live-emulator serves them;
# the reference client destroys a room over https trusting that CA (--ca-file), refuses the server
# without it, and the client suite passes over https (--ca-file reaches the adapter as LIVE_CA_FILE),
# also with an adapter that sleeps past the emulator's 5 s keep-alive timeout before it starts.
#   tls_target.sh SOURCE_DIR LIVE_EMULATOR LIVE_CLIENT LIVE_CONFORMANCE
set -uo pipefail
source_dir="$1"
emulator="$2"
client="$3"
conformance="$4"
work=$(mktemp -d)
trap 'kill "$EMULATOR_PID" 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "tls_target: $*" >&2; exit 1; }

bash "$source_dir/scripts/dev-cert" "$work/cert" >/dev/null || fail "scripts/dev-cert failed"
coproc EMULATOR { exec "$emulator" --port 0 --config "$source_dir/fixtures/conformance/config.json" \
  --tls-cert "$work/cert/cert.pem" --tls-key "$work/cert/key.pem" --log-format none; }
read -r line <&"${EMULATOR[0]}"
url="${line#live-emulator listening on }"
case "$url" in https://127.0.0.1:*) ;; *) fail "the listening line names no https URL: $line" ;; esac

export LIVE_SDKAPPID=1400000000 LIVE_IDENTIFIER=admin
LIVE_SECRET_KEY=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["apps"][0]["secret_key"])' \
  "$source_dir/fixtures/conformance/config.json")
export LIVE_SECRET_KEY
curl -sf --cacert "$work/cert/ca.pem" -X POST "$url/__emulator/rooms" -H 'Content-Type: application/json' \
  -d '{"sdkappid":1400000000,"room_id":"tls-room","owner":"admin"}' >/dev/null || fail "curl could not add a room over https"

output=$("$client" destroy-room tls-room --endpoint "$url" --ca-file "$work/cert/ca.pem")
status=$?
echo "$output"
[ "$status" -eq 0 ] && grep -q '"outcome":"destroyed"' <<<"$output" || fail "live-client over https: exit $status"

output=$("$client" destroy-room other --endpoint "$url" --max-attempts 1)
status=$?
[ "$status" -eq 2 ] && grep -q '"outcome":"transport_error"' <<<"$output" ||
  fail "without --ca-file the client must refuse the unknown CA (exit 2), got $status: $output"
echo "without --ca-file: refused, as it must be: $(grep -o '"detail":"[^"]*"' <<<"$output")"

output=$("$conformance" client --target "$url" --ca-file "$work/cert/ca.pem" --adapter "$client adapter" 2>&1)
status=$?
printf '%s\n' "$output" | tail -n 1
[ "$status" -eq 0 ] || fail "client suite over https: exit $status"

# The runner's control connection outlives a pause longer than the server's keep-alive timeout.
output=$("$conformance" client --target "$url" --ca-file "$work/cert/ca.pem" --filter client-destroy-success \
  --adapter "sleep 6; $client adapter" 2>&1)
status=$?
printf '%s\n' "$output" | tail -n 3
[ "$status" -eq 0 ] || fail "client suite over https with an adapter that sleeps 6 s first: exit $status"
echo "tls_target: the reference client and the client suite work over https"
