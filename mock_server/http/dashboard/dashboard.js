// The live-emulator dashboard (docs/dashboard.md): plain script, no build step, no dependency. It
// reads and drives the control API under /__emulator/ and polls the journal with after_seq.
'use strict';

const POLL_MS = 500;         // the journal and the clock: a call shows within 1 s, fetch included
const SLOW_POLL_MS = 3000;   // rooms, faults and the limiter
const MAX_ROWS = 500;        // rows kept on the page (the journal itself may hold more)
const POLL_ROWS = 100;       // rows taken per poll: under heavy traffic the page samples the newest
const TOKEN_KEY = 'live-emulator-token';

const $ = (id) => document.getElementById(id);
const state = { lastSeq: 0, entries: [], apps: [], polling: false, clockNow: 0 };

// ---------------------------------------------------------------- calls to the control API

class Unauthorized extends Error {}

async function call(method, path, body) {
  const headers = {};
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  // Every state-changing control call says it is JSON, body or not (docs/control-api.md, "Access").
  if (method !== 'GET') headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store',
  });
  if (response.status === 401 || (response.status === 403 && token)) {
    const problem = await response.json().catch(() => ({}));
    throw new Unauthorized(problem.error || `HTTP ${response.status}`);
  }
  const answer = await response.json().catch(() => null);
  if (!response.ok) throw new Error((answer && answer.error) || `HTTP ${response.status}`);
  return answer;
}

function notice(text, problem = false) {
  const element = $('notice');
  element.textContent = text;
  element.classList.toggle('problem', problem);
}

// Runs an action from a button or form; its failure is shown, never swallowed.
async function act(label, action) {
  try {
    await action();
    notice(`${label}: done`);
    await refreshAll();
  } catch (error) {
    if (error instanceof Unauthorized) return askForToken(error.message);
    notice(`${label}: ${error.message}`, true);
  }
}

// ---------------------------------------------------------------- formatting

function clockText(seconds) {
  if (typeof seconds !== 'number') return '—';
  return new Date(seconds * 1000).toISOString().replace('T', ' ').replace('Z', ' UTC');
}

function timeOfDay(seconds) {
  return new Date(seconds * 1000).toISOString().slice(11, 23);
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'text') node.textContent = value;
    else if (name === 'class') node.className = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function pretty(value) {
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

function detail(label, value, className = '') {
  if (value === undefined || value === null || value === '') return null;
  return element('div', { class: `detail ${className}` },
    element('h4', { text: label }), element('pre', { text: pretty(value) }));
}

// ---------------------------------------------------------------- journal

function codeText(entry) {
  if (entry.event) return `${entry.event} (${entry.reason})`;
  if (entry.response && entry.response.dropped) return 'dropped, no answer';
  if (entry.response && entry.response.cut) return `${entry.response.cut}, no whole answer`;
  if (entry.response && (entry.response.http_status !== 200 || typeof entry.response.body === 'string')) {
    return `HTTP ${entry.response.http_status}, no envelope`;
  }
  return `${entry.error_code} ${entry.error_name}`;
}

function latencyText(entry) {
  if (!entry.response) return '—';
  const ms = entry.response.handled_ms + entry.response.delay_ms;
  return `${ms < 10 ? ms.toFixed(2) : ms.toFixed(0)} ms`;
}

function usersigValidity(entry) {
  const sig = entry.usersig;
  if (!sig) return null;
  if (sig.error) return `did not decode: ${sig.error}`;
  const expired = Math.floor(entry.time) > sig.valid_until;
  return `${expired ? 'EXPIRED' : 'valid'} at the call (valid until ${clockText(sig.valid_until)})`;
}

// The journal's 70009 problem ends with the text to sign as a JSON string: shown with its newlines.
function signedText(problem) {
  const start = problem.indexOf('"');
  try {
    return `${problem.slice(0, start)}\n\n${JSON.parse(problem.slice(start))}`;
  } catch {
    return problem;
  }
}

function entryRow(entry) {
  const failed = entry.error_code !== 0 ||
    (entry.response && (entry.response.http_status !== 200 || typeof entry.response.body === 'string'));
  const envelope = entry.response && typeof entry.response.body === 'object' ? entry.response.body : null;
  const claims = entry.usersig && !entry.usersig.error
    ? Object.fromEntries(Object.entries(entry.usersig).filter(([name]) => name.startsWith('TLS.'))) : null;
  const summary = element('summary', { class: 'entry-line' },
    element('span', { class: 'time', text: timeOfDay(entry.time) }),
    element('span', { text: entry.api || '(no API)' }),
    element('span', { text: entry.identifier || '—' }),
    element('span', { class: 'room', text: entry.room_id || '—' }),
    element('span', { class: `code ${failed ? 'failed' : 'ok'}`, text: codeText(entry) }),
    element('span', { text: entry.response ? String(entry.response.http_status || 'none') : '—' }),
    element('span', { text: entry.fault_id ? `fault #${entry.fault_id}` : 'no fault' }),
    element('span', { text: latencyText(entry) }));
  const body = element('div', { class: 'entry-body' },
    detail('ErrorInfo', envelope && envelope.ErrorInfo),
    detail('Body members read past', entry.ignored && `ignored: ${entry.ignored.join(', ')}`, 'ignored'),
    entry.error_code === 70009 && entry.usersig && entry.usersig.problem
      ? detail('String that should have been signed', signedText(entry.usersig.problem), 'to-sign') : null,
    detail('UserSig', usersigValidity(entry)),
    detail('UserSig claims', claims),
    detail('Query', entry.query),
    detail('Body', entry.body),
    detail('Answer', entry.response),
    detail('RequestId and peer', `${entry.request_id || '—'} from ${entry.peer || '—'}`));
  return element('li', { 'data-seq': String(entry.seq), 'data-code': String(entry.error_code) },
    element('details', { class: 'entry' }, summary, body));
}

function matchesFilter(entry) {
  const code = $('filter-code').value.trim();
  const room = $('filter-room').value.trim();
  const app = $('filter-app').value.trim();
  if (code && String(entry.error_code) !== code &&
      !(entry.response && String(entry.response.http_status) === code)) return false;
  if (room && !(entry.room_id || '').includes(room)) return false;
  if (app && String(entry.sdkappid) !== app) return false;
  return true;
}

function renderJournal() {
  const list = $('journal-list');
  const shown = state.entries.filter(matchesFilter);
  const open = new Set([...list.querySelectorAll('details[open]')].map((d) => d.parentElement.dataset.seq));
  list.replaceChildren(...shown.slice().reverse().map((entry) => {
    const row = entryRow(entry);
    if (open.has(String(entry.seq))) row.firstChild.open = true;
    return row;
  }));
  $('journal-count').textContent =
    `${shown.length} of ${state.entries.length} calls shown (newest first, up to ${MAX_ROWS} kept)`;
}

async function pollJournal() {
  // The newest calls since the last poll (MAX_ROWS on opening, POLL_ROWS after): under heavy traffic
  // the page skips ahead rather than fall behind, and a poll stays small.
  const rows = state.lastSeq === 0 ? MAX_ROWS : POLL_ROWS;
  const answer = await call('GET', `/__emulator/requests?after_seq=${state.lastSeq}&last=${rows}`);
  state.lastSeq = answer.last_seq;
  if (answer.requests.length === 0 && state.entries.length > 0) return;
  state.entries = state.entries.concat(answer.requests).slice(-MAX_ROWS);
  renderJournal();
}

// ---------------------------------------------------------------- clock, limiter, faults, rooms

async function refreshClock() {
  const clock = await call('GET', '/__emulator/clock');
  state.clockNow = clock.now;
  $('clock-now').textContent = clockText(clock.now);
  $('clock-mode').textContent = clock.mode === 'real' ? 'real time' : 'frozen (manual)';
  $('clock-summary').textContent = `clock: ${clockText(clock.now)}, ${clock.mode === 'real' ? 'real' : 'frozen'}`;
}

async function refreshLimiter() {
  const limiter = await call('GET', '/__emulator/limiter');
  $('limiter-rows').replaceChildren(...limiter.windows.map((window) => element('tr', {},
    element('td', { text: String(window.sdkappid) }),
    element('td', { text: window.api }),
    element('td', {},
      element('meter', { min: '0', max: String(window.limit || 1), value: String(window.in_window),
        'aria-label': `${window.api} of app ${window.sdkappid}` }),
      ` ${window.in_window} / ${window.limit === 0 ? 'no limit' : window.limit}${
        window.limit !== 0 && window.in_window >= window.limit ? ' (full: next call 60007)' : ''}`))));
}

async function refreshFaults() {
  const faults = (await call('GET', '/__emulator/faults')).faults;
  const list = $('fault-list');
  list.replaceChildren(...faults.map((rule) => element('li', {},
    element('span', { text: `#${rule.id} ${rule.api}${rule.sdkappid ? ` app ${rule.sdkappid}` : ''}${
      rule.room_id ? ` room ${rule.room_id}` : ''}: ${JSON.stringify(rule.action)}${
      rule.after_apply ? ' after_apply' : ''}, ${rule.count} left${
      rule.expires_at ? `, until ${clockText(rule.expires_at)}` : ''}` }),
    element('button', { type: 'button', text: `Delete fault #${rule.id}`,
      onclick: () => act(`delete fault #${rule.id}`, () => call('DELETE', `/__emulator/faults/${rule.id}`)) }))));
  if (faults.length === 0) list.replaceChildren(element('li', { class: 'muted', text: 'no fault rules' }));
}

async function refreshApps() {
  const apps = (await call('GET', '/__emulator/apps')).apps;
  const select = $('rooms-app');
  const chosen = select.value;
  state.apps = apps;
  select.replaceChildren(...apps.map((app) => element('option', { value: String(app.sdkappid),
    text: `${app.sdkappid} (${app.status}, ${app.response_style} style)` })));
  if (chosen) select.value = chosen;
}

async function showOccupancy(room, target) {
  try {
    const occupancy = await call('GET', `/__emulator/rooms/${room.sdkappid}/${encodeURIComponent(room.room_id)}/members`);
    // The room as one model: who is in it (robots marked), who sits where, its admins, bans and
    // metadata, and when it will dissolve by itself.
    const parts = occupancy.room.parts || {};
    target.textContent = pretty({ members: occupancy.members,
      robots: occupancy.members.filter((member) => member.robot).map((member) => member.id),
      seats: occupancy.seats.filter((seat) => seat.Member_Account || seat.IsTakenDisabled),
      admins: parts.admins, bans: parts.bans, metadata: parts.metadata,
      empty_since: occupancy.empty_since, dissolves_at: occupancy.dissolves_at,
      dissolve_reason: occupancy.dissolve_reason });
  } catch (error) {
    target.textContent = error.message;
  }
}

async function refreshRooms() {
  const sdkappid = $('rooms-app').value;
  if (!sdkappid) return;
  const rooms = (await call('GET', `/__emulator/rooms?sdkappid=${sdkappid}`)).rooms;
  const list = $('room-list');
  const open = new Set([...list.querySelectorAll('details[open]')].map((d) => d.dataset.room));
  list.replaceChildren(...rooms.slice(0, 200).map((room) => {
    const occupancy = element('pre', { text: 'loading…' });
    const details = element('details', { 'data-room': room.room_id },
      element('summary', { text: `${room.room_id} (owner ${room.owner}, ${room.type})` }),
      element('p', { text: `statistic: ${Object.entries(room.statistic).map(([k, v]) => `${k} ${v}`).join(', ')}` }),
      occupancy);
    details.addEventListener('toggle', () => { if (details.open) showOccupancy(room, occupancy); });
    if (open.has(room.room_id)) { details.open = true; showOccupancy(room, occupancy); }
    return element('li', {}, details,
      element('button', { type: 'button', text: `Remove ${room.room_id}`,
        onclick: () => act(`remove ${room.room_id}`,
          () => call('DELETE', `/__emulator/rooms/${room.sdkappid}/${encodeURIComponent(room.room_id)}`)) }));
  }));
  if (rooms.length === 0) list.replaceChildren(element('li', { class: 'muted', text: 'no rooms in this app' }));
  if (rooms.length > 200) list.append(element('li', { class: 'muted', text: `and ${rooms.length - 200} more` }));
}

async function refreshScenarios() {
  const recipes = (await call('GET', '/__emulator/scenarios')).scenarios;
  $('scenario-list').replaceChildren(...recipes.map((recipe) => element('li', {},
    element('button', { type: 'button', text: `Apply ${recipe.name}`,
      onclick: () => act(`apply ${recipe.name}`, () => call('POST', '/__emulator/scenarios', recipe.scenario)) }),
    element('p', { class: 'muted', text: recipe.description }))));
}

// ---------------------------------------------------------------- forms

function faultFromForm() {
  const action = $('fault-action').value;
  const value = $('fault-value').value.trim();
  const delay = $('fault-delay').value.trim();
  const rule = { api: $('fault-api').value, count: Number($('fault-count').value || 1), action: {} };
  if (action === 'error_code' || action === 'http_status') rule.action[action] = Number(value);
  else if (action === 'delay_ms') rule.action.delay_ms = Number(delay || value);
  else rule.action[action] = true;
  const extra = $('fault-extra').value.trim();
  if (action === 'error_code' && extra) {
    try {
      rule.action.extra_members = JSON.parse(extra);
    } catch (error) {
      throw new Error(`extra members: not JSON (${error.message})`);
    }
  }
  if (delay && action !== 'delay_ms') rule.action.delay_ms = Number(delay);
  if ($('fault-app').value.trim()) rule.sdkappid = Number($('fault-app').value.trim());
  if ($('fault-room').value.trim()) rule.room_id = $('fault-room').value.trim();
  if ($('fault-for').value.trim()) rule.for_ms = Number($('fault-for').value.trim());
  if ($('fault-after-apply').checked) rule.after_apply = true;
  return rule;
}

function showValueField() {
  const action = $('fault-action').value;
  const label = $('fault-value-label');
  label.hidden = !['error_code', 'http_status'].includes(action);
  $('fault-extra-label').hidden = action !== 'error_code';
  label.firstChild.textContent = action === 'http_status' ? 'HTTP status ' : 'ErrorCode ';
  if (action === 'http_status' && $('fault-value').value === '100001') $('fault-value').value = '502';
  if (action === 'error_code' && $('fault-value').value === '502') $('fault-value').value = '100001';
}

function wireForms() {
  $('fault-action').addEventListener('change', showValueField);
  showValueField();
  $('fault-form').addEventListener('submit', (event) => {
    event.preventDefault();
    act('add fault', async () => call('POST', '/__emulator/faults', faultFromForm()));
  });
  $('faults-clear').addEventListener('click', () => act('clear faults', () => call('DELETE', '/__emulator/faults')));
  $('clock-freeze').addEventListener('click', () => act('freeze', () => call('POST', '/__emulator/clock', { mode: 'manual' })));
  $('clock-real').addEventListener('click', () => act('real time', () => call('POST', '/__emulator/clock', { mode: 'real' })));
  $('clock-advance').addEventListener('submit', (event) => {
    event.preventDefault();
    const seconds = Number($('advance-seconds').value);
    act(`advance ${seconds} s`, () => call('POST', '/__emulator/clock', { advance_seconds: seconds }));
  });
  $('room-add').addEventListener('submit', (event) => {
    event.preventDefault();
    const sdkappid = Number($('rooms-app').value);
    const app = state.apps.find((candidate) => candidate.sdkappid === sdkappid);
    const owner = $('room-owner').value.trim() || (app ? app.root_admin : '');
    act(`add ${$('room-id').value}`, () => call('POST', '/__emulator/rooms',
      { sdkappid, room_id: $('room-id').value.trim(), owner }));
  });
  $('room-seed').addEventListener('submit', (event) => {
    event.preventDefault();
    const sdkappid = Number($('rooms-app').value);
    const prefix = $('seed-prefix').value;
    const count = Number($('seed-count').value);
    const app = state.apps.find((candidate) => candidate.sdkappid === sdkappid);
    const owner = app ? app.root_admin : '';
    const rooms = Array.from({ length: count }, (_, i) => ({ sdkappid, room_id: `${prefix}${i + 1}`, owner }));
    act(`seed ${count} rooms`, () => call('POST', '/__emulator/rooms', { rooms }));
  });
  $('rooms-app').addEventListener('change', () => refreshRooms().catch(showFailure));
  $('scenario-paste').addEventListener('submit', (event) => {
    event.preventDefault();
    let scenario;
    try {
      scenario = JSON.parse($('scenario-json').value);
    } catch (error) {
      notice(`the pasted scenario is not JSON: ${error.message}`, true);
      return;
    }
    act('apply pasted scenario', () => call('POST', '/__emulator/scenarios', scenario));
  });
  $('reset').addEventListener('click', () => act('reset', async () => {
    await call('POST', '/__emulator/reset');
    state.entries = [];
    renderJournal();
  }));
  $('journal-clear').addEventListener('click', () => act('clear journal', async () => {
    await call('DELETE', '/__emulator/requests');
    state.entries = [];
    renderJournal();
  }));
  for (const id of ['filter-code', 'filter-room', 'filter-app']) $(id).addEventListener('input', renderJournal);
  $('journal-filter').addEventListener('submit', (event) => event.preventDefault());
  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('token-input').value);
    $('token-input').value = '';
    start();
  });
}

// ---------------------------------------------------------------- polling

function showFailure(error) {
  if (error instanceof Unauthorized) return askForToken(error.message);
  $('connection').textContent = `not connected: ${error.message}`;
  $('connection').classList.add('problem');
}

function askForToken(message) {
  state.polling = false;
  const hadToken = sessionStorage.getItem(TOKEN_KEY) !== null;
  sessionStorage.removeItem(TOKEN_KEY);
  $('token-form').hidden = false;
  $('panels').hidden = true;
  $('token-error').textContent = hadToken ? `that token was refused: ${message}` : '';
  $('connection').textContent = 'waiting for the control token';
  $('token-input').focus();
}

async function refreshAll() {
  await Promise.all([pollJournal(), refreshClock(), refreshLimiter(), refreshFaults(), refreshRooms()]);
}

async function loop(task, interval) {
  while (state.polling) {
    try {
      await task();
      $('connection').textContent = 'connected';
      $('connection').classList.remove('problem');
    } catch (error) {
      showFailure(error);
    }
    // A hidden tab polls nothing: an idle dashboard costs the emulator nothing.
    do {
      await new Promise((resolve) => setTimeout(resolve, interval));
    } while (state.polling && document.hidden);
  }
}

async function start() {
  try {
    await call('GET', '/__emulator/health');
  } catch (error) {
    return showFailure(error);
  }
  $('token-form').hidden = true;
  $('panels').hidden = false;
  try {
    await refreshApps();
    await refreshScenarios();
  } catch (error) {
    return showFailure(error);
  }
  if (state.polling) return;
  state.polling = true;
  loop(async () => { await pollJournal(); await refreshClock(); }, POLL_MS);
  loop(async () => { await refreshLimiter(); await refreshFaults(); await refreshRooms(); }, SLOW_POLL_MS);
}

wireForms();
start();
