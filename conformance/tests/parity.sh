#!/usr/bin/env bash
# Parity proven on what runs here (docs/parity.md). One mode per ctest test:
#   parity.sh MODE SOURCE_DIR LIVE_EMULATOR LIVE_CONFORMANCE [ALWAYS_OK_SERVER]
# snapshots: the emulator matches fixtures/parity/emulator.json exactly, and every production
#            snapshot up to the listed known differences;
# lenient:   against live-emulator --lenient, exactly the cases without `random` differ;
# current:   against an app with the current response style, only member order differs;
# https:     over HTTPS with --ca-file no difference, and without it a named TLS failure;
# gateway:   a target answering 502 to everything gets a clear report, and differs in every case;
# bad-input: unreachable target, missing credentials, a file that is not a snapshot; the dry run
#            masks the UserSig and never shows the key.
set -uo pipefail
mode="$1"
source_dir="$2"
emulator="$3"
conformance="$4"
always_ok="${5:-}"
fixtures="$source_dir/fixtures"
config="$fixtures/conformance/config.json"
work=$(mktemp -d)
trap 'kill "${SERVER_PID:-}" 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "parity.sh $mode: $*" >&2; exit 1; }
key=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["apps"][0]["secret_key"])' "$config")
export LIVE_SDKAPPID=1400000000 LIVE_IDENTIFIER=admin LIVE_SECRET_KEY="$key"

own_snapshot() {  # own_snapshot FILE: the emulator's snapshot, from an emulator the runner starts
  "$conformance" parity --emulator "$emulator" --rate 20 --snapshot "$1" >/dev/null || fail "parity run failed"
}
start() {  # start ARGS...: a server whose first line ends with its URL; sets url
  coproc SERVER { exec "$@"; }
  read -r -t 15 line <&"${SERVER[0]}" || fail "the server did not start: $*"
  url="${line##* }"
}
differing_cases() {  # differing_cases COMPARE_OUTPUT: the case names of the table, sorted, unique
  awk 'NR > 1 && !/^[0-9]+ differences/ {print $1}' <<<"$1" | sort -u
}

case "$mode" in
  snapshots)
    own_snapshot "$work/now.json"
    "$conformance" parity --compare "$fixtures/parity/emulator.json" "$work/now.json" ||
      fail "the emulator differs from fixtures/parity/emulator.json (regenerate it with scripts/parity-snapshot if the change is intended)"
    for recorded in "$fixtures"/parity/production/*.json; do
      [ -e "$recorded" ] || continue
      "$conformance" parity --compare "$recorded" "$work/now.json" \
        --known-differences "$fixtures/parity/known-differences.json" || fail "$recorded: unexplained differences"
    done
    ;;
  lenient)
    own_snapshot "$work/strict.json"
    start "$emulator" --port 0 --config "$config" --lenient --log-format none
    "$conformance" parity --target "$url" --rate 20 --snapshot "$work/lenient.json" >/dev/null || fail "run failed"
    output=$("$conformance" parity --compare "$work/strict.json" "$work/lenient.json")
    printf '%s\n' "$output"
    expected=$(python3 - "$fixtures/conformance/server" <<'PY'
import json, pathlib, sys
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.json")):
    for case in json.loads(path.read_text())["cases"]:
        steps = case.get("steps", [])
        # parity never sends what could create or change state (docs/parity.md)
        never_sent = any(s.get("request", {}).get("path", "").rsplit("/", 1)[-1] in
                         ("create_room", "update_room_info", "set_callback", "update_callback", "set_callback_token",
                          "set_room_metadata", "del_room_metadata", "add_robot", "del_robot", "modify_admin",
                          "ban_member", "unban_member", "pick_user_on_seat", "kick_user_off_seat", "lock_seat",
                          "move_user_to_seat", "switch_seat", "account_import", "multiaccount_import",
                          "account_delete")
                         for s in steps)
        if "setup" not in case and steps and not never_sent and \
                all("random" in s.get("request", {}).get("query", {}).get("omit", []) or
                    "random" in s.get("request", {}).get("query", {}).get("rename", {}) for s in steps):
            print(case["name"])
PY
)
    [ -n "$expected" ] || fail "no case leaves out random"
    [ "$(differing_cases "$output")" = "$(sort -u <<<"$expected")" ] ||
      fail "expected exactly these cases to differ: $expected"
    ;;
  current)
    own_snapshot "$work/2024.json"
    python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["apps"][0]["response_style"]="current"; json.dump(c, open(sys.argv[2],"w"))' \
      "$config" "$work/current-config.json"
    start "$emulator" --port 0 --config "$work/current-config.json" --log-format none
    "$conformance" parity --target "$url" --rate 20 --snapshot "$work/current.json" >/dev/null || fail "run failed"
    output=$("$conformance" parity --compare "$work/2024.json" "$work/current.json")
    printf '%s\n' "$output"
    fields=$(awk 'NR > 1 && !/^[0-9]+ differences/ {print ($2 == "answer" ? $4 : $2)}' <<<"$output" | sort -u)
    [ "$fields" = "members" ] || fail "expected only member-order lines to differ, saw fields: $fields"
    ;;
  https)
    own_snapshot "$work/http.json"
    bash "$source_dir/scripts/dev-cert" "$work/cert" >/dev/null || fail "scripts/dev-cert failed"
    start "$emulator" --port 0 --config "$config" --tls-cert "$work/cert/cert.pem" --tls-key "$work/cert/key.pem" \
      --log-format none
    "$conformance" parity --target "$url" --ca-file "$work/cert/ca.pem" --rate 20 --snapshot "$work/https.json" \
      >/dev/null || fail "run over https failed"
    "$conformance" parity --compare "$work/http.json" "$work/https.json" || fail "https differs from http"
    output=$("$conformance" parity --target "$url" --rate 20 --filter row-03 --snapshot "$work/x.json" 2>&1)
    status=$?
    printf '%s\n' "$output"
    [ "$status" -eq 69 ] && grep -q "TLS failure" <<<"$output" || fail "without --ca-file: expected exit 69 naming a TLS failure"
    ;;
  gateway)
    own_snapshot "$work/emulator.json"
    start "$always_ok" --gateway-error
    output=$("$conformance" parity --target "$url" --rate 20 --snapshot "$work/gateway.json")
    status=$?
    printf '%s\n' "$output"
    [ "$status" -eq 0 ] || fail "recording a 502 target must succeed (exit $status)"
    grep -q "row-03-sdkappid-missing .*HTTP 502 text/html (html body, not the vendor's envelope)" <<<"$output" ||
      fail "no clear line for a 502 answer"
    "$conformance" parity --compare "$work/emulator.json" "$work/gateway.json" > "$work/compare.txt"
    [ $? -eq 1 ] || fail "a 502 target must differ from the emulator (exit 1)"
    total=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["cases"]))' "$work/emulator.json")
    [ "$(differing_cases "$(cat "$work/compare.txt")" | wc -l)" -eq "$total" ] || fail "expected every case to differ"
    ;;
  bad-input)
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    output=$("$conformance" parity --target "http://127.0.0.1:$port" --rate 20 --snapshot "$work/x.json" 2>&1)
    [ $? -eq 69 ] && grep -q "cannot reach http://127.0.0.1:$port" <<<"$output" || fail "unreachable: $output"
    output=$(env -u LIVE_SECRET_KEY "$conformance" parity --target "http://127.0.0.1:$port" 2>&1)
    [ $? -eq 64 ] && grep -q "LIVE_SECRET_KEY is not set" <<<"$output" || fail "missing credentials: $output"
    echo '{"format":"live-conformance parity snapshot","version":1,"cases":[{"name":"x"}]}' > "$work/bad.json"
    output=$("$conformance" parity --compare "$work/bad.json" "$work/bad.json" 2>&1)
    [ $? -eq 78 ] && grep -q "bad.json: cases\[0\].answers: expected an array" <<<"$output" || fail "bad snapshot: $output"
    output=$("$conformance" parity --compare "$config" "$config" 2>&1)
    [ $? -eq 78 ] && grep -q "config.json: format: expected" <<<"$output" || fail "not a snapshot: $output"
    output=$("$conformance" parity --emulator "$emulator" --dry-run 2>&1)
    [ $? -eq 0 ] && grep -q "usersig=<UserSig>" <<<"$output" || fail "dry run: $output"
    ! grep -q "$key" <<<"$output" || fail "the dry run shows the secret key"
    [ "$(grep -c 'destroy_room?' <<<"$output")" -ge 30 ] || fail "the dry run did not list the requests"
    ;;
  *) fail "unknown mode" ;;
esac
echo "parity.sh $mode: ok"
