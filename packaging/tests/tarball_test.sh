#!/usr/bin/env bash
# The portable tarball in an empty root filesystem that holds nothing but the C library (the
# loader, libc, libm): the three programs print the same version, live-emulator serves the vendor's
# sample request (destroy live-room on the embedded default) sent by the tarball's own live-client,
# stops on SIGTERM with 0, and the tarball's live-conformance passes the server suite from there.
#   tarball_test.sh DIST
source "$(dirname "$0")/common.sh"
tarball=$(artifact "$1" 'live-emulator-*-linux-x86_64.tar.gz')
version=$(basename "$tarball" | sed 's/^live-emulator-\(.*\)-linux-x86_64.tar.gz$/\1/')
if [ "$(id -u)" = 0 ]; then enter=(chroot)
elif unshare -r true 2>/dev/null; then enter=(unshare -r chroot)
else skip "entering an empty root needs root or user namespaces (unshare -r)"; fi

root="$work/root"
mkdir -p "$root/lib/x86_64-linux-gnu" "$root/lib64" "$root/tmp"
for lib in /lib64/ld-linux-x86-64.so.2 /lib/x86_64-linux-gnu/libc.so.6 /lib/x86_64-linux-gnu/libm.so.6; do
  cp -L "$lib" "$root/lib/x86_64-linux-gnu/"
done
ln -s /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$root/lib64/ld-linux-x86-64.so.2"
tar -xzf "$tarball" -C "$root" --strip-components=1
echo "root: $(find "$root" -name '*.so*' | sed "s|$root||" | sort | tr '\n' ' ')"
[ "$(find "$root" -name '*.so*' | wc -l)" = 4 ] || fail "the root must hold only the C library"
for program in live-emulator live-client live-conformance; do
  said=$("${enter[@]}" "$root" "/bin/$program" --version)
  [ "$said" = "$program $version" ] || fail "$program --version said '$said', not '$program $version'"
done
echo "versions: $version in all three"

"${enter[@]}" "$root" /bin/live-emulator --port 0 >"$work/out" 2>"$work/err" &
emulator=$!
cleanup_steps+=("kill $emulator")
wait_for_line "$work/out" "listening on" 10
port=$(sed -n 's/^live-emulator listening on http:\/\/127.0.0.1:\([0-9]*\)$/\1/p' "$work/out")
"${enter[@]}" "$root" /bin/live-client destroy-room --endpoint "http://127.0.0.1:$port" --sdkappid 88888888 \
  --identifier administrator --secret-key emulator-secret-key live-room | tee "$work/destroyed"
grep -q '"RoomId":"live-room","outcome":"destroyed","ErrorCode":0' "$work/destroyed" ||
  fail "live-room was not destroyed"
kill -TERM "$emulator"
wait "$emulator" || fail "live-emulator exited $? on SIGTERM, not 0"

"${enter[@]}" "$root" /bin/live-conformance server --emulator /bin/live-emulator \
  --fixtures /share/live-emulator/fixtures/conformance | tail -2
echo "tarball_test: ok"
