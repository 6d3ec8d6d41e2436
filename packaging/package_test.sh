#!/usr/bin/env bash
# Builds the .deb from BUILD_DIR with CPack, unpacks it into a temporary root, runs live-emulator
# from there and both conformance suites with the installed live-conformance (which must find its
# fixtures under the root's /usr/share without --fixtures), checks the man pages and the
# dependencies, and runs lintian (no error allowed).
#   package_test.sh BUILD_DIR
set -euo pipefail
build_dir="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$build_dir" && cpack --config CPackConfig.cmake -B "$work/out" >/dev/null)
deb=$(ls "$work"/out/live-emulator_*.deb)
echo "package: $deb"
dpkg-deb -x "$deb" "$work/root"
dpkg-deb -f "$deb" Depends
for program in live-emulator live-client live-conformance; do
  [ -x "$work/root/usr/bin/$program" ] || { echo "missing /usr/bin/$program" >&2; exit 1; }
  [ -f "$work/root/usr/share/man/man1/$program.1.gz" ] || { echo "missing the man page of $program" >&2; exit 1; }
done
version=$(dpkg-deb -f "$deb" Version)
for program in live-emulator live-client live-conformance; do
  said=$("$work/root/usr/bin/$program" --version)
  [ "$said" = "$program $version" ] || { echo "$program --version said '$said', not '$program $version'" >&2; exit 1; }
done
[ -f "$work/root/usr/share/live-emulator/fixtures/conformance/config.json" ] || { echo "missing fixtures" >&2; exit 1; }
[ -f "$work/root/usr/share/live-emulator/fixtures/scenarios/rate-limit-burst.json" ] || { echo "missing scenarios" >&2; exit 1; }
if dpkg-deb -f "$deb" Depends | grep -q -- '-dev'; then echo "depends on a -dev package" >&2; exit 1; fi
# The source tree must not be what makes it work: run from a folder without it, with no --fixtures.
cd "$work"
"$work/root/usr/bin/live-conformance" server --emulator "$work/root/usr/bin/live-emulator" | tail -3
"$work/root/usr/bin/live-conformance" client --emulator "$work/root/usr/bin/live-emulator" \
  --adapter "$work/root/usr/bin/live-client adapter" | tail -3
lintian --fail-on error --no-tag-display-limit "$deb"
echo "package_test: ok"
