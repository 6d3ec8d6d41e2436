// The helper agrees with the emulator's OpenAPI description: every control call its methods make is
// an operation there, and every control operation there is made by one of its methods.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Emulator } from '../index.js';

const emulator = new Emulator();
before(() => emulator.start());
after(() => emulator.stop());

const CALLS = [
  (e) => e.health(), (e) => e.apps(), (e) => e.rooms(), (e) => e.rooms(88888888),
  (e) => e.addRoom(88888888, 'a/b room', 'admin'), (e) => e.addRooms([{ sdkappid: 88888888, room_id: 'b', owner: 'admin' }]),
  (e) => e.setStatistic(88888888, 'a/b room', { TotalViewers: 1 }), (e) => e.members(88888888, 'a/b room', { enter: ['x'] }),
  (e) => e.members(88888888, 'a/b room'), (e) => e.removeRoom(88888888, 'a/b room'),
  async (e) => e.deleteFault(await e.addFault({ error_code: 100001 })), (e) => e.faults(), (e) => e.clearFaults(),
  (e) => e.requests({ last: 5 }), (e) => e.journal(), (e) => e.clearRequests(),
  (e) => e.clock(), (e) => e.freeze(), (e) => e.advance(1), (e) => e.realTime(),
  (e) => e.applyScenario({}), (e) => e.scenarioRecipes(), (e) => e.limiter(),
  (e) => e.callbacks(), (e) => e.clearCallbacks(), (e) => e.metrics(), (e) => e.openapi(),
  async (e) => (await e.addApp()).remove(), (e) => e.verifyNever({ api: 'create_room' }), (e) => e.reset(),
];

function operations(document) {
  const out = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    if (!path.startsWith('/__emulator/') || path.startsWith('/__emulator/ui')) continue;  // the dashboard's files
    const pattern = new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);
    for (const method of Object.keys(methods)) out.push({ method: method.toUpperCase(), path, pattern });
  }
  return out;
}

test('every call is described, and every control operation is called', async () => {
  const documented = operations(await emulator.openapi());
  const made = [];
  const original = emulator.control.bind(emulator);
  emulator.control = (method, pathname, body) => {
    made.push({ method, path: pathname.split('?')[0] });
    return original(method, pathname, body);
  };
  try {
    for (const call of CALLS) await call(emulator);
  } finally {
    delete emulator.control;
  }
  const used = new Set();
  for (const { method, path } of made) {
    const matches = documented.filter((op) => op.method === method && op.pattern.test(path));
    assert.ok(matches.length > 0, `${method} ${path} is not an operation of openapi.json`);
    for (const op of matches) used.add(`${op.method} ${op.path}`);
  }
  const unused = documented.map((op) => `${op.method} ${op.path}`).filter((op) => !used.has(op));
  assert.deepEqual(unused, [], 'operations of openapi.json that no helper method makes');
});

test('the check fails on an undescribed path', async () => {
  const documented = operations(await emulator.openapi());
  assert.equal(documented.filter((op) => op.method === 'GET' && op.pattern.test('/__emulator/nope')).length, 0);
  assert.ok(documented.some((op) => op.method === 'DELETE' && op.pattern.test('/__emulator/faults/7')));
});
