# Shared by the artifact tests (packaging/tests/*_test.sh): each checks one artifact of
# scripts/package in dist/, and skips (exit 77, ctest's SKIP_RETURN_CODE) with the reason when the
# artifact or a tool it needs is absent. Sourced; sets $work (removed at exit).
set -euo pipefail
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
artifact() {  # artifact DIST GLOB: the one file matching GLOB in DIST, or skip
  local found
  found=$(find "$1" -maxdepth 1 -name "$2" 2>/dev/null | sort | tail -1)
  [ -n "$found" ] || skip "no $2 in $1: run 'bash scripts/package --portable-only' first"
  realpath "$found"
}
work=$(mktemp -d)
cleanup_steps=()
cleanup() {
  local step
  for step in "${cleanup_steps[@]}"; do eval "$step" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
# wait_for_line FILE TEXT SECONDS: waits for a line containing TEXT (an emulator's listening line).
wait_for_line() {
  local deadline=$((SECONDS + $3))
  while ! grep -q "$2" "$1" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || fail "no '$2' in $1 after $3 s: $(cat "$1" 2>/dev/null)"
    sleep 0.05
  done
}
