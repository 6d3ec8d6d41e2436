// The Emulator class against a real live-emulator ($LIVE_EMULATOR): every control call it wraps,
// how it starts and stops, and the README's example client test.
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, test } from 'node:test';

import { ControlError, Emulator, VerificationError, usersig } from '../index.js';

const emulator = new Emulator();
before(() => emulator.start());
after(() => emulator.stop());
beforeEach(() => emulator.reset());

// The code under test in the README's example: destroy_room, retrying 100001 `attempts - 1` times.
async function destroyRoom(app, roomId, attempts = 2) {
  let code;
  for (let i = 0; i < attempts; ++i) {
    const query = new URLSearchParams({ sdkappid: String(app.sdkappid), identifier: 'admin',
      usersig: app.usersig('admin'), random: '12345', contenttype: 'json' });
    const answer = await fetch(`${app.url}/v4/live_engine_http_srv/destroy_room?${query}`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ RoomId: roomId }),
    });
    code = (await answer.json()).ErrorCode;
    if (code !== 100001) return code;
  }
  return code;
}

// An app of the test's own, shaped like the embedded default's: App admin "admin", room "live-room".
const ownApp = () => emulator.addApp({ admins: ['admin'], rooms: [{ room_id: 'live-room', owner: 'admin' }] });

async function givesUpAfterOneRetry(client) {
  const app = await ownApp();
  try {
    await app.addFault({ error_code: 100001 }, { room_id: 'live-room', count: 10 });
    assert.equal(await client(app, 'live-room'), 100001);
    await app.verify({ api: 'destroy_room', roomId: 'live-room', count: 2 });
    await app.verifyNever({ api: 'destroy_room', errorCode: 0 });
  } finally {
    await app.remove();
  }
}

test('example: an internal error is retried once', async () => {
  const app = await ownApp();
  await app.addFault({ error_code: 100001 }, { room_id: 'live-room', count: 1 });
  assert.equal(await destroyRoom(app, 'live-room'), 0);
  await app.verifySequence([{ api: 'destroy_room', errorCode: 100001 }, { api: 'destroy_room', errorCode: 0 }], { strict: true });
  assert.deepEqual(await app.rooms(), []);
  await app.remove();
});

test('example: a client gives up after one retry', () => givesUpAfterOneRetry(destroyRoom));

test('example: the same test fails a client that retries twice, with the calls it made', async () => {
  const failure = await givesUpAfterOneRetry((app, roomId) => destroyRoom(app, roomId, 3)).then(() => null, (error) => error);
  assert.ok(failure instanceof VerificationError && failure instanceof assert.AssertionError);
  const lines = failure.message.split('\n');
  assert.match(lines[0], /^expected exactly 2 calls matching api=destroy_room RoomId="live-room" in app \d+, found 3$/);
  assert.equal(lines.filter((line) => /^> #\d+ POST destroy_room {2}RoomId="live-room" {2}ErrorCode=100001 {2}fault \d+ \(error_code 100001\)$/.test(line)).length, 3);
});

test('starts on a free port; health', async () => {
  assert.match(emulator.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal((await emulator.health()).status, 'ok');
});

test('rooms, faults, clock, journal, recipes, limiter', async () => {
  assert.deepEqual((await emulator.rooms(88888888)).map((r) => r.room_id), ['live-room']);
  await emulator.addRoom(88888888, 'party', 'admin');
  assert.equal(await emulator.addRooms([0, 1, 2].map((n) => ({ sdkappid: 88888888, room_id: `r${n}`, owner: 'admin' }))), 3);
  await emulator.removeRoom(88888888, 'r0');
  assert.equal((await emulator.rooms()).length, 4);
  assert.equal((await emulator.setStatistic(88888888, 'party', { TotalViewers: 12 })).statistic.TotalViewers, 12);
  assert.equal((await emulator.members(88888888, 'party', { enter: ['alice'] })).members[0].id, 'alice');
  assert.equal((await emulator.members(88888888, 'party')).members[0].id, 'alice');

  const first = await emulator.addFault({ error_code: 100001 }, { room_id: 'party', count: 2 });
  const second = await emulator.addFault({ http_status: 502 });
  assert.deepEqual((await emulator.faults()).map((rule) => rule.id), [first, second]);
  await emulator.deleteFault(second);
  assert.deepEqual((await emulator.faults()).map((rule) => rule.id), [first]);
  await emulator.clearFaults();
  assert.deepEqual(await emulator.faults(), []);

  assert.deepEqual(await emulator.freeze(1700000000), { now: 1700000000, mode: 'manual' });
  assert.equal((await emulator.advance(1.5)).now, 1700000001.5);
  assert.equal((await emulator.realTime()).mode, 'real');

  assert.deepEqual(await emulator.requests(), []);
  assert.ok((await emulator.limiter()).some((window) => window.api === 'destroy_room'));
  assert.ok((await emulator.scenarioRecipes()).some((recipe) => recipe.name === 'rate-limit-burst'));
  await emulator.applyScenario({ rooms: [{ sdkappid: 88888888, room_id: 's', owner: 'admin' }] });
  assert.deepEqual(await emulator.callbacks(), []);
  assert.equal((await emulator.apps())[0].sdkappid, 88888888);
});

test('a refused call rejects with the emulator message', async () => {
  await assert.rejects(emulator.addFault({ error_code: -1 }),
    (error) => error instanceof ControlError && error.status === 400 && error.detail.includes('error_code'));
  await assert.rejects(emulator.removeRoom(88888888, 'no-such-room'), (error) => error.status === 404);
});

test('a bad config fails start with the emulator message; a token-protected emulator', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'live-emulator-'));
  try {
    writeFileSync(path.join(dir, 'bad.json'), '{"apps": []}');
    await assert.rejects(new Emulator({ config: path.join(dir, 'bad.json') }).start(), /did not start.*apps/s);
  } finally {
    rmSync(dir, { recursive: true });
  }
  const protectedEmulator = await new Emulator({ controlToken: 't0ken' }).start();
  try {
    assert.equal((await protectedEmulator.health()).status, 'ok');
    protectedEmulator.controlToken = 'wrong';
    await assert.rejects(protectedEmulator.health(), (error) => error.status === 403);
  } finally {
    assert.equal(await protectedEmulator.stop(), 0);
  }
});

test('verify, waitFor, a scoped reset and clock', async () => {
  const app = await ownApp();
  const other = await ownApp();
  try {
    setTimeout(() => destroyRoom(app, 'live-room'), 50);  // code under test, running later
    const calls = await app.waitFor({ api: 'destroy_room', timeout: 10000 });
    assert.deepEqual(calls.map((call) => call.error_code), [0]);
    await assert.rejects(app.waitFor({ api: 'create_room', timeout: 100 }),
      (error) => error instanceof VerificationError && /^after waiting 100 ms, expected at least 1 call/.test(error.message));
    await assert.rejects(app.verifySequence([{ errorCode: 100004 }, { errorCode: 0 }]), /- 1\. ErrorCode=100004 {2}missing/);
    await app.advance(2 * 86400);
    assert.equal((await app.clock()).ahead_seconds, 2 * 86400);
    assert.equal(await destroyRoom(other, 'live-room'), 0);  // the other app's time did not move
    await app.reset();
    assert.equal((await app.clock()).ahead_seconds, 0);
    assert.deepEqual((await app.rooms()).map((room) => room.room_id), ['live-room']);
    assert.deepEqual(await app.requests(), []);
    assert.equal((await other.requests()).length, 1);
    const attached = Emulator.attach(emulator.url);
    assert.equal((await attached.health()).status, 'ok');
  } finally {
    await app.remove();
    await other.remove();
  }
});
