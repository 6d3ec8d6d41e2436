#!/bin/bash
# Runs test_isolation.py with 8 pytest-xdist workers on one shared emulator.
#   run.sh isolated: every test in its own app: all pass, the 8 workers shared one emulator, and
#                    tests overlapped (more than one test's app existed at once).
#   run.sh shared:   every test in the same configured app: the conflicting faults and clocks leak,
#                    and the run must fail with the emulator's verification message.
set -u
mode=$1
here=$(cd "$(dirname "$0")" && pwd)
report=$(mktemp -d)
trap 'rm -rf "$report"' EXIT
shared=()
[ "$mode" = shared ] && shared=(env LIVE_PARALLEL_SHARED_APP=1)
output=$("${shared[@]}" env LIVE_PARALLEL_REPORT="$report" PYTHONDONTWRITEBYTECODE=1 \
  /usr/bin/python3 -m pytest -q -p no:cacheprovider -p xdist -p live_emulator.pytest_plugin -n 8 "$here" 2>&1)
status=$?
echo "$output" | tail -40
if [ "$mode" = shared ]; then
  [ $status -ne 0 ] || { echo "FAIL: one app for every test should have leaked faults between tests"; exit 1; }
  # What leaked shows: another test's injected code, or another test's clock (70001).
  echo "$output" | grep -qE 'assert (9000[0-9]|900[1-3][0-9]|70001) == ' || { echo "FAIL: no leaked fault or clock in the failures"; exit 1; }
  echo "OK: with one app for every test, the run fails"
  exit 0
fi
[ $status -eq 0 ] || { echo "FAIL: pytest exited $status"; exit 1; }
urls=$(cat "$report"/*.txt | cut -d' ' -f1 | sort -u | wc -l)
[ "$urls" -eq 1 ] || { echo "FAIL: the workers used $urls emulators, not one"; exit 1; }
workers=$(ls "$report" | wc -l)
[ "$workers" -eq 8 ] || { echo "FAIL: $workers workers ran tests, not 8"; exit 1; }
most=$(cat "$report"/*.txt | cut -d' ' -f2 | sort -n | tail -1)
[ "$most" -ge 2 ] || { echo "FAIL: the tests never overlapped (at most $most app at once)"; exit 1; }
echo "OK: 32 tests on 8 workers, one emulator, up to $most tests' apps at once, nothing leaked"
