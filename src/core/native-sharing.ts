import type { BackendCall, JwksSnapshot, ValidationRequest, Verdict } from '../backends/types.js';
import { WorkSharing, type Job } from '../backends/work-sharing.js';

/**
 * Awaited native validations of this process (work-sharing.ts): one at a time they run on the
 * calling thread (a pool round trip costs more than the call), deferred to the next turn past the
 * budget; concurrent ones go to the libuv pool, at most `limit` at once, the rest wait their turn.
 * The calling thread's share is small here: a native call costs it ~59 µs inline against ~8 µs to
 * hand it off and re-check the answer, so the limit is high (measured: 1 → 0.46x floor with 64 in
 * flight, 3 → 0.51x, 64 → 0.81x), at the price of more runnable threads than cores.
 */
export const nativeWorkSharing = new WorkSharing();

export class OffThreadSlots {
  readonly limit: number;
  #taken = 0;

  constructor(limit: number) {
    this.limit = limit;
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

const DEFAULT_LIMIT = 64;

export function defaultNativeOffThreadLimit(env: NodeJS.ProcessEnv = process.env): number {
  const configured = Number(env.GOPHER_AUTH_NATIVE_OFF_THREAD ?? '');
  if (Number.isInteger(configured) && configured > 0) return configured;
  return DEFAULT_LIMIT;
}

export const nativeSlots = new OffThreadSlots(defaultNativeOffThreadLimit());

/** Scopes are enforced by the JS re-check: the native library ignores `scp` and does not merge claims. */
export function nativeRequest(request: ValidationRequest): ValidationRequest {
  return request.scopes === undefined ? request : { ...request, scopes: undefined };
}

/** The GopherAuthClient side of a native validation: its current key set and its JS re-check. */
export interface NativeContext {
  snapshot(): JwksSnapshot | null;
  recheck(native: Verdict, token: string, request: ValidationRequest, snapshot: JwksSnapshot | null): Verdict;
}

/** One awaited native validation, on a reserved native call, wherever work sharing runs it. */
export class NativeValidation implements Job<Verdict> {
  constructor(
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
    if (!nativeSlots.tryTake()) return null;
    // The key set native validates against: a snapshot arriving meanwhile must not change the re-check.
    const snapshot = this.#keys();
    let pending: Promise<Verdict>;
    try {
      pending = this.call.validate(this.token, nativeRequest(this.request));
    } catch (error) {
      nativeSlots.release();
      throw error;
    }
    return pending
      .finally(() => {
        nativeSlots.release();
        this.call.release();
      })
      .then((native) => this.context.recheck(native, this.token, this.request, snapshot));
  }

  #keys(): JwksSnapshot | null {
    return this.context.snapshot() ?? this.accepted;
  }
}
