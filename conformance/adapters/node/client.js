#!/usr/bin/env node
'use strict';
// A live-conformance adapter in Node.js (docs/conformance.md, "The adapter protocol"):
// `client.js [destroy|create|get|update|list] ROOM...` calls the command for every room named on the
// command line (a bare room list destroys) and prints one JSON line per room; `list` prints one line
// per room listed. Its UserSig comes from the vendor's official npm package tls-sig-api-v2, so a
// passing run shows that official signatures are accepted and that the protocol works across
// languages.
//
// LIVE_BROKEN=<defect> turns it into one of the deliberately broken clients that the suite must
// fail, each with a message naming the defect; LIVE_QUIRK=<quirk> into a client that real clients
// resemble, which is not wrong and must pass every required case (conformance/tests/CMakeLists.txt
// runs them all).
const http = require('node:http');
const https = require('node:https');
const fs = require('node:fs');
const crypto = require('node:crypto');
const { Api } = require('tls-sig-api-v2');

const DEFECTS = [
  'wrong-key', 'no-random', 'random-out-of-range', 'get-instead-of-post',
  'retries-100004', 'retries-without-backoff', 'ignores-errorcode',
  // The ways clients fail in production (fixtures/conformance/client/production_failures.json).
  'gives-up-on-60007', 'reports-destroyed-when-rate-limited', 'short-timeout', 'no-timeout',
  'expects-2024-shape', 'pastes-json', 'crashes-on-broken-answer', 'trusts-status-line',
  'reports-twice', 'reports-extra-room', 'skips-last-room', 'five-fast-attempts', 'aborts-on-broken-answer',
  'crashes-on-html-200', 'gives-up-after-timeout', 'pacer-only-backoff',
  // The other operations (fixtures/conformance/client/room_lifecycle.json).
  'create-retries-blindly', 'lists-first-page-only', 'lists-unpaced', 'get-reports-ok-on-error',
  'update-without-room-info',
];
// Not defects: what real clients do that the suite must not fail on a required case.
const QUIRKS = ['identical-resend', 'no-request-id', 'paces-1-per-second', 'logs-to-stdout', 'sleeps-first'];
const broken = process.env.LIVE_BROKEN || '';
const quirk = process.env.LIVE_QUIRK || '';
if (broken && !DEFECTS.includes(broken)) {
  console.error(`client.js: LIVE_BROKEN must be one of ${DEFECTS.join(', ')}, not "${broken}"`);
  process.exit(64);
}
if (quirk && !QUIRKS.includes(quirk)) {
  console.error(`client.js: LIVE_QUIRK must be one of ${QUIRKS.join(', ')}, not "${quirk}"`);
  process.exit(64);
}
for (const name of ['LIVE_ENDPOINT', 'LIVE_SDKAPPID', 'LIVE_IDENTIFIER', 'LIVE_SECRET_KEY']) {
  if (!process.env[name]) {
    console.error(`client.js: ${name} is not set`);
    process.exit(64);
  }
}

const SERVICE = '/v4/live_engine_http_srv/';
// operation: the command, the outcome of ErrorCode 0, the code that means "already" after an
// unknown outcome and its outcome, codes safe to retry besides 100001 and 60007.
const OPERATIONS = {
  destroy: { command: 'destroy_room', success: 'destroyed', alreadyCode: 100004, already: 'already_destroyed', safe: [] },
  create: { command: 'create_room', success: 'created', alreadyCode: 100010, already: 'already_created', safe: [100012] },
  get: { command: 'get_room_info', success: 'ok', safe: [] },
  update: { command: 'update_room_info', success: 'updated', safe: [] },
};
const endpoint = new URL(process.env.LIVE_ENDPOINT);
const secure = endpoint.protocol === 'https:';
const sdkappid = Number(process.env.LIVE_SDKAPPID);
const identifier = process.env.LIVE_IDENTIFIER;
const secretKey = process.env.LIVE_SECRET_KEY + (broken === 'wrong-key' ? '-wrong' : '');
const api = new Api(sdkappid, secretKey);
const usersig = api.genUserSig(identifier, 86400);
if (quirk === 'logs-to-stdout') console.log(`[TLSSigAPIv2] key=${secretKey} sig=${usersig}`);  // as the vendor's bundled signer does
const agent = new (secure ? https : http).Agent({
  keepAlive: true, maxSockets: 1,
  ...(secure && process.env.LIVE_CA_FILE ? { ca: fs.readFileSync(process.env.LIVE_CA_FILE) } : {}),
});
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function randomParameter() {
  if (broken === 'random-out-of-range') return '4294967296';
  return String(crypto.randomInt(0, 2 ** 32));  // 0..4294967295, a new one for every call
}

// Starts at most ~190 calls per second, below the documented 200 (9 per second for get_room_list,
// whose limit is 10). The pacer-only client waits for nothing else.
let nextStart = 0;
async function pace(perSecond) {
  const now = Date.now();
  const start = Math.max(now, nextStart);
  nextStart = start + 1000 / perSecond;
  if (start > now) await sleep(start - now);
}

function call(command, payload, repeat) {
  // identical-resend: a retry layer below the client resends the request it already built.
  const query = repeat || new URLSearchParams({ sdkappid: String(sdkappid), identifier, usersig });
  if (!repeat) {
    if (broken !== 'no-random') query.set('random', randomParameter());
    query.set('contenttype', 'json');
  }
  // pastes-json builds the body by pasting the id into a string: no escaping.
  const body = broken === 'pastes-json' ? `{"RoomId":"${payload.RoomId}"}` : JSON.stringify(payload);
  const timeout = { 'short-timeout': 1000, 'no-timeout': 0 }[broken] ?? 3000;
  return new Promise((resolve) => {
    const request = (secure ? https : http).request({
      host: endpoint.hostname, port: endpoint.port || (secure ? 443 : 80), agent, timeout,
      method: broken === 'get-instead-of-post' ? 'GET' : 'POST',
      path: `${SERVICE}${command}?${query}`,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
    }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => { text += chunk; });
      response.on('end', () => resolve({ status: response.statusCode, text, query }));
      response.on('error', (error) => resolve({ transport: error.message, status: response.statusCode, query }));
    });
    if (timeout > 0) request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', (error) => resolve({ transport: error.message, query }));
    request.end(body);
  });
}

// Retries only where it is safe: no answer, HTTP 5xx, a 200 that is not an envelope, 100001
// (internal error), 60007 (rate limit), and the operation's own safe codes. After an attempt whose
// outcome is unknown, the operation's "already" code means an earlier attempt succeeded.
const SHAPE_2024 = /^\{"ActionStatus":"(OK|FAIL)","ErrorInfo":"(.*)","ErrorCode":(\d+),"RequestId":"([^"]*)"\}$/;

async function attempts(operation, payload, perSecond = 190) {
  const { command, success, alreadyCode, already, safe } = operation;
  const maxAttempts = broken === 'retries-without-backoff' ? 20 : 5;
  let outcomeUnknown = false;
  let last = null;
  let previousQuery = null;
  for (let attempt = 1; ; attempt += 1) {
    if (broken !== 'five-fast-attempts') {
      await pace(quirk === 'paces-1-per-second' ? 1 : perSecond);
    }
    const answer = await call(command, payload, quirk === 'identical-resend' ? previousQuery : null);
    previousQuery = answer.query;
    let retryable = false;
    if (broken === 'crashes-on-broken-answer') JSON.parse(answer.text);  // throws on HTML, a cut body, no body
    if (broken === 'crashes-on-html-200' && answer.status === 200) JSON.parse(answer.text);  // throws on a portal page
    if (broken === 'aborts-on-broken-answer' && answer.status !== 200) process.abort();  // a native crash
    if (broken === 'trusts-status-line' && answer.status === 200) {
      return { outcome: success, ErrorCode: 0, ErrorInfo: '', RequestId: null, attempts: attempt };
    }
    let envelope = null;
    if (answer.transport === undefined && answer.status === 200) {
      try {
        if (broken === 'expects-2024-shape') {
          const match = SHAPE_2024.exec(answer.text);
          if (!match) throw new Error('not the 2024 shape');
          envelope = { ActionStatus: match[1], ErrorInfo: match[2], ErrorCode: Number(match[3]), RequestId: match[4] };
        } else {
          envelope = JSON.parse(answer.text);
        }
        if (broken !== 'expects-2024-shape' && (envelope === null || typeof envelope.ErrorCode !== 'number')) envelope = null;
      } catch (error) {
        if (broken === 'expects-2024-shape') {
          return { outcome: 'transport_error', ErrorCode: null, ErrorInfo: 'unparsable answer', RequestId: null, attempts: attempt };
        }
        envelope = null;
      }
    }
    if (envelope === null) {
      // No answer, an HTTP error page, or a 200 that is not an envelope: the outcome is unknown.
      outcomeUnknown = true;
      const timedOut = answer.transport === 'timed out';
      retryable = answer.transport !== undefined || answer.status >= 500 || answer.status === 200;
      if (broken === 'gives-up-after-timeout' && timedOut) retryable = false;
      last = { outcome: 'transport_error', ErrorCode: null, ErrorInfo: answer.transport || `HTTP ${answer.status}`, RequestId: null };
    } else {
      const code = envelope.ErrorCode;
      const requestId = quirk === 'no-request-id' ? undefined : envelope.RequestId;
      if (code === 0 || broken === 'ignores-errorcode' || (broken === 'get-reports-ok-on-error' && command === 'get_room_info')) {
        return { outcome: success, ErrorCode: 0, ErrorInfo: '', RequestId: requestId, attempts: attempt, Response: envelope.Response };
      }
      if (code === 60007 && broken === 'reports-destroyed-when-rate-limited' && attempt >= 3) {
        return { outcome: success, ErrorCode: 0, ErrorInfo: '', RequestId: requestId, attempts: attempt };
      }
      if (code === alreadyCode && outcomeUnknown && broken !== 'retries-100004') {
        return { outcome: already, ErrorCode: code, ErrorInfo: envelope.ErrorInfo, RequestId: requestId, attempts: attempt };
      }
      last = { outcome: 'error', ErrorCode: code, ErrorInfo: envelope.ErrorInfo, RequestId: requestId };
      retryable = code === 100001 || (code === 60007 && broken !== 'gives-up-on-60007') || safe.includes(code) ||
                  (broken === 'retries-100004' && code === 100004) ||
                  (broken === 'create-retries-blindly' && command === 'create_room');
    }
    if (!retryable || attempt >= maxAttempts) return { ...last, attempts: attempt };
    if (!['retries-without-backoff', 'five-fast-attempts', 'pacer-only-backoff'].includes(broken)) {
      // Exponential backoff with full jitter: 0..100 ms, 0..200 ms, ... capped at 2 s; a create
      // after an unknown outcome waits out the 1 s repeat window, so its retry meets 100010.
      let wait = Math.random() * Math.min(2000, 100 * 2 ** (attempt - 1));
      if (command === 'create_room' && outcomeUnknown && broken !== 'create-retries-blindly') wait = Math.max(wait, 1000);
      await sleep(wait);
    }
  }
}

function payloadOf(operation, roomId) {
  if (operation === 'create') return { RoomInfo: { RoomId: roomId, RoomType: 'Live' } };
  if (operation === 'update' && broken === 'update-without-room-info') return { RoomId: roomId, Notice: 'updated by client.js' };
  if (operation === 'update') return { RoomInfo: { RoomId: roomId, Notice: 'updated by client.js' } };
  return { RoomId: roomId };
}

// Every page of get_room_list through Next: a line per room, and one for a failure.
async function* listRooms() {
  let next = '';
  do {
    const page = await attempts({ command: 'get_room_list', success: 'listed', safe: [] }, { Next: next, Count: 20 },
                                broken === 'lists-unpaced' ? 100000 : 9);
    if (page.outcome !== 'listed') {
      delete page.Response;
      yield page;
      return;
    }
    const response = page.Response || {};
    for (const room of response.RoomList || []) yield { RoomId: room.RoomId, outcome: 'listed' };
    next = broken === 'lists-first-page-only' ? '' : response.Next || '';
  } while (next);
}

async function* results(operation, rooms) {
  if (operation === 'list') {
    yield* listRooms();
    return;
  }
  for (const roomId of rooms) {
    const result = { RoomId: roomId, ...(await attempts(OPERATIONS[operation], payloadOf(operation, roomId))) };
    delete result.Response;
    yield result;
  }
}

(async () => {
  if (quirk === 'sleeps-first') await sleep(6000);  // past the emulator's 5 s keep-alive timeout
  let exitCode = 0;
  const args = process.argv.slice(2);
  const operation = ['destroy', 'create', 'get', 'update', 'list'].includes(args[0]) ? args.shift() : 'destroy';
  let index = 0;
  for await (const result of results(operation, args)) {
    index += 1;
    if (broken === 'skips-last-room' && index === args.length) continue;
    const line = `${JSON.stringify(result)}\n`;
    process.stdout.write(broken === 'reports-twice' ? line + line : line);
    if (broken === 'reports-extra-room') process.stdout.write(`${JSON.stringify({ ...result, RoomId: `${result.RoomId}-extra` })}\n`);
    if (result.outcome === 'error') exitCode = Math.max(exitCode, 1);
    if (result.outcome === 'transport_error') exitCode = 2;
  }
  agent.destroy();
  process.exitCode = exitCode;
})();
