#!/usr/bin/env bash
# Starts the example webhook receiver (with any extra options, e.g. --accept-any-sign), then runs
# `live-conformance webhook` against it; exits with live-conformance's status.
#   webhook_receiver.sh RECEIVER_PY LIVE_CONFORMANCE [RECEIVER OPTIONS...]
set -uo pipefail
receiver_py="$1"
conformance="$2"
shift 2
token="ctest-callback-token"
coproc RECEIVER { exec /usr/bin/python3 -u "$receiver_py" --token "$token" "$@"; }
trap 'kill "$RECEIVER_PID" 2>/dev/null' EXIT
# Its first line says where it listens: waited for, not slept on.
if ! IFS= read -r -t 15 line <&"${RECEIVER[0]}"; then
  echo "webhook_receiver.sh: the receiver did not start" >&2
  exit 2
fi
url="${line#receiver listening on }"
# Its log of what it processed is beside it (receiver.py, GET /processed).
"$conformance" webhook --receiver "$url" --receiver-log "${url%/callback}/processed" --token "$token"
