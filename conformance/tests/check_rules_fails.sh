#!/usr/bin/env bash
# The rule check must fail when a rule loses its last case, and when a case names a rule no
# document has: run on a copy of the docs and fixtures, broken each way in turn.
set -euo pipefail
root="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
expect_failure() {  # message, then the copy to check
  if output="$(/usr/bin/python3 "$root/conformance/tests/check_rules.py" "$2" 2>&1)"; then
    echo "check_rules.py passed a broken copy ($1 expected)"; exit 1
  fi
  grep -q -- "$1" <<<"$output" || { echo "check_rules.py failed without \"$1\":"; echo "$output"; exit 1; }
}
copy() {
  rm -rf "$work/tree" && mkdir -p "$work/tree/fixtures/conformance" "$work/tree/conformance/tests"
  cp -r "$root/docs" "$work/tree/docs"
  cp -r "$root/fixtures/conformance/server" "$work/tree/fixtures/conformance/server"
}
# 1. Every case that names dissolve.robot names it no more.
copy
/usr/bin/python3 - "$work/tree/fixtures/conformance/server" <<'PY'
import json, pathlib, sys
for path in pathlib.Path(sys.argv[1]).glob("*.json"):
    data = json.loads(path.read_text())
    for case in data["cases"]:
        case["rules"] = [r for r in case.get("rules", []) if r != "dissolve.robot"] or ["destroy.success"]
    path.write_text(json.dumps(data))
PY
expect_failure "rule dissolve.robot has no server case" "$work/tree"
# 2. A case names a rule that no document has.
copy
sed -i 's/"destroy.row-09"/"destroy.row-99"/' "$work/tree/fixtures/conformance/server/check_order.json"
expect_failure "names destroy.row-99, which no document has" "$work/tree"
# 3. A rule written twice.
copy
echo 'Again: `rule:destroy.row-01`' >>"$work/tree/docs/webhooks.md"
expect_failure "rule destroy.row-01 is written twice" "$work/tree"
# 4. A case that names no rule.
copy
sed -i '0,/"rules": \[/s/"rules": \[/"rules_off": [/' "$work/tree/fixtures/conformance/server/behaviour.json"
expect_failure "names no rule" "$work/tree"
echo "check_rules.py fails each broken copy"
