import { availableParallelism } from 'node:os';
import { envInteger } from '../backends/env.js';
import type { BackendCall, BackendClient, JwksSnapshot, ValidationRequest, Verdict } from '../backends/types.js';
import { WorkSharing, type Job } from '../backends/work-sharing.js';
import { addonStats } from '../backends/native/addon.js';

/**
 * Awaited native validations of this process (work-sharing.ts): one at a time they run on the
 * calling thread (a pool round trip costs more than the call), deferred to the next turn past the
 * budget; concurrent ones go off-thread in batches (NativeBatcher: the addon's helper threads, or
 * the libuv pool), and the calling thread takes a share when every batch slot is busy.
 */
export const nativeWorkSharing = new WorkSharing();

export class OffThreadSlots {
  #limit: number | undefined;
  readonly #resolveLimit: () => number;
  #taken = 0;

  /** `limit` may be a function: asked once, when the first slot is wanted. */
  constructor(limit: number | (() => number)) {
    this.#resolveLimit = typeof limit === 'number' ? () => limit : limit;
  }

  get limit(): number {
    return (this.#limit ??= this.#resolveLimit());
  }

  tryTake(): boolean {
    if (this.#taken >= this.limit) return false;
    this.#taken++;
    return true;
  }

  release(): void {
    this.#taken--;
  }
}

/**
 * Tokens per batch, and batches out at once: one more than the cores, so that a helper that finishes
 * a batch finds the next one already queued (native/background.h) instead of idling until the event
 * loop has taken in the answers and handed out more. Measured with 64 in flight on 2 CPUs (client
 * 'native', × floor): one job per token needed 64 jobs out to reach 0.81x (1 → 0.46x, 3 → 0.51x:
 * the hand-off latency idled the pool threads); batches of 16 with 2 out: 0.85–0.92x; 2 × 32: 0.80x;
 * 4 × 16: 0.77x; 3 × 8: 0.74x — all with a helper per pool thread. With one queue for a helper per
 * core (24 Nov, interleaved, medians): 3 out 1.19x against 1.10x before (10 pairs); 3 and 4 out alike
 * (1.23x each, 5 runs). Since the helpers hand batches back without a pool thread: 2, 3 and 4 out
 * within the noise of each other (4 runs each).
 */
const BATCH_SIZE = 16;

/**
 * `helperQueue`: batches go to the addon's helper threads (Linux, background priority on). Without
 * them (koffi, or the addon with its priority levels at 0) a batch runs on a libuv pool thread, and
 * one more batch than cores only adds a thread competing for them (koffi path, 64 in flight:
 * 0.33–0.35x with one per core, 0.26–0.28x with one more).
 */
export function defaultNativeOffThreadLimit(env: NodeJS.ProcessEnv = process.env, helperQueue = false): number {
  const configured = envInteger(env.GOPHER_AUTH_NATIVE_OFF_THREAD, 1, 64);
  if (configured !== undefined) return configured;
  return Math.max(1, availableParallelism()) + (helperQueue ? 1 : 0);
}

/** Without the addon its stats carry no backgroundNice. */
function batchesGoToHelpers(): boolean {
  return (addonStats().backgroundNice ?? 0) > 0;
}

/** Batches off-thread at once, process-wide; settled when the first batch is sent (the addon is known by then). */
export const nativeBatchSlots = new OffThreadSlots(() => defaultNativeOffThreadLimit(process.env, batchesGoToHelpers()));

/** Scopes are enforced by the JS re-check: the native library ignores `scp` and reads a nested `"scope"` as readily as the real one. */
export function nativeRequest(request: ValidationRequest): ValidationRequest {
  return request.scopes === undefined ? request : { ...request, scopes: undefined };
}

/** The GopherAuthClient side of a native validation: its current key set and its JS re-check. */
export interface NativeContext {
  snapshot(): JwksSnapshot | null;
  recheck(native: Verdict, token: string, request: ValidationRequest, snapshot: JwksSnapshot | null): Verdict;
}

interface Waiter {
  token: string;
  request: ValidationRequest;
  resolve(verdict: Verdict): void;
  reject(reason: unknown): void;
}

/** Tokens collected in one turn for one client and one set of native options. */
class OpenBatch {
  readonly waiters: Waiter[] = [];
  constructor(
    readonly key: string,
    readonly call: BackendCall,
    readonly nativeRequest: ValidationRequest,
    /** The key set when the batch opened: the client's may be gone (destroyed) by the time it is sent. */
    readonly opened: JwksSnapshot | null,
    readonly context: NativeContext,
  ) {}
}

function optionsKey(request: ValidationRequest): string {
  return `${request.audience ?? ''}\u0000${request.clockSkew}`;
}

/**
 * Concurrent native validations of one client leave in batches: tokens offloaded in the same
 * microtask run share one batch (up to BATCH_SIZE), and at most `slots.limit` batches are out.
 * One wake-up and one completion per batch instead of per token: the threads that run them stay
 * busy with few of them runnable, where one job per token needed 64 jobs out to hide the hand-off latency.
 */
class NativeBatcher {
  readonly #open = new Map<BackendClient, OpenBatch>();
  batches = 0;
  tokens = 0;

  submit(backend: BackendClient, token: string, request: ValidationRequest, snapshot: JwksSnapshot | null, context: NativeContext): Promise<Verdict> | null {
    const key = optionsKey(request);
    let batch = this.#open.get(backend);
    if (batch === undefined || batch.key !== key || batch.waiters.length >= BATCH_SIZE) {
      if (backend.reserve === undefined || !nativeBatchSlots.tryTake()) return null;
      let call: BackendCall;
      try {
        call = backend.reserve();
      } catch (error) {
        nativeBatchSlots.release();
        throw error;
      }
      const opened = new OpenBatch(key, call, nativeRequest(request), snapshot, context);
      batch = opened;
      this.#open.set(backend, opened);
      queueMicrotask(() => this.#send(backend, opened));
    }
    const target = batch;
    return new Promise<Verdict>((resolve, reject) => {
      target.waiters.push({ token, request, resolve, reject });
    });
  }

  #send(backend: BackendClient, batch: OpenBatch): void {
    if (this.#open.get(backend) === batch) this.#open.delete(backend);
    const { waiters, call } = batch;
    // The keys the library holds now, which this call will use (a rotation may have landed since the
    // batch opened; the addon's key swap waits for calls already out). Re-checking against the
    // older set would refuse a new key's tokens the library just verified.
    const snapshot = batch.context.snapshot() ?? batch.opened;
    this.batches++;
    this.tokens += waiters.length;
    let pending: Promise<Verdict[]>;
    try {
      pending = call.validateBatch(
        waiters.map((w) => w.token),
        batch.nativeRequest,
      );
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending
      .finally(() => {
        nativeBatchSlots.release();
        call.release();
      })
      .then(
        (verdicts) => {
          waiters.forEach((w, i) => {
            try {
              w.resolve(batch.context.recheck(verdicts[i] as Verdict, w.token, w.request, snapshot));
            } catch (error) {
              w.reject(error);
            }
          });
        },
        (error: unknown) => {
          for (const w of waiters) w.reject(error);
        },
      );
  }
}

const nativeBatcher = new NativeBatcher();

/** Batches sent off-thread and the tokens they carried (tests, diagnostics). */
export function nativeBatchStats(): { batches: number; tokens: number } {
  return { batches: nativeBatcher.batches, tokens: nativeBatcher.tokens };
}

/** One awaited native validation, on a reserved native call, wherever work sharing runs it. */
export class NativeValidation implements Job<Verdict> {
  constructor(
    readonly backend: BackendClient,
    readonly call: BackendCall,
    readonly token: string,
    readonly request: ValidationRequest,
    /** The key set when the validation was accepted: the client may be destroyed before it runs. */
    readonly accepted: JwksSnapshot | null,
    readonly context: NativeContext,
  ) {}

  inline(): Verdict {
    try {
      const snapshot = this.#keys();
      return this.context.recheck(this.call.validateSync(this.token, nativeRequest(this.request)), this.token, this.request, snapshot);
    } finally {
      this.call.release();
    }
  }

  offload(): Promise<Verdict> | null {
    const pending = nativeBatcher.submit(this.backend, this.token, this.request, this.#keys(), this.context);
    // The batch holds its own reservation of the client from here on.
    if (pending !== null) this.call.release();
    return pending;
  }

  #keys(): JwksSnapshot | null {
    return this.context.snapshot() ?? this.accepted;
  }
}
