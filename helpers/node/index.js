// live-emulator from Node tests (docs/helpers.md): start it on port 0, wait for its listening
// line, drive its control API (docs/control-api.md), stop it. No runtime dependencies.
import { AssertionError } from 'node:assert';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

import { usersig } from './usersig.js';

export { decodeUsersig, signature, usersig } from './usersig.js';

const LISTENING = 'live-emulator listening on ';

/** The control API refused a call: `status` is the HTTP status, `detail` the emulator's message. */
export class ControlError extends Error {
  constructor(method, pathname, status, detail) {
    super(`${method} ${pathname}: HTTP ${status}: ${detail}`);
    this.name = 'ControlError';
    this.status = status;
    this.detail = detail;
  }
}

/**
 * A verification did not hold. Its message is the emulator's: what was expected, then the calls it
 * saw, one line each, with > marking those that matched; `result` is the whole answer. It is an
 * AssertionError, so node:test and other runners report it as a failed assertion.
 */
export class VerificationError extends AssertionError {
  constructor(message, result) {
    super({ message });
    this.name = 'VerificationError';
    this.result = result;
  }
}

/**
 * The live-emulator to run: `binary`, else $LIVE_EMULATOR, else the one this package carries (the
 * npm package that scripts/package makes has bin/live-emulator), else live-emulator on PATH.
 */
export function findBinary(binary) {
  if (binary) return binary;
  if (process.env.LIVE_EMULATOR) return process.env.LIVE_EMULATOR;
  const carried = fileURLToPath(new URL('./bin/live-emulator', import.meta.url));
  if (existsSync(carried)) return carried;
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const candidate = path.join(dir, 'live-emulator');
    if (dir && existsSync(candidate)) return candidate;
  }
  throw new Error('live-emulator not found: pass binary, set LIVE_EMULATOR, install the npm package that carries it, or put it on PATH');
}

function query(parameters) {
  const present = Object.entries(parameters).filter(([, value]) => value !== undefined && value !== null);
  return present.length ? `?${new URLSearchParams(present.map(([k, v]) => [k, String(v)]))}` : '';
}

const room = (sdkappid, roomId) => `/__emulator/rooms/${sdkappid}/${encodeURIComponent(roomId)}`;

/** A call pattern in the emulator's names ({api, roomId, errorCode, identifier, state, eventType}). */
function pattern({ api, roomId, errorCode, identifier, state, eventType } = {}) {
  const wire = { api, room_id: roomId, error_code: errorCode, identifier, state, event_type: eventType };
  return Object.fromEntries(Object.entries(wire).filter(([, value]) => value !== undefined && value !== null));
}

const defined = (body) => Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined && value !== null));

export class Emulator {
  /**
   * @param {object} [options]
   * @param {string} [options.binary] live-emulator to run
   * @param {string} [options.config] its config file (default: its embedded default)
   * @param {string[]} [options.scenarios] scenario files applied at start
   * @param {string[]} [options.args] more command-line arguments
   * @param {string} [options.controlToken] for --control-token
   * @param {number} [options.startTimeoutMs]
   */
  constructor({ binary, config, scenarios = [], args = [], controlToken, startTimeoutMs = 15000 } = {}) {
    this.binary = findBinary(binary);
    this.config = config;
    this.scenarios = scenarios;
    this.args = args;
    this.controlToken = controlToken;
    this.startTimeoutMs = startTimeoutMs;
    this.process = null;
    this.url = null;
    this.port = null;
  }

  /**
   * An emulator started by someone else (another process, a container): the control calls work,
   * start() and stop() do nothing.
   */
  static attach(url, { controlToken } = {}) {
    const emulator = Object.create(Emulator.prototype);
    Object.assign(emulator, { binary: null, controlToken, process: null, attached: true, url: url.replace(/\/$/, '') });
    emulator.port = Number(new URL(emulator.url).port);
    return emulator;
  }

  /** Starts the emulator and resolves once it listens. */
  async start() {
    if (this.attached) return this;
    const argv = ['--port', '0', '--log-format', 'none'];
    if (this.config) argv.push('--config', this.config);
    for (const scenario of this.scenarios) argv.push('--scenario', scenario);
    if (this.controlToken) argv.push('--control-token', this.controlToken);
    argv.push(...this.args);
    const child = spawn(this.binary, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.process = child;
    let stderr = '';
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    const lines = readline.createInterface({ input: child.stdout });
    const first = await new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ timeout: true }), this.startTimeoutMs);
      lines.once('line', (line) => { clearTimeout(timer); resolve({ line }); });
      child.once('exit', (status) => { clearTimeout(timer); resolve({ status }); });
    });
    lines.on('line', () => {});  // keep reading the rest of the start-up block
    if (!first.line || !first.line.startsWith(LISTENING)) {
      if (child.exitCode === null) await once(child, 'exit');
      await this.stop();
      throw new Error(first.timeout
        ? `live-emulator printed no listening line within ${this.startTimeoutMs} ms`
        : `live-emulator did not start (exit status ${child.exitCode}): ${stderr.trim() || first.line}`);
    }
    this.url = first.line.slice(LISTENING.length).trim();
    this.port = Number(this.url.slice(this.url.lastIndexOf(':') + 1));
    return this;
  }

  /** Stops it (SIGTERM, then SIGKILL after 10 s); resolves with its exit status. */
  async stop() {
    const child = this.process;
    if (!child) return null;
    this.process = null;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
      await exited;
      clearTimeout(timer);
    }
    return child.exitCode;
  }

  /** One control call: the parsed JSON answer (the text for a non-JSON answer), or a ControlError. */
  async control(method, pathname, body) {
    if (!this.url) throw new Error('the emulator is not started');
    const headers = {};
    if (method !== 'GET') headers['Content-Type'] = 'application/json';  // every state-changing call says JSON
    if (this.controlToken) headers.Authorization = `Bearer ${this.controlToken}`;
    const response = await fetch(`${this.url}${pathname}`, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const isJson = (response.headers.get('content-type') || '').startsWith('application/json');
    const answer = text && isJson ? JSON.parse(text) : (text || null);
    if (!response.ok) throw new ControlError(method, pathname, response.status, (answer && answer.error) || text);
    return answer;
  }

  health() { return this.control('GET', '/__emulator/health'); }
  /** Back to the configured initial state (rooms, journal, faults, limiter, clock, apps); with `sdkappid`, only that app's. */
  reset(sdkappid) { return this.control('POST', `/__emulator/reset${query({ sdkappid })}`); }
  async apps() { return (await this.control('GET', '/__emulator/apps')).apps; }
  /**
   * Adds an app for one test: an app object as in the config, every member optional (sdkappid and
   * secret_key are chosen when left out), plus rooms. Resolves with an EmulatorApp scoped to it.
   */
  async addApp(app = {}) { return new EmulatorApp(this, await this.control('POST', '/__emulator/apps', app)); }
  removeApp(sdkappid) { return this.control('DELETE', `/__emulator/apps/${sdkappid}`); }

  async rooms(sdkappid) { return (await this.control('GET', `/__emulator/rooms${query({ sdkappid })}`)).rooms; }
  addRoom(sdkappid, roomId, owner, fields = {}) {
    return this.control('POST', '/__emulator/rooms', { ...fields, sdkappid, room_id: roomId, owner });
  }
  async addRooms(rooms) { return (await this.control('POST', '/__emulator/rooms', { rooms })).added; }
  removeRoom(sdkappid, roomId) { return this.control('DELETE', room(sdkappid, roomId)); }
  setStatistic(sdkappid, roomId, counters) { return this.control('POST', `${room(sdkappid, roomId)}/statistic`, counters); }
  /** Member events ({enter: [...], leave: [...]}); without events, the room's occupancy. */
  members(sdkappid, roomId, events) {
    return events ? this.control('POST', `${room(sdkappid, roomId)}/members`, events)
      : this.control('GET', `${room(sdkappid, roomId)}/members`);
  }

  /** Adds a fault rule ({room_id, count, for_ms, after_apply, sdkappid}); resolves with its id. */
  async addFault(action, { api = 'destroy_room', ...rule } = {}) {
    return (await this.control('POST', '/__emulator/faults', { ...rule, api, action })).id;
  }
  async faults(sdkappid) { return (await this.control('GET', `/__emulator/faults${query({ sdkappid })}`)).faults; }
  deleteFault(id) { return this.control('DELETE', `/__emulator/faults/${id}`); }
  clearFaults(sdkappid) { return this.control('DELETE', `/__emulator/faults${query({ sdkappid })}`); }

  /** The journal's entries, oldest first ({api, sdkappid, room_id, after_seq, limit, last}). */
  async requests(filter = {}) { return (await this.journal(filter)).requests; }
  /** The whole answer: {requests, last_seq} (poll again with after_seq: last_seq). */
  journal(filter = {}) { return this.control('GET', `/__emulator/requests${query(filter)}`); }
  clearRequests(sdkappid) { return this.control('DELETE', `/__emulator/requests${query({ sdkappid })}`); }

  /**
   * Asserts how many calls match ({api, roomId, errorCode, identifier, state, eventType}): by default
   * at least one; or count, atLeast, atMost. A callback command as `api` counts callbacks delivered.
   * Resolves with the matching calls; rejects with a VerificationError carrying the emulator's message.
   */
  verify({ count, atLeast, atMost, sdkappid, ...match } = {}) {
    return this.#verify({ where: pattern(match), count, at_least: atLeast, at_most: atMost, sdkappid });
  }
  /** Asserts that no call matches. */
  verifyNever({ sdkappid, ...match } = {}) { return this.verify({ ...match, count: 0, sdkappid }); }
  /** Asserts that calls matching `steps` came in this order; others between them allowed unless strict. */
  verifySequence(steps, { strict, sdkappid } = {}) {
    return this.#verify({ sequence: steps.map(pattern), strict: strict || undefined, sdkappid });
  }
  /**
   * Waits until at least `count` calls (or callbacks delivered) match, at most `timeout` ms. The
   * emulator answers when they have arrived: nothing polls. Resolves with them.
   */
  waitFor({ count = 1, timeout = 5000, sdkappid, ...match } = {}) {
    return this.#verify({ where: pattern(match), at_least: count, sdkappid, wait_ms: timeout });
  }
  async #verify(body) {
    const result = await this.control('POST', '/__emulator/verify', defined(body));
    if (!result.ok) throw new VerificationError(result.message.trimEnd(), result);
    return result.calls;
  }

  clock(sdkappid) { return this.control('GET', `/__emulator/clock${query({ sdkappid })}`); }
  /** Freezes the clock where it stands, or at Unix time `at`. */
  freeze(at) { return this.control('POST', '/__emulator/clock', at === undefined ? { mode: 'manual' } : { now: at }); }
  /** Moves the clock forward; with `sdkappid`, only that app's time. */
  advance(seconds, sdkappid) { return this.control('POST', `/__emulator/clock${query({ sdkappid })}`, { advance_seconds: seconds }); }
  realTime() { return this.control('POST', '/__emulator/clock', { mode: 'real' }); }

  applyScenario(scenario) { return this.control('POST', '/__emulator/scenarios', scenario); }
  async scenarioRecipes() { return (await this.control('GET', '/__emulator/scenarios')).scenarios; }
  async limiter(sdkappid) { return (await this.control('GET', `/__emulator/limiter${query({ sdkappid })}`)).windows; }
  async callbacks(filter = {}) { return (await this.control('GET', `/__emulator/callbacks${query(filter)}`)).callbacks; }
  clearCallbacks(sdkappid) { return this.control('DELETE', `/__emulator/callbacks${query({ sdkappid })}`); }
  /** The counters, in Prometheus' text format (a string). */
  metrics() { return this.control('GET', '/__emulator/metrics'); }
  /** The emulator's OpenAPI 3.1 description of its vendor and control APIs. */
  openapi() { return this.control('GET', '/__emulator/openapi.json'); }
}

/**
 * An app of its own on a shared emulator (Emulator.addApp). Its methods are the Emulator's, scoped to
 * this app: its rooms, faults, journal, callbacks, rate windows, clock and reset touch nothing of
 * another app, so tests running concurrently keep apart.
 */
export class EmulatorApp {
  constructor(emulator, app) {
    this.emulator = emulator;
    this.app = app;
    this.sdkappid = app.sdkappid;
    this.secretKey = app.secret_key;
    this.rootAdmin = app.root_admin;
    this.url = emulator.url;
  }

  /** A UserSig of this app for `identifier` (its root admin by default). */
  usersig(identifier = this.rootAdmin, options = {}) { return usersig(this.secretKey, identifier, this.sdkappid, options); }
  remove() { return this.emulator.removeApp(this.sdkappid); }
  reset() { return this.emulator.reset(this.sdkappid); }
  rooms() { return this.emulator.rooms(this.sdkappid); }
  addRoom(roomId, owner = this.rootAdmin, fields = {}) { return this.emulator.addRoom(this.sdkappid, roomId, owner, fields); }
  removeRoom(roomId) { return this.emulator.removeRoom(this.sdkappid, roomId); }
  setStatistic(roomId, counters) { return this.emulator.setStatistic(this.sdkappid, roomId, counters); }
  members(roomId, events) { return this.emulator.members(this.sdkappid, roomId, events); }
  /** A fault rule for this app only. */
  addFault(action, rule = {}) { return this.emulator.addFault(action, { ...rule, sdkappid: this.sdkappid }); }
  faults() { return this.emulator.faults(this.sdkappid); }
  clearFaults() { return this.emulator.clearFaults(this.sdkappid); }
  requests(filter = {}) { return this.emulator.requests({ ...filter, sdkappid: this.sdkappid }); }
  clearRequests() { return this.emulator.clearRequests(this.sdkappid); }
  callbacks(filter = {}) { return this.emulator.callbacks({ ...filter, sdkappid: this.sdkappid }); }
  clearCallbacks() { return this.emulator.clearCallbacks(this.sdkappid); }
  limiter() { return this.emulator.limiter(this.sdkappid); }
  clock() { return this.emulator.clock(this.sdkappid); }
  /** Moves this app's time only: its UserSigs, rate windows and self-dissolving rooms. */
  advance(seconds) { return this.emulator.advance(seconds, this.sdkappid); }
  verify(match = {}) { return this.emulator.verify({ ...match, sdkappid: this.sdkappid }); }
  verifyNever(match = {}) { return this.emulator.verifyNever({ ...match, sdkappid: this.sdkappid }); }
  verifySequence(steps, options = {}) { return this.emulator.verifySequence(steps, { ...options, sdkappid: this.sdkappid }); }
  waitFor(match = {}) { return this.emulator.waitFor({ ...match, sdkappid: this.sdkappid }); }
}
