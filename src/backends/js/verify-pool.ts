/**
 * Worker threads that validate JS-backend tokens off the calling thread. A handful of tokens cost
 * the calling thread ~2 µs each here (queue, one message per batch, answer), against ~15 µs for a
 * libuv `crypto.verify` job plus the parsing that must precede it. Sized to leave one core to the
 * event loop: min(4, cores - 1) workers, or GOPHER_AUTH_JS_WORKERS. With none (one core, the
 * variable set to 0, or workers that cannot start) `submit` returns null and callers fall back.
 *
 * Nothing is ever lost: a worker that exits or fails hands its unanswered tokens back to the
 * calling thread, which validates them itself.
 */
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { JwksSnapshot, ValidationRequest, Verdict } from '../types.js';
import { backgroundNice } from '../thread-priority.js';
import { validateSync } from './pipeline.js';
import { VALID } from './verdicts.js';
import { NO_KEYS, VALID_WIRE, type FromWorker, type ToWorker, type ValidateBatch, type VerdictWire } from './verify-protocol.js';

/**
 * Tokens queued per worker: at least MIN_DEPTH (so it never runs dry between two turns of the event
 * loop), about as many as wait for the calling thread (so both finish together), at most MAX_DEPTH.
 */
const MIN_DEPTH = 8;
const MAX_DEPTH = 48;
/** Tokens per message: the worker answers each batch when done, and the next one is already queued. */
const BATCH = 8;
const MAX_WORKERS = 4;

interface Entry {
  client: number;
  token: string;
  request: ValidationRequest;
  snapshot: JwksSnapshot;
  resolve(verdict: Verdict): void;
  reject(reason: unknown): void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  /** What the worker reported when ready: its nice value (null: unchanged) and kernel thread id. */
  nice: number | null;
  thread: number | null;
  depth: number;
  outbox: Entry[];
  /** Batches sent and not answered yet. */
  sent: SentBatches;
  /** The requests list the worker holds (see ValidateBatch.requests). */
  lastRequests: ValidationRequest[];
  referenced: boolean;
}

export interface VerifyPoolStats {
  /** Worker threads wanted (0: the pool is off). */
  size: number;
  /** Workers started and answering. */
  running: number;
  /** Tokens answered by a worker. */
  validated: number;
  /** Tokens a worker handed back (it exited, or lacked the keys) and this thread validated. */
  handedBack: number;
  /** Why the pool is not in use, when it is not. */
  off: string | null;
  /** Per running worker: its nice value (null when its priority was left alone) and kernel thread id. */
  threads: { nice: number | null; thread: number | null }[];
}

const ALL_EXITED = 'every worker thread exited';
/** Pause before replacing a worker that exited; doubled up to the maximum while replacements die unready. */
const RESPAWN_FIRST_DELAY_MS = 1000;
const RESPAWN_MAX_DELAY_MS = 60_000;

export function defaultPoolSize(env: NodeJS.ProcessEnv = process.env): number {
  const configured = env.GOPHER_AUTH_JS_WORKERS;
  if (configured !== undefined && configured.trim() !== '') {
    const n = Number(configured);
    if (Number.isInteger(n) && n >= 0) return Math.min(n, 64);
  }
  return Math.max(0, Math.min(MAX_WORKERS, availableParallelism() - 1));
}

export class VerifyPool {
  readonly #size: number;
  readonly #nice: number;
  #slots: Slot[] = [];
  #started = false;
  #off: string | null;
  readonly #clients = new Map<number, JwksSnapshot>();
  #nextClient = 1;
  #nextBatch = 1;
  #flushPending = false;
  #validated = 0;
  #handedBack = 0;
  #readyWaiters: ((running: boolean) => void)[] = [];
  #respawnTimer: NodeJS.Timeout | null = null;
  #respawnDelayMs = RESPAWN_FIRST_DELAY_MS;

  constructor(size = defaultPoolSize(), nice = backgroundNice()) {
    this.#size = size;
    this.#nice = nice;
    this.#off = size === 0 ? 'no worker threads configured (one core, or GOPHER_AUTH_JS_WORKERS=0)' : null;
  }

  register(): number {
    return this.#nextClient++;
  }

  setKeys(client: number, snapshot: JwksSnapshot): void {
    // The fetched JSON text stays here: workers only need the parsed keys.
    const lean: JwksSnapshot = { keys: snapshot.keys, json: '', fetchedAt: snapshot.fetchedAt, version: snapshot.version };
    this.#clients.set(client, lean);
    this.#broadcast({ t: 'keys', client, snapshot: lean });
  }

  drop(client: number): void {
    if (this.#clients.delete(client)) this.#broadcast({ t: 'drop', client });
  }

  /**
   * Queues `token` on the least busy worker; null when the pool is off or starting, or when every
   * worker already holds its share given `backlog` tokens waiting for the calling thread.
   */
  submit(client: number, token: string, request: ValidationRequest, snapshot: JwksSnapshot, backlog = 0): Promise<Verdict> | null {
    if (this.#off !== null) return null;
    if (!this.#started) this.#start();
    const share = Math.min(MAX_DEPTH, Math.max(MIN_DEPTH, backlog + 1));
    let best: Slot | null = null;
    for (const slot of this.#slots) {
      if (slot.ready && slot.depth < share && (best === null || slot.depth < best.depth)) best = slot;
    }
    if (best === null) return null;
    const slot = best;
    return new Promise<Verdict>((resolve, reject) => {
      slot.outbox.push({ client, token, request, snapshot, resolve, reject });
      slot.depth++;
      if (!slot.referenced) {
        // A queued validation keeps the process alive, as a pending crypto job would.
        slot.worker.ref();
        slot.referenced = true;
      }
      if (!this.#flushPending) {
        this.#flushPending = true;
        queueMicrotask(this.#flush);
      }
    });
  }

  /** True when submit() will never take a token (no workers, or none could run). */
  get isOff(): boolean {
    return this.#off !== null;
  }

  stats(): VerifyPoolStats {
    return {
      size: this.#size,
      running: this.#slots.filter((s) => s.ready).length,
      validated: this.#validated,
      handedBack: this.#handedBack,
      off: this.#off,
      threads: this.#slots.filter((s) => s.ready).map((s) => ({ nice: s.nice, thread: s.thread })),
    };
  }

  /** Starts the workers if needed; true once one answers, false when the pool is off. */
  whenReady(): Promise<boolean> {
    if (this.#off === null && !this.#started) this.#start();
    if (this.#off !== null) return Promise.resolve(false);
    if (this.#slots.some((s) => s.ready)) return Promise.resolve(true);
    return new Promise((resolve) => this.#readyWaiters.push(resolve));
  }

  #settleWaiters(running: boolean): void {
    const waiters = this.#readyWaiters;
    this.#readyWaiters = [];
    for (const resolve of waiters) resolve(running);
  }

  /** Stops every worker (tests); unanswered tokens are validated on this thread. */
  async close(): Promise<void> {
    const slots = this.#slots;
    this.#slots = [];
    this.#off = 'closed';
    if (this.#respawnTimer !== null) clearTimeout(this.#respawnTimer);
    this.#respawnTimer = null;
    this.#settleWaiters(false);
    await Promise.all(slots.map((slot) => this.#retire(slot).worker.terminate()));
  }

  /** For tests: terminates one running worker as if it had crashed. */
  async killOneWorker(): Promise<boolean> {
    const slot = this.#slots.find((s) => s.ready);
    if (slot === undefined) return false;
    await slot.worker.terminate();
    return true;
  }

  #start(): void {
    this.#started = true;
    const entry = workerEntry();
    if (entry === null) {
      this.#off = 'verify-worker script not found next to the package code';
      return;
    }
    const failedToStart = (reason: string): void => {
      this.#off = reason;
      this.#settleWaiters(false);
    };
    for (let i = 0; i < this.#size; i++) {
      try {
        this.#slots.push(this.#spawn(entry));
      } catch (error) {
        // Workers already started keep serving; with none, the pool is off.
        if (this.#slots.length === 0) failedToStart(`worker threads could not start: ${error instanceof Error ? error.message : String(error)}`);
        break;
      }
    }
  }

  #spawn(entry: WorkerEntry): Slot {
    // No inherited execArgv: flags like --input-type=module would stop the worker from loading.
    const workerData = { nice: this.#nice };
    const worker = entry.kind === 'js'
      ? new Worker(entry.url, { execArgv: [], workerData })
      : new Worker(tsBootstrap(entry), { eval: true, execArgv: [], workerData });
    // Referenced until it reports ready (whoever awaits whenReady() keeps the process alive that
    // long), then released like any idle worker. Unreferencing here would not last: adding the
    // 'message' listener below refs the worker's port again.
    const slot: Slot = { worker, ready: false, nice: null, thread: null, depth: 0, outbox: [], sent: new SentBatches(), lastRequests: [], referenced: true };
    worker.on('message', (message: FromWorker) => this.#onMessage(slot, message));
    worker.on('error', () => this.#lost(slot));
    worker.on('exit', () => this.#lost(slot));
    return slot;
  }

  #onMessage(slot: Slot, message: FromWorker): void {
    if (message.t === 'ready') {
      slot.nice = message.nice;
      slot.thread = message.thread;
      for (const [client, snapshot] of this.#clients) slot.worker.postMessage({ t: 'keys', client, snapshot } satisfies ToWorker);
      slot.ready = true;
      this.#respawnDelayMs = RESPAWN_FIRST_DELAY_MS;
      this.#settleWaiters(true);
      this.#releaseIfIdle(slot);
      return;
    }
    const entries = slot.sent.take(message.batch);
    if (entries === undefined) return;
    slot.depth -= entries.length;
    this.#releaseIfIdle(slot);
    const verdicts = message.verdicts;
    for (let i = 0; i < entries.length; i++) this.#answer(entries[i] as Entry, verdicts[i] as VerdictWire);
  }

  #answer(entry: Entry, wire: VerdictWire): void {
    if (wire === VALID_WIRE) {
      this.#validated++;
      entry.resolve(VALID);
    } else if (wire === NO_KEYS) {
      this.#handBack(entry);
    } else {
      this.#validated++;
      entry.resolve(wire);
    }
  }

  #handBack(entry: Entry): void {
    this.#handedBack++;
    try {
      entry.resolve(validateSync(entry.token, entry.request, entry.snapshot));
    } catch (error) {
      entry.reject(error);
    }
  }

  /**
   * A worker exited or failed: its tokens are validated here, the others carry on, and a replacement
   * starts after a pause (doubling while replacements keep dying before they answer).
   */
  #lost(slot: Slot): void {
    const index = this.#slots.indexOf(slot);
    if (index < 0) return; // 'error' then 'exit' for one worker, or a worker close() stopped
    this.#slots.splice(index, 1);
    if (this.#slots.length === 0 && this.#off === null) this.#off = ALL_EXITED;
    this.#retire(slot);
    if (this.#off !== null) this.#settleWaiters(false);
    this.#scheduleRespawn();
  }

  #scheduleRespawn(): void {
    if (this.#respawnTimer !== null || (this.#off !== null && this.#off !== ALL_EXITED)) return;
    const entry = workerEntry();
    if (entry === null) return;
    const delay = this.#respawnDelayMs;
    this.#respawnDelayMs = Math.min(delay * 2, RESPAWN_MAX_DELAY_MS);
    this.#respawnTimer = setTimeout(() => {
      this.#respawnTimer = null;
      if (this.#off !== null && this.#off !== ALL_EXITED) return;
      try {
        while (this.#slots.length < this.#size) this.#slots.push(this.#spawn(entry));
        if (this.#off === ALL_EXITED) this.#off = null;
      } catch {
        this.#scheduleRespawn();
      }
    }, delay);
    // A pause before a replacement never keeps the process alive.
    this.#respawnTimer.unref();
  }

  #retire(slot: Slot): Slot {
    slot.ready = false;
    const unanswered = [...slot.outbox, ...slot.sent.takeAll()];
    slot.outbox = [];
    slot.depth = 0;
    this.#releaseIfIdle(slot);
    for (const entry of unanswered) this.#handBack(entry);
    return slot;
  }

  #releaseIfIdle(slot: Slot): void {
    if (slot.depth === 0 && slot.referenced) {
      slot.worker.unref();
      slot.referenced = false;
    }
  }

  #broadcast(message: ToWorker): void {
    for (const slot of this.#slots) if (slot.ready) slot.worker.postMessage(message);
  }

  readonly #flush = (): void => {
    this.#flushPending = false;
    for (const slot of this.#slots) {
      while (slot.outbox.length > 0) this.#send(slot, slot.outbox.splice(0, BATCH));
    }
  };

  /** One message per batch (see ValidateBatch for its shape). */
  #send(slot: Slot, entries: Entry[]): void {
    const batch = this.#nextBatch++;
    const first = entries[0] as Entry;
    let text = '';
    const lengths = new Array<number>(entries.length);
    let clients: number | number[] = first.client;
    const requests: ValidationRequest[] = [first.request];
    let requestOf: number[] | null = null;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as Entry;
      text += entry.token;
      lengths[i] = entry.token.length;
      if (entry.client !== first.client && typeof clients === 'number') clients = entries.map((e) => e.client);
      if (entry.request !== first.request && requestOf === null) {
        requestOf = new Array<number>(entries.length).fill(0);
      }
      if (requestOf !== null) {
        let index = requests.indexOf(entry.request);
        if (index < 0) index = requests.push(entry.request) - 1;
        requestOf[i] = index;
      }
    }
    // A caller repeating its options reuses one request object: the worker keeps the last list.
    const unchanged = requests.length === slot.lastRequests.length && requests.every((r, i) => r === slot.lastRequests[i]);
    if (!unchanged) slot.lastRequests = requests;
    slot.sent.add(batch, entries);
    const message: ValidateBatch = { t: 'validate', batch, text, lengths, clients, requests: unchanged ? null : requests, requestOf };
    slot.worker.postMessage(message);
  }
}

/**
 * The batches a worker holds, oldest first (it answers them in order). Not a Map: with a Map taking
 * and dropping one entry per batch, the batches' entries (and the promises and awaiting frames they
 * reach) kept surviving into old space — ~0.5 MB per scavenge with 64 validations in flight, and
 * scavenges of 1.5–2 ms instead of 0.4 ms (`node --trace-gc-nvp`; V8 links a rehashed table to its
 * successor for live iterators, so one promoted table holds the next). Two arrays do not.
 */
class SentBatches {
  #ids: number[] = [];
  #entries: Entry[][] = [];

  add(batch: number, entries: Entry[]): void {
    this.#ids.push(batch);
    this.#entries.push(entries);
  }

  /** Removes and returns a batch's entries (undefined for an unknown batch). */
  take(batch: number): Entry[] | undefined {
    const index = this.#ids.indexOf(batch);
    if (index < 0) return undefined;
    const entries = this.#entries[index];
    this.#ids.splice(index, 1);
    this.#entries.splice(index, 1);
    return entries;
  }

  /** Removes every batch; their entries, oldest first. */
  takeAll(): Entry[] {
    const all = this.#entries.flat();
    this.#ids = [];
    this.#entries = [];
    return all;
  }
}

type WorkerEntry = { kind: 'js'; url: URL } | { kind: 'ts'; url: URL; tsx: string };

/** For `doctor`: how many workers concurrent JS validations get, and the script they would run. */
export function describeVerifyWorkers(): { size: number; script: string | null; note: string | null } {
  const size = defaultPoolSize();
  const entry = workerEntry();
  const script = entry === null ? null : fileURLToPath(entry.url);
  if (size === 0) return { size, script, note: 'off: overlapping validations verify on the libuv pool' };
  if (entry === null) return { size, script, note: 'verify-worker script not found: overlapping validations verify on the libuv pool' };
  return { size, script, note: entry.kind === 'ts' ? 'source checkout: started through tsx' : null };
}

/**
 * The built package has dist/verify-worker.js beside its bundle; a source checkout (tests, tsx)
 * runs src/backends/js/verify-worker.ts through tsx's loader.
 */
function workerEntry(): WorkerEntry | null {
  const js = new URL('./verify-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return { kind: 'js', url: js };
  const ts = new URL('./verify-worker.ts', import.meta.url);
  if (!existsSync(fileURLToPath(ts))) return null;
  const tsx = tsxEsmApi();
  return tsx === null ? null : { kind: 'ts', url: ts, tsx };
}

/** tsx's ESM loader API (its CommonJS twin cannot register hooks from a worker). */
function tsxEsmApi(): string | null {
  try {
    const manifestPath = createRequire(import.meta.url).resolve('tsx/package.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports?: Record<string, { import?: { default?: string } }> };
    const relative = manifest.exports?.['./esm/api']?.import?.default;
    return relative === undefined ? null : pathToFileURL(path.join(path.dirname(manifestPath), relative)).href;
  } catch {
    return null;
  }
}

function tsBootstrap(entry: Extract<WorkerEntry, { kind: 'ts' }>): string {
  return `import(${JSON.stringify(entry.tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry.url.href)}); })`;
}

/** The process-wide pool every JS backend client shares, as they share the libuv pool. */
export const verifyPool = new VerifyPool();
