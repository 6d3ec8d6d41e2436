#!/usr/bin/env bash
# The npm package, as a user installs it: `npm install` of the packed file, offline, into an empty
# project; `npx live-emulator --version` (and the other two) print the same version; the package's
# live-conformance finds its fixtures; the helper's Emulator starts the package's own live-emulator
# with no LIVE_EMULATOR and none on PATH, and live-room is destroyed through it.
#   npm_test.sh DIST
source "$(dirname "$0")/common.sh"
package=$(artifact "$1" 'live-emulator-*.tgz')
version=$(basename "$package" .tgz | sed 's/^live-emulator-//')
command -v npm >/dev/null || skip "no npm"
node_bin=$(dirname "$(command -v node)")
clean_env=(env -i "HOME=$work" "PATH=$node_bin:/usr/bin:/bin" "npm_config_cache=$work/npm-cache")

mkdir "$work/app"
cd "$work/app"
echo '{"name":"app","version":"1.0.0","private":true,"type":"module"}' >package.json
"${clean_env[@]}" npm install --offline --no-audit --no-fund --silent "$package"
for program in live-emulator live-client live-conformance; do
  said=$("${clean_env[@]}" npx --offline "$program" --version)
  [ "$said" = "$program $version" ] || fail "npx $program --version said '$said', not '$program $version'"
done
echo "npx: live-emulator, live-client, live-conformance $version"
"${clean_env[@]}" npx --offline live-conformance server | tail -1

cat >check.mjs <<'JS'
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Emulator, findBinary } from 'live-emulator';

const carried = fileURLToPath(new URL('./node_modules/live-emulator/bin/live-emulator', import.meta.url));
if (findBinary() !== carried) throw new Error(`findBinary() is ${findBinary()}, not ${carried}`);
const emulator = await new Emulator().start();
try {
  const out = execFileSync('npx', ['--offline', 'live-client', 'destroy-room', '--endpoint', emulator.url,
    '--sdkappid', '88888888', '--identifier', 'administrator', '--secret-key', 'emulator-secret-key',
    'live-room'], { encoding: 'utf8' });
  if (!out.includes('"outcome":"destroyed"')) throw new Error(`live-room not destroyed: ${out}`);
  console.log('destroyed live-room through the package\'s own live-emulator');
} finally {
  await emulator.stop();
}
JS
"${clean_env[@]}" node check.mjs
echo "npm_test: ok"
