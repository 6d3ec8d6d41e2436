#!/usr/bin/env bash
# The OCI image under podman (runc, no daemon; its own storage in a temporary folder):
#   - at most 40 MB, and its config listens on 0.0.0.0:9000 (so `-p 9000:9000` works);
#   - its three programs print the artifact's version;
#   - run with `-p HOST_PORT:9000` and a mounted config given as `--config /config.json`;
#   - `live-emulator --probe` inside it (the health check) turns ready, GET /__emulator/health too;
#   - live-room of the mounted config's app is destroyed through the mapped port (the config's
#     own app and key: the embedded default has neither), then is gone;
#   - `podman stop` (SIGTERM) stops it at once, with exit status 0.
#   image_test.sh DIST SOURCE_DIR LIVE_CLIENT
source "$(dirname "$0")/common.sh"
image_tar=$(artifact "$1" 'live-emulator-*.oci.tar')
source_dir="$2"
live_client="$3"
version=$(basename "$image_tar" .oci.tar | sed 's/^live-emulator-//')
command -v podman >/dev/null || skip "podman is not installed (scripts/install-deps installs it, with runc)"
[ "$(id -u)" = 0 ] || skip "the image test runs podman as root (CI does)"

cat >"$work/containers.conf" <<'CONF'
[containers]
default_ulimits = []
[engine]
cgroup_manager = "cgroupfs"
CONF
export CONTAINERS_CONF="$work/containers.conf"
podman=(podman --root "$work/storage" --runroot "$work/run" --storage-driver vfs)
if command -v runc >/dev/null; then podman+=(--runtime runc); fi
cleanup_steps+=("${podman[*]} rm -f -t 0 live-emulator-image-test")

loaded=$("${podman[@]}" load -i "$image_tar" 2>&1 | sed -n 's/^Loaded image: //p' | head -1)
[ -n "$loaded" ] || fail "podman load named no image"
echo "loaded: $loaded"
size=$("${podman[@]}" image inspect --format '{{.Size}}' "$loaded")
echo "size: $size bytes"
[ "$size" -le 40000000 ] || fail "the image is $size bytes, more than 40 MB"
env_listed=$("${podman[@]}" image inspect --format '{{.Config.Env}}' "$loaded")
case "$env_listed" in
  *LIVE_EMULATOR_HOST=0.0.0.0*LIVE_EMULATOR_PORT=9000*) ;;
  *) fail "the image does not listen on 0.0.0.0:9000: Env is $env_listed" ;;
esac

for program in live-emulator live-client live-conformance; do
  said=$("${podman[@]}" run --rm --entrypoint "/usr/bin/$program" "$loaded" --version)
  [ "$said" = "$program $version" ] || fail "$program --version in the image said '$said', not '$program $version'"
done
echo "versions: $version in all three"

# A free port on the host for -p PORT:9000.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 - "$source_dir/fixtures/conformance/config.json" "$work/config.json" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
app = config["apps"][0]
config["rooms"] = [{"sdkappid": app["sdkappid"], "room_id": "live-room", "owner": app["root_admin"]}]
json.dump(config, open(sys.argv[2], "w"))
print(app["sdkappid"], app["root_admin"], app["secret_key"], file=open(sys.argv[2] + ".app", "w"))
PY
chmod 644 "$work/config.json"
read -r sdkappid admin secret_key <"$work/config.json.app"
"${podman[@]}" run -d --name live-emulator-image-test -p "127.0.0.1:$port:9000" \
  -v "$work/config.json:/config.json:ro" "$loaded" --config /config.json >/dev/null

deadline=$((SECONDS + 30))
until "${podman[@]}" exec live-emulator-image-test /usr/bin/live-emulator --probe >/dev/null 2>&1; do
  [ $SECONDS -lt $deadline ] || fail "never ready: $("${podman[@]}" logs live-emulator-image-test 2>&1)"
  sleep 0.1
done
"${podman[@]}" logs live-emulator-image-test >"$work/logs" 2>&1
sed -n 1,2p "$work/logs"
grep -q "^live-emulator listening on http://0.0.0.0:9000$" "$work/logs" || fail "not listening on 0.0.0.0:9000"

"$live_client" destroy-room --endpoint "http://127.0.0.1:$port" --sdkappid "$sdkappid" \
  --identifier "$admin" --secret-key "$secret_key" live-room | tee "$work/destroyed"
grep -q '"RoomId":"live-room","outcome":"destroyed","ErrorCode":0' "$work/destroyed" ||
  fail "live-room was not destroyed through the image"
"$live_client" destroy-room --endpoint "http://127.0.0.1:$port" --sdkappid "$sdkappid" \
  --identifier "$admin" --secret-key "$secret_key" live-room >"$work/again" || true
grep -q '"ErrorCode":100004' "$work/again" || fail "live-room is still there after its destroy: $(cat "$work/again")"

start=$(date +%s%N)
"${podman[@]}" stop -t 10 live-emulator-image-test >/dev/null
took_ms=$(( ($(date +%s%N) - start) / 1000000 ))
status=$("${podman[@]}" inspect --format '{{.State.ExitCode}}' live-emulator-image-test)
echo "stopped in $took_ms ms, exit status $status"
[ "$status" = 0 ] || fail "exit status $status on SIGTERM, not 0"
[ "$took_ms" -lt 5000 ] || fail "SIGTERM took $took_ms ms: podman waited for its timeout"
echo "image_test: ok ($version)"
