#!/usr/bin/env bash
# `pip install ./helpers/python` works offline (Debian's python3-pip, python3-setuptools and
# python3-wheel; --no-build-isolation, --no-index), and the installed package's pytest plugin loads by
# its entry point alone: the README's example test passes with nothing but the installed copy.
#   pip_install.sh HELPER_DIR LIVE_EMULATOR
set -euo pipefail
helper="$1"
export LIVE_EMULATOR="$2"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$helper" "$work/source"   # pip builds in the source folder: not in the repository's
rm -rf "$work/source/src/"*.egg-info
/usr/bin/python3 -m pip install --quiet --no-build-isolation --no-index --no-deps --target "$work/site" "$work/source" \
  2>&1 | grep -v "Running pip as the 'root' user" || true
[ -f "$work/site/live_emulator/__init__.py" ] || { echo "pip_install.sh: the package was not installed" >&2; exit 1; }
grep -q "live_emulator.pytest_plugin" "$work/site"/live_emulator-*.dist-info/entry_points.txt ||
  { echo "pip_install.sh: no pytest11 entry point" >&2; exit 1; }
cp "$helper/tests/test_example_client.py" "$work/"
cd "$work"
PYTHONPATH="$work/site" PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 -m pytest -q -p no:cacheprovider test_example_client.py
