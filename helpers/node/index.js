// live-emulator from Node tests (docs/helpers.md): start it on port 0, wait for its listening
// line, drive its control API (docs/control-api.md), stop it. No runtime dependencies.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

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

  /** Starts the emulator and resolves once it listens. */
  async start() {
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
  /** Back to the configured initial state (rooms, journal, faults, limiter, clock, apps). */
  reset() { return this.control('POST', '/__emulator/reset'); }
  async apps() { return (await this.control('GET', '/__emulator/apps')).apps; }

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
  async faults() { return (await this.control('GET', '/__emulator/faults')).faults; }
  deleteFault(id) { return this.control('DELETE', `/__emulator/faults/${id}`); }
  clearFaults() { return this.control('DELETE', '/__emulator/faults'); }

  /** The journal's entries, oldest first ({api, sdkappid, room_id, after_seq, limit, last}). */
  async requests(filter = {}) { return (await this.journal(filter)).requests; }
  /** The whole answer: {requests, last_seq} (poll again with after_seq: last_seq). */
  journal(filter = {}) { return this.control('GET', `/__emulator/requests${query(filter)}`); }
  clearRequests() { return this.control('DELETE', '/__emulator/requests'); }

  clock() { return this.control('GET', '/__emulator/clock'); }
  /** Freezes the clock where it stands, or at Unix time `at`. */
  freeze(at) { return this.control('POST', '/__emulator/clock', at === undefined ? { mode: 'manual' } : { now: at }); }
  advance(seconds) { return this.control('POST', '/__emulator/clock', { advance_seconds: seconds }); }
  realTime() { return this.control('POST', '/__emulator/clock', { mode: 'real' }); }

  applyScenario(scenario) { return this.control('POST', '/__emulator/scenarios', scenario); }
  async scenarioRecipes() { return (await this.control('GET', '/__emulator/scenarios')).scenarios; }
  async limiter() { return (await this.control('GET', '/__emulator/limiter')).windows; }
  async callbacks(filter = {}) { return (await this.control('GET', `/__emulator/callbacks${query(filter)}`)).callbacks; }
  clearCallbacks() { return this.control('DELETE', '/__emulator/callbacks'); }
  /** The counters, in Prometheus' text format (a string). */
  metrics() { return this.control('GET', '/__emulator/metrics'); }
  /** The emulator's OpenAPI 3.1 description of its vendor and control APIs. */
  openapi() { return this.control('GET', '/__emulator/openapi.json'); }
}
