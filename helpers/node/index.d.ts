// Types of the live-emulator Node helper (index.js). Each method is one control call of the
// emulator's docs/control-api.md; JSON answers are typed loosely where the docs define them.
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface EmulatorOptions {
  binary?: string;
  config?: string;
  scenarios?: string[];
  args?: string[];
  controlToken?: string;
  startTimeoutMs?: number;
}

export interface JournalFilter {
  api?: string;
  sdkappid?: number;
  room_id?: string;
  after_seq?: number;
  limit?: number;
  last?: number;
}

export interface FaultRule {
  api?: string;
  sdkappid?: number;
  room_id?: string;
  count?: number;
  for_ms?: number;
  after_apply?: boolean;
}

export interface JournalEntry {
  seq: number;
  time: number;
  method: string;
  path: string;
  query: { [name: string]: string | string[] };
  body: string;
  usersig: { [claim: string]: Json } | null;
  response: { http_status: number; body: Json; dropped: boolean; delay_ms: number; handled_ms: number; cut?: string } | null;
  api: string | null;
  sdkappid: number | null;
  identifier: string;
  room_id: string;
  error_code: number;
  error_name: string;
  request_id: string;
  fault_id?: number;
  [other: string]: Json | undefined;
}

export class ControlError extends Error {
  status: number;
  detail: string;
}

/** A verification that did not hold: the emulator's message, and its whole answer. */
export class VerificationError extends Error {
  result: { ok: false; matched: number; message: string; calls: Json[] };
}

/** What a call (or a callback delivery, when api names a callback command) must be to match. */
export interface CallPattern {
  api?: string;
  roomId?: string;
  errorCode?: number;
  identifier?: string;
  state?: 'delivered' | 'failed' | 'pending' | 'skipped' | 'overflow' | 'any';
  eventType?: string;
}

/** The matching calls, compact: seq, method, api, room_id, error_code, fault_id (or a delivery's id, command, state). */
export type MatchedCall = { [name: string]: Json };

export function findBinary(binary?: string): string;
export function signature(secretKey: string, identifier: string, sdkappid: number, issuedAt: number,
                          expire: number, userbuf?: Uint8Array): string;
export function usersig(secretKey: string, identifier: string, sdkappid: number,
                        options?: { expire?: number; issuedAt?: number; userbuf?: Uint8Array }): string;
export function decodeUsersig(token: string): { [claim: string]: Json };

export class Emulator {
  constructor(options?: EmulatorOptions);
  readonly url: string | null;
  readonly port: number | null;
  start(): Promise<this>;
  stop(): Promise<number | null>;
  control(method: string, path: string, body?: Json): Promise<Json>;
  health(): Promise<Json>;
  static attach(url: string, options?: { controlToken?: string }): Emulator;
  reset(sdkappid?: number): Promise<Json>;
  apps(): Promise<Json[]>;
  addApp(app?: { [name: string]: Json }): Promise<EmulatorApp>;
  removeApp(sdkappid: number): Promise<Json>;
  verify(match?: CallPattern & { count?: number; atLeast?: number; atMost?: number; sdkappid?: number }): Promise<MatchedCall[]>;
  verifyNever(match?: CallPattern & { sdkappid?: number }): Promise<MatchedCall[]>;
  verifySequence(steps: CallPattern[], options?: { strict?: boolean; sdkappid?: number }): Promise<MatchedCall[]>;
  waitFor(match?: CallPattern & { count?: number; timeout?: number; sdkappid?: number }): Promise<MatchedCall[]>;
  rooms(sdkappid?: number): Promise<Json[]>;
  addRoom(sdkappid: number, roomId: string, owner: string, fields?: { [name: string]: Json }): Promise<Json>;
  addRooms(rooms: Json[]): Promise<number>;
  removeRoom(sdkappid: number, roomId: string): Promise<Json>;
  setStatistic(sdkappid: number, roomId: string, counters: { [name: string]: number }): Promise<Json>;
  members(sdkappid: number, roomId: string, events?: { [name: string]: Json }): Promise<Json>;
  addFault(action: { [name: string]: Json }, rule?: FaultRule): Promise<number>;
  faults(sdkappid?: number): Promise<Json[]>;
  deleteFault(id: number): Promise<Json>;
  clearFaults(sdkappid?: number): Promise<Json>;
  requests(filter?: JournalFilter): Promise<JournalEntry[]>;
  journal(filter?: JournalFilter): Promise<{ requests: JournalEntry[]; last_seq: number }>;
  clearRequests(sdkappid?: number): Promise<Json>;
  clock(sdkappid?: number): Promise<{ now: number; mode: 'real' | 'manual'; sdkappid?: number; ahead_seconds?: number }>;
  freeze(at?: number): Promise<{ now: number; mode: 'real' | 'manual' }>;
  advance(seconds: number, sdkappid?: number): Promise<{ now: number; mode: 'real' | 'manual'; ahead_seconds?: number }>;
  realTime(): Promise<{ now: number; mode: 'real' | 'manual' }>;
  applyScenario(scenario: Json): Promise<Json>;
  scenarioRecipes(): Promise<{ name: string; description: string; scenario: Json }[]>;
  limiter(sdkappid?: number): Promise<{ sdkappid: number; api: string; limit: number; in_window: number }[]>;
  callbacks(filter?: { command?: string; sdkappid?: number; room_id?: string }): Promise<Json[]>;
  clearCallbacks(sdkappid?: number): Promise<Json>;
  metrics(): Promise<string>;
  openapi(): Promise<{ [key: string]: Json }>;
}

/** An app of its own on a shared emulator; every method is the Emulator's, scoped to it. */
export class EmulatorApp {
  readonly emulator: Emulator;
  readonly app: { [name: string]: Json };
  readonly sdkappid: number;
  readonly secretKey: string;
  readonly rootAdmin: string;
  readonly url: string;
  usersig(identifier?: string, options?: { expire?: number; issuedAt?: number }): string;
  remove(): Promise<Json>;
  reset(): Promise<Json>;
  rooms(): Promise<Json[]>;
  addRoom(roomId: string, owner?: string, fields?: { [name: string]: Json }): Promise<Json>;
  removeRoom(roomId: string): Promise<Json>;
  setStatistic(roomId: string, counters: { [name: string]: number }): Promise<Json>;
  members(roomId: string, events?: { [name: string]: Json }): Promise<Json>;
  addFault(action: { [name: string]: Json }, rule?: FaultRule): Promise<number>;
  faults(): Promise<Json[]>;
  clearFaults(): Promise<Json>;
  requests(filter?: JournalFilter): Promise<JournalEntry[]>;
  clearRequests(): Promise<Json>;
  callbacks(filter?: { command?: string; room_id?: string }): Promise<Json[]>;
  clearCallbacks(): Promise<Json>;
  limiter(): Promise<{ sdkappid: number; api: string; limit: number; in_window: number }[]>;
  clock(): Promise<{ now: number; mode: 'real' | 'manual'; sdkappid: number; ahead_seconds: number }>;
  advance(seconds: number): Promise<{ now: number; mode: 'real' | 'manual'; ahead_seconds: number }>;
  verify(match?: CallPattern & { count?: number; atLeast?: number; atMost?: number }): Promise<MatchedCall[]>;
  verifyNever(match?: CallPattern): Promise<MatchedCall[]>;
  verifySequence(steps: CallPattern[], options?: { strict?: boolean }): Promise<MatchedCall[]>;
  waitFor(match?: CallPattern & { count?: number; timeout?: number }): Promise<MatchedCall[]>;
}
