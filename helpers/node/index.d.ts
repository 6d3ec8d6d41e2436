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
  reset(): Promise<Json>;
  apps(): Promise<Json[]>;
  rooms(sdkappid?: number): Promise<Json[]>;
  addRoom(sdkappid: number, roomId: string, owner: string, fields?: { [name: string]: Json }): Promise<Json>;
  addRooms(rooms: Json[]): Promise<number>;
  removeRoom(sdkappid: number, roomId: string): Promise<Json>;
  setStatistic(sdkappid: number, roomId: string, counters: { [name: string]: number }): Promise<Json>;
  members(sdkappid: number, roomId: string, events?: { [name: string]: Json }): Promise<Json>;
  addFault(action: { [name: string]: Json }, rule?: FaultRule): Promise<number>;
  faults(): Promise<Json[]>;
  deleteFault(id: number): Promise<Json>;
  clearFaults(): Promise<Json>;
  requests(filter?: JournalFilter): Promise<JournalEntry[]>;
  journal(filter?: JournalFilter): Promise<{ requests: JournalEntry[]; last_seq: number }>;
  clearRequests(): Promise<Json>;
  clock(): Promise<{ now: number; mode: 'real' | 'manual' }>;
  freeze(at?: number): Promise<{ now: number; mode: 'real' | 'manual' }>;
  advance(seconds: number): Promise<{ now: number; mode: 'real' | 'manual' }>;
  realTime(): Promise<{ now: number; mode: 'real' | 'manual' }>;
  applyScenario(scenario: Json): Promise<Json>;
  scenarioRecipes(): Promise<{ name: string; description: string; scenario: Json }[]>;
  limiter(): Promise<{ sdkappid: number; api: string; limit: number; in_window: number }[]>;
  callbacks(filter?: { command?: string; sdkappid?: number; room_id?: string }): Promise<Json[]>;
  clearCallbacks(): Promise<Json>;
  metrics(): Promise<string>;
  openapi(): Promise<{ [key: string]: Json }>;
}
