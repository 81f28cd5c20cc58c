/**
 * Worker threads that validate JS-backend tokens off the calling thread. Handing a token over is a
 * copy of its bytes and a record into memory shared with the worker (verify-channel.ts), no message:
 * 2.4–2.7 µs of the calling thread per token with the promise around it, against ~15 µs for a libuv
 * `crypto.verify` job plus the parsing that must precede it. Sized to leave one core to the event
 * loop: min(4, cores - 1) workers, or GOPHER_AUTH_JS_WORKERS. With none (one core, the variable set
 * to 0, or workers that cannot start) `submit` returns null and callers fall back.
 *
 * Nothing is ever lost: a worker that exits or fails hands its unanswered tokens back to the
 * calling thread, which validates them itself; so does a worker that cannot decide a token.
 */
import { envInteger, envOff } from '../env.js';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMainThread, Worker } from 'node:worker_threads';
import type { JwksSnapshot, ValidationRequest, Verdict } from '../types.js';
import { backgroundNice } from '../thread-priority.js';
import { validateSync } from './pipeline.js';
import { VALID } from './verdicts.js';
import { ANSWER_VALID, ANSWER_VERDICT, RECORDS, TokenChannel } from './verify-channel.js';
import { RequestIds, type FromWorker, type ToWorker, type VerifyWorkerData } from './verify-protocol.js';

/**
 * Tokens queued per worker: at least MIN_DEPTH (so it never runs dry between two turns of the event
 * loop) — but no more than half of a few validations in progress, or the calling thread would hand
 * them all over and wait (2–8 in flight ran at 0.5–0.7x the floor that way, against 0.85–0.95x
 * shared) — about as many as wait for the calling thread (so both finish together), at most MAX_DEPTH.
 */
const MIN_DEPTH = 8;
const MAX_DEPTH = 48; // below the channel's RECORDS (64)
const MAX_WORKERS = 4;
const ENTRY_MASK = RECORDS - 1;

interface Entry {
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
  channel: TokenChannel;
  requestIds: RequestIds;
  /** The entry of each record in flight, by record number: entries[n & ENTRY_MASK]. */
  entries: (Entry | undefined)[];
  /** Records written (tail) and answered (head): tail - head are in flight. */
  head: number;
  tail: number;
  /** Records written since the last publish. */
  unpublished: boolean;
  /** Waiting for the worker's next answer (TokenChannel.answered). */
  watching: boolean;
  referenced: boolean;
  retired: boolean;
  /** Takes one answer from the channel (bound once per slot). */
  take(answer: number, verdict: Verdict | null): void;
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

export function defaultPoolSize(env: NodeJS.ProcessEnv = process.env, mainThread = isMainThread): number {
  if (envOff(env.GOPHER_AUTH_JS_WORKERS)) return 0;
  const configured = envInteger(env.GOPHER_AUTH_JS_WORKERS, 0, 64);
  if (configured !== undefined) return configured;
  // Each thread that loads the package has its own pool: in an application's worker threads the
  // default would start min(4, cores - 1) more per thread. There the libuv pool (shared by the
  // whole process) verifies overlapping validations instead.
  if (!mainThread) return 0;
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
  #publishPending = false;
  #validated = 0;
  #handedBack = 0;
  #readyWaiters: ((running: boolean) => void)[] = [];
  #respawnTimer: NodeJS.Timeout | null = null;
  #respawnDelayMs = RESPAWN_FIRST_DELAY_MS;
  #turnComing: () => boolean = () => false;

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
   * worker already holds its share given `backlog` tokens waiting for the calling thread and
   * `inProgress` validations in all (a few at once are shared with the calling thread, not all
   * handed to a worker while the calling thread waits).
   */
  submit(client: number, token: string, request: ValidationRequest, snapshot: JwksSnapshot, backlog = 0, inProgress = Infinity): Promise<Verdict> | null {
    if (this.#off !== null) return null;
    if (!this.#started) this.#start();
    const share = Math.min(MAX_DEPTH, Math.max(Math.min(MIN_DEPTH, Math.ceil(inProgress / 2)), backlog + 1));
    let best: Slot | null = null;
    let bestDepth = share;
    for (const slot of this.#slots) {
      const depth = slot.tail - slot.head;
      if (slot.ready && depth < bestDepth) {
        best = slot;
        bestDepth = depth;
      }
    }
    if (best === null) return null;
    const slot = best;
    if (!slot.channel.fits(token)) return null;
    let requestId = slot.requestIds.idOf(request);
    if (requestId === undefined) {
      requestId = slot.requestIds.add(request);
      slot.worker.postMessage({ t: 'request', id: requestId, request } satisfies ToWorker);
    }
    slot.channel.write(token, client, requestId);
    return new Promise<Verdict>((resolve, reject) => {
      slot.entries[slot.tail++ & ENTRY_MASK] = { token, request, snapshot, resolve, reject };
      slot.unpublished = true;
      if (!slot.referenced) {
        // A queued validation keeps the process alive, as a pending crypto job would.
        slot.worker.ref();
        slot.referenced = true;
      }
      if (!this.#publishPending) {
        this.#publishPending = true;
        queueMicrotask(this.#publish);
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
    const channel = new TokenChannel();
    const workerData: VerifyWorkerData = { nice: this.#nice, channel: channel.memory };
    const worker = entry.kind === 'js'
      ? new Worker(entry.url, { execArgv: [], workerData })
      : new Worker(tsBootstrap(entry), { eval: true, execArgv: [], workerData });
    // Referenced until it reports ready (whoever awaits whenReady() keeps the process alive that
    // long), then released like any idle worker. Unreferencing here would not last: adding the
    // 'message' listener below refs the worker's port again.
    const slot: Slot = {
      worker,
      ready: false,
      nice: null,
      thread: null,
      channel,
      requestIds: new RequestIds(),
      entries: new Array<Entry | undefined>(RECORDS).fill(undefined),
      head: 0,
      tail: 0,
      unpublished: false,
      watching: false,
      referenced: true,
      retired: false,
      take: (answer, verdict) => this.#take(slot, answer, verdict),
    };
    worker.on('message', (message: FromWorker) => this.#onMessage(slot, message));
    worker.on('error', () => this.#lost(slot));
    worker.on('exit', () => this.#lost(slot));
    return slot;
  }

  #onMessage(slot: Slot, message: FromWorker): void {
    if (message.t !== 'ready' || slot.retired) return;
    slot.nice = message.nice;
    slot.thread = message.thread;
    for (const [client, snapshot] of this.#clients) slot.worker.postMessage({ t: 'keys', client, snapshot } satisfies ToWorker);
    slot.channel.ring();
    slot.ready = true;
    this.#respawnDelayMs = RESPAWN_FIRST_DELAY_MS;
    this.#settleWaiters(true);
    this.#releaseIfIdle(slot);
  }

  /**
   * Lets the calling thread's own turns take the answers in: while `turnComing()` says one is
   * scheduled, no worker is asked to wake this thread (an `Atomics.waitAsync` round trip costs it
   * 18–37 µs of CPU on the test machine); that turn calls collect(), and watchAll() once no further
   * turn is coming. With 64 validations in flight: ~4,800 waits armed in 1.5 s down to one or two,
   * and 2–3 % less CPU per validation (bench/README.md, twentieth session).
   */
  followTurns(turnComing: () => boolean): void {
    this.#turnComing = turnComing;
  }

  /** Reads the answers every worker has given, without waiting. */
  collect(): void {
    for (const slot of this.#slots) if (!slot.retired && slot.tail !== slot.head) this.#readAnswers(slot);
  }

  /** Waits for the answers still out on every worker (no turn of the calling thread is coming for them). */
  watchAll(): void {
    for (const slot of this.#slots) this.#watch(slot);
  }

  /** Reads the answers that arrived, then waits for the next one while tokens are still out. */
  #watch(slot: Slot): void {
    if (this.#turnComing()) return;
    while (!slot.watching && !slot.retired && slot.tail !== slot.head) {
      const answered = slot.channel.answered();
      if (answered === null) {
        this.#readAnswers(slot);
        continue;
      }
      slot.watching = true;
      void answered.then(() => {
        slot.watching = false;
        slot.channel.stopWaiting();
        if (slot.retired) return;
        this.#readAnswers(slot);
        this.#watch(slot);
      });
    }
  }

  #readAnswers(slot: Slot): void {
    slot.channel.read(slot.take);
    this.#releaseIfIdle(slot);
  }

  #take(slot: Slot, answer: number, verdict: Verdict | null): void {
    const entry = oldestEntry(slot);
    if (answer === ANSWER_VALID) {
      this.#validated++;
      entry.resolve(VALID);
    } else if (answer === ANSWER_VERDICT && verdict !== null) {
      this.#validated++;
      entry.resolve(verdict);
    } else {
      this.#handBack(entry);
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
    if (slot.retired) return slot;
    // Answers the worker gave count; the rest are validated here.
    slot.channel.read(slot.take);
    slot.retired = true;
    while (slot.head !== slot.tail) this.#handBack(oldestEntry(slot));
    slot.channel.wake();
    this.#releaseIfIdle(slot);
    return slot;
  }

  #releaseIfIdle(slot: Slot): void {
    if (slot.tail === slot.head && slot.referenced) {
      slot.worker.unref();
      slot.referenced = false;
    }
  }

  #broadcast(message: ToWorker): void {
    for (const slot of this.#slots) {
      if (!slot.ready) continue;
      slot.worker.postMessage(message);
      slot.channel.ring();
    }
  }

  /** Once per microtask checkpoint: the tokens written since are published, one wake-up per worker. */
  readonly #publish = (): void => {
    this.#publishPending = false;
    for (const slot of this.#slots) {
      if (!slot.unpublished) continue;
      slot.unpublished = false;
      slot.channel.publish();
      this.#watch(slot);
    }
  };

}

/** Removes and returns the slot's oldest unanswered entry (the channel answers in order). */
function oldestEntry(slot: Slot): Entry {
  const index = slot.head++ & ENTRY_MASK;
  const entry = slot.entries[index] as Entry;
  slot.entries[index] = undefined;
  return entry;
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
