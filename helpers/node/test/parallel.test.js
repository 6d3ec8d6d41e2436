// Tests that run concurrently on one emulator, each in an app of its own (docs/helpers.md, "Parallel
// tests"). No global reset here: a reset of the whole emulator would remove the other tests' apps
// (node:test runs a file's beforeEach hooks before every subtest too).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Emulator } from '../index.js';

const emulator = new Emulator();
before(() => emulator.start());
after(() => emulator.stop());

const ownApp = () => emulator.addApp({ admins: ['admin'], rooms: [{ room_id: 'live-room', owner: 'admin' }] });

async function destroyRoom(app, roomId) {
  const query = new URLSearchParams({ sdkappid: String(app.sdkappid), identifier: 'admin',
    usersig: app.usersig('admin'), random: '12345', contenttype: 'json' });
  const answer = await fetch(`${app.url}/v4/live_engine_http_srv/destroy_room?${query}`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ RoomId: roomId }),
  });
  return (await answer.json()).ErrorCode;
}

test('apps of their own: 16 concurrent subtests with conflicting faults on one emulator', { concurrency: 16 }, async (t) => {
  const cases = Array.from({ length: 16 }, (_, n) => n);
  await Promise.all(cases.map((n) => t.test(`case ${n}`, async () => {
    const app = await ownApp();
    try {
      const expected = n % 2 === 0 ? 0 : 90000 + n;  // even: no fault, so another's would show
      if (expected) await app.addFault({ error_code: expected }, { count: 1000 });
      for (let round = 0; round < 10; ++round) {
        await app.addRoom(`room-${round}`, 'admin');
        assert.equal(await destroyRoom(app, `room-${round}`), expected);
      }
      await app.verify({ api: 'destroy_room', errorCode: expected, count: 10 });
    } finally {
      await app.remove();
    }
  })));
});

test('the check can fail: the same subtests in one shared app see one another\'s faults', { concurrency: 16 }, async (t) => {
  const shared = await ownApp();
  const foreign = [];  // [case, code] where a case saw a code it did not inject
  await Promise.all([0, 1, 2, 3].map((n) => t.test(`case ${n}`, async () => {
    const expected = n % 2 ? 90000 + n : 0;
    if (expected) await shared.addFault({ error_code: expected }, { count: 1000 });
    for (let round = 0; round < 10; ++round) {
      await shared.addRoom(`room-${n}-${round}`, 'admin');
      const code = await destroyRoom(shared, `room-${n}-${round}`);
      if (code !== expected) foreign.push([n, code]);
    }
  })));
  // And the verification an isolated case makes fails in the shared app.
  await assert.rejects(shared.verify({ api: 'destroy_room', errorCode: 0, count: 20 }), /expected exactly 20 calls/);
  await shared.remove();
  assert.ok(foreign.length > 0, 'no case saw another case\'s fault');
});

test('waitFor a callback delivered to a receiver', async () => {
  const { createServer } = await import('node:http');
  const received = [];
  const receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => { body += chunk; });
    request.on('end', () => {
      received.push(JSON.parse(body));
      response.setHeader('Content-Type', 'application/json');
      response.end('{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}');
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const app = await emulator.addApp({
    admins: ['admin'], rooms: [{ room_id: 'live-room', owner: 'admin' }],
    callback: { url: `http://127.0.0.1:${receiver.address().port}/cb`, commands: ['Live.CallbackAfterDestroyRoom'] },
  });
  try {
    assert.equal(await destroyRoom(app, 'live-room'), 0);
    const delivered = await app.waitFor({ api: 'Live.CallbackAfterDestroyRoom', timeout: 10000 });
    assert.deepEqual(delivered.map((d) => [d.command, d.event_type, d.state]),
      [['Live.CallbackAfterDestroyRoom', 'DestroyByUser', 'delivered']]);
    assert.equal(received.length, 1);
    assert.equal(received[0].RoomId, 'live-room');
  } finally {
    await app.remove();
    receiver.close();
  }
});
