#!/usr/bin/env node
'use strict';
// A live-conformance adapter in Node.js (docs/conformance.md, "The adapter protocol"): destroys every
// room named on the command line through POST /v4/live_engine_http_srv/destroy_room and prints one
// JSON line per room. Its UserSig comes from the vendor's official npm package tls-sig-api-v2, so a
// passing run shows that official signatures are accepted and that the protocol works across
// languages.
//
// LIVE_BROKEN=<defect> turns it into one of the deliberately broken clients that the suite must
// fail, each with a message naming the defect (conformance/CMakeLists.txt runs them all).
const http = require('node:http');
const crypto = require('node:crypto');
const { Api } = require('tls-sig-api-v2');

const DEFECTS = [
  'wrong-key', 'no-random', 'random-out-of-range', 'get-instead-of-post',
  'retries-100004', 'retries-without-backoff', 'ignores-errorcode',
  // The ways clients fail in production (fixtures/conformance/client/production_failures.json).
  'gives-up-on-60007', 'reports-destroyed-when-rate-limited', 'short-timeout', 'no-timeout',
  'expects-2024-shape', 'pastes-json', 'crashes-on-broken-answer', 'trusts-status-line',
  'reports-twice', 'reports-extra-room', 'skips-last-room', 'five-fast-attempts', 'aborts-on-broken-answer',
];
const broken = process.env.LIVE_BROKEN || '';
if (broken && !DEFECTS.includes(broken)) {
  console.error(`client.js: LIVE_BROKEN must be one of ${DEFECTS.join(', ')}, not "${broken}"`);
  process.exit(64);
}
for (const name of ['LIVE_ENDPOINT', 'LIVE_SDKAPPID', 'LIVE_IDENTIFIER', 'LIVE_SECRET_KEY']) {
  if (!process.env[name]) {
    console.error(`client.js: ${name} is not set`);
    process.exit(64);
  }
}

const PATH = '/v4/live_engine_http_srv/destroy_room';
const endpoint = new URL(process.env.LIVE_ENDPOINT);
const sdkappid = Number(process.env.LIVE_SDKAPPID);
const identifier = process.env.LIVE_IDENTIFIER;
const secretKey = process.env.LIVE_SECRET_KEY + (broken === 'wrong-key' ? '-wrong' : '');
const usersig = new Api(sdkappid, secretKey).genUserSig(identifier, 86400);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function randomParameter() {
  if (broken === 'random-out-of-range') return '4294967296';
  return String(crypto.randomInt(0, 2 ** 32));  // 0..4294967295, a new one for every call
}

// Starts at most ~190 calls per second, below the documented 200.
let nextStart = 0;
async function pace() {
  const now = Date.now();
  const start = Math.max(now, nextStart);
  nextStart = start + 1000 / 190;
  if (start > now) await sleep(start - now);
}

function call(roomId) {
  const query = new URLSearchParams({ sdkappid: String(sdkappid), identifier, usersig });
  if (broken !== 'no-random') query.set('random', randomParameter());
  query.set('contenttype', 'json');
  // pastes-json builds the body by pasting the id into a string: no escaping.
  const body = broken === 'pastes-json' ? `{"RoomId":"${roomId}"}` : JSON.stringify({ RoomId: roomId });
  const timeout = { 'short-timeout': 1000, 'no-timeout': 0 }[broken] ?? 3000;
  return new Promise((resolve) => {
    const request = http.request({
      host: endpoint.hostname, port: endpoint.port || 80, agent, timeout,
      method: broken === 'get-instead-of-post' ? 'GET' : 'POST',
      path: `${PATH}?${query}`,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
    }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => { text += chunk; });
      response.on('end', () => resolve({ status: response.statusCode, text }));
      response.on('error', (error) => resolve({ transport: error.message, status: response.statusCode }));
    });
    if (timeout > 0) request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', (error) => resolve({ transport: error.message }));
    request.end(body);
  });
}

// Retries only where it is safe: no answer, HTTP 5xx, 100001 (internal error), 60007 (rate limit).
// After an attempt whose outcome is unknown, 100004 means an earlier attempt destroyed the room.
const SHAPE_2024 = /^\{"ActionStatus":"(OK|FAIL)","ErrorInfo":"(.*)","ErrorCode":(\d+),"RequestId":"([^"]*)"\}$/;

async function destroy(roomId) {
  const maxAttempts = broken === 'retries-without-backoff' ? 20 : 5;
  let outcomeUnknown = false;
  let last = null;
  for (let attempt = 1; ; attempt += 1) {
    if (broken !== 'five-fast-attempts') await pace();
    const answer = await call(roomId);
    let retryable = false;
    if (broken === 'crashes-on-broken-answer') JSON.parse(answer.text);  // throws on HTML, a cut body, no body
    if (broken === 'aborts-on-broken-answer' && answer.status !== 200) process.abort();  // a native crash
    if (broken === 'trusts-status-line' && answer.status === 200) {
      return { RoomId: roomId, outcome: 'destroyed', ErrorCode: 0, ErrorInfo: '', RequestId: null, attempts: attempt };
    }
    if (answer.transport !== undefined || answer.status !== 200) {
      outcomeUnknown = true;
      retryable = answer.transport !== undefined || answer.status >= 500;
      last = { RoomId: roomId, outcome: 'transport_error', ErrorCode: null, ErrorInfo: answer.transport || `HTTP ${answer.status}`, RequestId: null };
    } else {
      let envelope;
      try {
        if (broken === 'expects-2024-shape') {
          const match = SHAPE_2024.exec(answer.text);
          if (!match) throw new Error('not the 2024 shape');
          envelope = { ActionStatus: match[1], ErrorInfo: match[2], ErrorCode: Number(match[3]), RequestId: match[4] };
        } else {
          envelope = JSON.parse(answer.text);
        }
      } catch (error) {
        return { RoomId: roomId, outcome: 'transport_error', ErrorCode: null, ErrorInfo: 'unparsable answer', RequestId: null, attempts: attempt };
      }
      const code = envelope.ErrorCode;
      if (code === 0 || broken === 'ignores-errorcode') {
        return { RoomId: roomId, outcome: 'destroyed', ErrorCode: 0, ErrorInfo: '', RequestId: envelope.RequestId, attempts: attempt };
      }
      if (code === 60007 && broken === 'reports-destroyed-when-rate-limited' && attempt >= 3) {
        return { RoomId: roomId, outcome: 'destroyed', ErrorCode: 0, ErrorInfo: '', RequestId: envelope.RequestId, attempts: attempt };
      }
      if (code === 100004 && outcomeUnknown && broken !== 'retries-100004') {
        return { RoomId: roomId, outcome: 'already_destroyed', ErrorCode: code, ErrorInfo: envelope.ErrorInfo, RequestId: envelope.RequestId, attempts: attempt };
      }
      last = { RoomId: roomId, outcome: 'error', ErrorCode: code, ErrorInfo: envelope.ErrorInfo, RequestId: envelope.RequestId };
      retryable = code === 100001 || (code === 60007 && broken !== 'gives-up-on-60007') ||
                  (broken === 'retries-100004' && code === 100004);
    }
    if (!retryable || attempt >= maxAttempts) return { ...last, attempts: attempt };
    if (broken !== 'retries-without-backoff' && broken !== 'five-fast-attempts') {
      // Exponential backoff with full jitter: 0..100 ms, 0..200 ms, ... capped at 2 s.
      await sleep(Math.random() * Math.min(2000, 100 * 2 ** (attempt - 1)));
    }
  }
}

(async () => {
  let exitCode = 0;
  const rooms = process.argv.slice(2);
  for (const [index, roomId] of rooms.entries()) {
    const result = await destroy(roomId);
    if (broken === 'skips-last-room' && index === rooms.length - 1) continue;
    const line = `${JSON.stringify(result)}\n`;
    process.stdout.write(broken === 'reports-twice' ? line + line : line);
    if (broken === 'reports-extra-room') process.stdout.write(`${JSON.stringify({ ...result, RoomId: `${roomId}-extra` })}\n`);
    if (result.outcome === 'error') exitCode = Math.max(exitCode, 1);
    if (result.outcome === 'transport_error') exitCode = 2;
  }
  agent.destroy();
  process.exitCode = exitCode;
})();
