#!/usr/bin/env bash
# openapi.json is a valid OpenAPI 3.1 document, by @seriousme/openapi-schema-validator (from npm,
# installed by scripts/build from the committed lock file); a broken copy is refused (so the check
# can fail).
#   check.sh OPENAPI_JSON
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
validate="$here/node_modules/.bin/validate-api"
document="$1"
output=$("$validate" "$document")
echo "$output"
grep -q '"valid": true' <<<"$output" || { echo "check.sh: $document is not a valid OpenAPI 3.1 document" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 - "$document" "$work/broken.json" <<'PY'
import json, sys
document = json.load(open(sys.argv[1]))
document["paths"]["/__emulator/health"]["get"]["parameters"] = [{"name": "x"}]  # a parameter without "in"
json.dump(document, open(sys.argv[2], "w"))
PY
if "$validate" "$work/broken.json" | grep -q '"valid": true'; then
  echo "check.sh: the validator accepted a parameter without "in"" >&2
  exit 1
fi
echo "check.sh: ok"
