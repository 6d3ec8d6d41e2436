#!/usr/bin/env bash
# Runs a live-conformance command that must fail: exit status 1 and, in its output, a line matching
# PATTERN (the message that names the defect). Used by ctest for the deliberately broken clients.
#   expect_failure.sh PATTERN COMMAND [ARGS...]
set -uo pipefail
pattern="$1"
shift
output=$("$@" 2>&1)
status=$?
printf '%s\n' "$output"
if [ "$status" -ne 1 ]; then
  echo "expect_failure: exit status $status, expected 1 (a required case failed)" >&2
  exit 1
fi
if ! grep -Eq -- "$pattern" <<<"$output"; then
  echo "expect_failure: no line matches /$pattern/" >&2
  exit 1
fi
echo "expect_failure: failed as expected, naming the defect"
