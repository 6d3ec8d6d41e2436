#!/usr/bin/env bash
# The wheel, as a user installs it: a fresh venv, pip offline (--no-index), nothing else on PATH.
# Then live-emulator, live-client and live-conformance are the venv's, print the same version,
# live-conformance finds its fixtures under the venv's share/, and the pytest plugin (by its entry
# point) finds the wheel's live-emulator with no LIVE_EMULATOR and no PATH entry for it.
#   wheel_test.sh DIST
source "$(dirname "$0")/common.sh"
wheel=$(artifact "$1" 'live_emulator-*.whl')
version=$(basename "$wheel" | cut -d- -f2)
python=/usr/bin/python3
"$python" -c 'import venv, ensurepip' 2>/dev/null || skip "$python has no venv or ensurepip (Debian's python3-venv)"
"$python" -c 'import pytest' 2>/dev/null || skip "no pytest for $python (Debian's python3-pytest)"

# --system-site-packages: pytest comes from Debian's python3-pytest; the wheel brings the rest.
"$python" -m venv --system-site-packages "$work/venv"
clean_env=(env -i "HOME=$work" "PATH=/usr/bin:/bin" "PYTHONDONTWRITEBYTECODE=1")
"${clean_env[@]}" "$work/venv/bin/python" -m pip install --quiet --no-index --no-deps \
  --disable-pip-version-check "$wheel" 2>&1 | grep -v "Running pip as the 'root' user" || true
for program in live-emulator live-client live-conformance; do
  [ -x "$work/venv/bin/$program" ] || fail "the wheel did not put $program in the venv's bin/"
  said=$("$work/venv/bin/$program" --version)
  [ "$said" = "$program $version" ] || fail "$program --version said '$said', not '$program $version'"
done
echo "venv bin: live-emulator, live-client, live-conformance $version"
(cd "$work" && "${clean_env[@]}" "$work/venv/bin/live-conformance" server | tail -1)

cat >"$work/test_from_the_wheel.py" <<'PY'
import os
import subprocess
import sys

from live_emulator.emulator import find_binary


def test_the_plugin_runs_the_wheels_emulator(live_emulator):
    assert os.environ.get("LIVE_EMULATOR") is None
    assert live_emulator.binary == os.path.join(sys.prefix, "bin", "live-emulator") == find_binary()
    assert any(room["room_id"] == "live-room" for room in live_emulator.rooms())
    destroyed = subprocess.run(
        [os.path.join(sys.prefix, "bin", "live-client"), "destroy-room", "--endpoint", live_emulator.url,
         "--sdkappid", "88888888", "--identifier", "administrator", "--secret-key", "emulator-secret-key",
         "live-room"], capture_output=True, text=True, check=True)
    assert '"outcome":"destroyed"' in destroyed.stdout
    assert not any(room["room_id"] == "live-room" for room in live_emulator.rooms())
PY
cd "$work"
"${clean_env[@]}" "$work/venv/bin/python" -m pytest -q -p no:cacheprovider test_from_the_wheel.py
echo "wheel_test: ok"
