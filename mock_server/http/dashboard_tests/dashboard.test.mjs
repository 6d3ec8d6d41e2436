// The dashboard in a real browser: Debian's chromium, driven headless by playwright-core.
//   node dashboard.test.mjs FLOW LIVE_EMULATOR SCREENSHOT_DIR
// FLOW is one of: open, fault, sign, clock, token. Each starts its own emulator on port 0 (its
// embedded default app 88888888), drives the page as a user would and exits non-zero, naming what
// it waited for, when the page does not show it. Screenshots land in SCREENSHOT_DIR.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import readline from 'node:readline';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const { Api } = require('tls-sig-api-v2');

const [flow, emulatorPath, screenshotDir] = process.argv.slice(2);
const CHROMIUM = process.env.LIVE_CHROMIUM || '/usr/bin/chromium';
const SDKAPPID = 88888888;
const KEY = 'emulator-secret-key';
const TOKEN = 'dashboard-test-token';
const WAIT_MS = 10000;

function fail(message) {
  console.error(`dashboard ${flow}: ${message}`);
  process.exit(1);
}

// Starts live-emulator and resolves with its base URL once it prints the listening line.
function startEmulator(extraArgs = []) {
  const child = spawn(emulatorPath, ['--port', '0', '--log-format', 'none', ...extraArgs],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  process.on('exit', () => child.kill('SIGKILL'));
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    const timer = setTimeout(() => reject(new Error('no listening line within 15 s')), 15000);
    lines.on('line', (line) => {
      const match = /^live-emulator listening on (\S+)$/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1], child });
      }
    });
    child.on('exit', (code) => reject(new Error(`live-emulator exited with ${code}`)));
  });
}

// A control call (JSON in and out).
function control(url, method, pathname, body) {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    const request = http.request(`${url}${pathname}`, {
      method, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) },
    }, (response) => {
      let answer = '';
      response.on('data', (chunk) => { answer += chunk; });
      response.on('end', () => resolve({ status: response.statusCode, body: answer }));
    });
    request.on('error', reject);
    request.end(text);
  });
}

// One destroy_room call, as a backend would send it; resolves with the parsed envelope.
function destroy(url, roomId, { key = KEY, expire = 86400 } = {}) {
  const usersig = new Api(SDKAPPID, key).genSig('admin', expire);
  const query = new URLSearchParams({ sdkappid: String(SDKAPPID), identifier: 'admin', usersig,
    random: String(Math.floor(Math.random() * 4294967295)), contenttype: 'json' });
  const body = JSON.stringify({ RoomId: roomId });
  return new Promise((resolve, reject) => {
    const request = http.request(`${url}/v4/live_engine_http_srv/destroy_room?${query}`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
    }, (response) => {
      let text = '';
      response.on('data', (chunk) => { text += chunk; });
      response.on('end', () => {
        try { resolve(JSON.parse(text)); } catch { resolve({ http_status: response.statusCode, text }); }
      });
    });
    request.on('error', reject);
    request.end(body);
  });
}

async function waitForText(page, selector, text, what) {
  try {
    await page.locator(selector).filter({ hasText: text }).first().waitFor({ timeout: WAIT_MS });
  } catch {
    const shown = await page.locator(selector).allInnerTexts().catch(() => []);
    const notice = await page.locator('#notice').innerText().catch(() => '');
    fail(`${what}: waited ${WAIT_MS} ms for "${text}" in ${selector}; the page shows ${
      JSON.stringify(shown.slice(0, 5))}; its last notice: "${notice}"`);
  }
}

async function openDashboard(browser, url, viewport = { width: 1280, height: 800 }) {
  const page = await browser.newPage({ viewport });
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()}`); });
  await page.goto(`${url}/__emulator/ui`);
  return { page, problems };
}

async function shoot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, name), fullPage: false });
}

// Tabs through the page until the focused element matches `selector` (keyboard only).
async function tabTo(page, selector, limit = 80) {
  for (let i = 0; i < limit; ++i) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement && document.activeElement.matches(s), selector)) return;
  }
  fail(`${selector} cannot be reached with the Tab key (${limit} presses)`);
}

const flows = {
  // The page loads with every panel, shows live calls, and fits 1280x800 and 390 px.
  async open(browser, url) {
    await destroy(url, 'live-room');
    await destroy(url, 'no-such-room');
    await destroy(url, 'no-such-room', { key: 'not-the-key' });
    const added = await control(url, 'POST', '/__emulator/faults',
      { api: 'destroy_room', room_id: 'flaky-room', action: { http_status: 502 } });
    if (added.status !== 201) fail(`adding a fault: ${added.status} ${added.body}`);
    await destroy(url, 'flaky-room');
    await destroy(url, 'flaky-room');
    const { page, problems } = await openDashboard(browser, url);
    await waitForText(page, '#connection', 'connected', 'the connection state');
    for (const heading of ['Journal', 'Clock', 'Rate limiter', 'Faults', 'Rooms', 'Scenarios']) {
      await waitForText(page, 'h2', heading, 'the panels');
    }
    await waitForText(page, '#journal-list .code', '100004 room_not_found', 'a journal row');
    await waitForText(page, '#limiter-rows', 'destroy_room', 'the limiter panel');
    await waitForText(page, '#scenario-list', 'rate-limit-burst', 'the scenario recipes');
    await destroy(url, 'late-room');
    await waitForText(page, '#journal-list .room', 'late-room', 'a call made after the page opened');
    await shoot(page, 'dashboard-1280.png');
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (overflow > 0) fail(`at 390 px the page is ${overflow} px wider than the screen`);
    await shoot(page, 'dashboard-390.png');
    if (problems.length) fail(problems.join('; '));
  },

  // A fault added through the form answers the next call with its code.
  async fault(browser, url) {
    const { page, problems } = await openDashboard(browser, url);
    await waitForText(page, '#connection', 'connected', 'the connection state');
    await page.selectOption('#fault-action', 'error_code');
    await page.fill('#fault-value', '100001');
    await page.fill('#fault-room', 'live-room');
    await page.click('#fault-form button[type=submit]');
    await waitForText(page, '#fault-list', '"error_code":100001', 'the fault list');
    const envelope = await destroy(url, 'live-room');
    if (envelope.ErrorCode !== 100001) fail(`the call was answered ${JSON.stringify(envelope)}, not 100001`);
    await waitForText(page, '#journal-list .code', '100001 internal_error', 'the faulted call');
    await waitForText(page, '#journal-list', 'fault #1', 'the fault column');
    await shoot(page, 'dashboard-fault.png');
    if (problems.length) fail(problems.join('; '));
  },

  // A 70009 row, opened with the keyboard alone, shows the text that should have been signed.
  async sign(browser, url) {
    const { page, problems } = await openDashboard(browser, url);
    await waitForText(page, '#connection', 'connected', 'the connection state');
    await destroy(url, 'live-room', { key: 'a-wrong-key' });
    await waitForText(page, '#journal-list .code', '70009', 'the 70009 row');
    await tabTo(page, '#journal-list summary');
    await page.keyboard.press('Enter');
    await waitForText(page, '#journal-list .to-sign', 'String that should have been signed', 'the opened row');
    await waitForText(page, '#journal-list .to-sign pre', 'TLS.identifier:admin', 'the string to sign');
    await shoot(page, 'dashboard-70009.png');
    if (problems.length) fail(problems.join('; '));
  },

  // Freeze, then advance the clock past a UserSig's expiry: the same call now answers 70001.
  // A room's detail shows the room as one model: members and robots, seats, admins, bans, metadata.
  async room(browser, url) {
    const seeded = await control(url, 'POST', '/__emulator/scenarios', {
      rooms: [{ sdkappid: SDKAPPID, room_id: 'obs-room', owner: 'admin', info: { MaxSeatCount: 4 },
        parts: { admins: ['moderator'], bans: [{ member: 'troll', until: 4000000000 }],
          metadata: [{ Key: 'topic', Value: 'music' }], seats: [{ Index: 3, IsTakenDisabled: true }] } }],
      members: [{ sdkappid: SDKAPPID, room_id: 'obs-room', enter: ['viewer', { id: 'obs-robot', robot: true }] }],
    });
    if (seeded.status !== 200) fail(`seeding the room: ${seeded.status} ${seeded.body}`);
    const { page, problems } = await openDashboard(browser, url);
    await waitForText(page, '#room-list summary', 'obs-room', 'the seeded room');
    await page.click('#room-list details[data-room="obs-room"] summary');
    for (const [text, what] of [['"obs-robot"', 'its robot'], ['"moderator"', 'its admin'], ['"troll"', 'its ban'],
      ['"topic"', 'its metadata'], ['"IsTakenDisabled": true', 'its locked seat']]) {
      await waitForText(page, '#room-list details[data-room="obs-room"] pre', text, what);
    }
    await shoot(page, 'dashboard-room.png');
    if (problems.length) fail(problems.join('; '));
  },

  async clock(browser, url) {
    const { page, problems } = await openDashboard(browser, url);
    await waitForText(page, '#connection', 'connected', 'the connection state');
    await page.click('#clock-freeze');
    await waitForText(page, '#clock-mode', 'frozen', 'the clock mode');
    const before = await destroy(url, 'no-such-room', { expire: 60 });
    if (before.ErrorCode !== 100004) fail(`before advancing: ${JSON.stringify(before)}`);
    await page.fill('#advance-seconds', '120');
    await page.click('#clock-advance button[type=submit]');
    await waitForText(page, '#notice', 'advance 120 s: done', 'the advance');
    const after = await destroy(url, 'no-such-room', { expire: 60 });
    if (after.ErrorCode !== 70001) fail(`after advancing 120 s: ${JSON.stringify(after)}, not 70001`);
    await waitForText(page, '#journal-list .code', '70001', 'the expired call');
    if (problems.length) fail(problems.join('; '));
  },

  // A token-protected emulator: the page asks, refuses a wrong token, then works.
  async token(browser, url) {
    const { page } = await openDashboard(browser, url);
    await page.locator('#token-form').waitFor({ state: 'visible', timeout: WAIT_MS });
    await page.fill('#token-input', 'not-the-token');
    await page.keyboard.press('Enter');
    await waitForText(page, '#token-error', 'refused', 'the wrong token');
    await page.fill('#token-input', TOKEN);
    await page.keyboard.press('Enter');
    await waitForText(page, '#connection', 'connected', 'the connection with the token');
    await waitForText(page, 'h2', 'Journal', 'the panels');
    const kept = await page.evaluate(() => sessionStorage.getItem('live-emulator-token'));
    if (kept !== TOKEN) fail('the token is not kept in the tab');
    const stored = await page.evaluate(() => localStorage.length);
    if (stored !== 0) fail('the token leaked into localStorage');
  },
};

if (!flows[flow] || !emulatorPath || !screenshotDir) {
  fail(`usage: node dashboard.test.mjs ${Object.keys(flows).join('|')} LIVE_EMULATOR SCREENSHOT_DIR`);
}
const { url } = await startEmulator(flow === 'token' ? ['--control-token', TOKEN] : []);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
try {
  await flows[flow](browser, url);
} finally {
  await browser.close();
}
console.log(`dashboard ${flow}: ok`);
process.exit(0);
