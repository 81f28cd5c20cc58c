/**
 * Awaited validations of one NativeBackendClient through the addon that arrive in the same microtask
 * run with the same options leave together: one helper-thread wake-up and one completion per batch.
 * One addon call per token kept the helpers waiting on hand-offs: 64 in flight on 2 CPUs, the same
 * tokens as four batches of 16 ran at 1.10–1.26× the ops/s (bench/README.md, twentieth session).
 * GopherAuthClient batches on its own (core/native-sharing.ts); this is the backend's `validate`.
 */
import type { Verdict } from '../types.js';
import type { AddonClientHandle, AddonRawResult } from './addon.js';
import type { JwtHeaderInfo } from './header.js';

export const ADDON_BATCH_SIZE = 16;

/** What a batch needs from the client that owns it. */
export interface AddonBatchOwner {
  /** Each validation counts as in flight from when it joins a batch until the batch settles (a destroy waits for it). */
  validationStarted(): void;
  validationFinished(): void;
  verdict(raw: AddonRawResult, header: JwtHeaderInfo | null): Verdict;
}

interface Waiter {
  header: JwtHeaderInfo | null;
  resolve(verdict: Verdict): void;
  reject(reason: Error): void;
}

class OpenBatch {
  readonly tokens: string[] = [];
  readonly waiters: Waiter[] = [];
  sent = false;

  constructor(
    readonly handle: AddonClientHandle,
    readonly scopes: string,
    readonly audience: string | null,
    readonly clockSkew: number,
  ) {}

  takes(handle: AddonClientHandle, scopes: string, audience: string | null, clockSkew: number): boolean {
    return (
      !this.sent &&
      this.tokens.length < ADDON_BATCH_SIZE &&
      this.handle === handle &&
      this.scopes === scopes &&
      this.audience === audience &&
      this.clockSkew === clockSkew
    );
  }
}

export class AddonBatches {
  readonly #owner: AddonBatchOwner;
  #open: OpenBatch | null = null;
  /** Addon calls made and tokens they carried (tests, diagnostics). */
  calls = 0;
  tokens = 0;

  constructor(owner: AddonBatchOwner) {
    this.#owner = owner;
  }

  submit(handle: AddonClientHandle, token: string, scopes: string, audience: string | null, clockSkew: number, header: JwtHeaderInfo | null): Promise<Verdict> {
    let batch = this.#open;
    if (batch === null || !batch.takes(handle, scopes, audience, clockSkew)) {
      const opened = new OpenBatch(handle, scopes, audience, clockSkew);
      batch = opened;
      this.#open = opened;
      queueMicrotask(() => this.#send(opened));
    }
    const target = batch;
    this.#owner.validationStarted();
    const pending = new Promise<Verdict>((resolve, reject) => {
      target.tokens.push(token);
      target.waiters.push({ header, resolve, reject });
    });
    if (target.tokens.length === ADDON_BATCH_SIZE) this.#send(target);
    return pending;
  }

  #send(batch: OpenBatch): void {
    if (batch.sent) return;
    batch.sent = true;
    if (this.#open === batch) this.#open = null;
    const { tokens, waiters } = batch;
    this.calls++;
    this.tokens += tokens.length;
    let pending: Promise<AddonRawResult[]>;
    try {
      pending =
        tokens.length === 1
          ? batch.handle.validate(tokens[0] as string, batch.scopes, batch.audience, batch.clockSkew).then((raw) => [raw])
          : batch.handle.validateBatch(tokens, batch.scopes, batch.audience, batch.clockSkew);
    } catch (error) {
      pending = Promise.reject(error);
    }
    // Nothing may escape these callbacks: their promise is nobody's to handle.
    pending.then(
      (raws) => {
        for (let i = 0; i < waiters.length; i++) {
          const w = waiters[i] as Waiter;
          try {
            this.#owner.validationFinished();
            w.resolve(this.#owner.verdict(raws[i] as AddonRawResult, w.header));
          } catch (error) {
            w.reject(asError(error));
          }
        }
      },
      (error: unknown) => {
        const reason = asError(error);
        for (const w of waiters) {
          try {
            this.#owner.validationFinished();
          } catch {
            // The call's own failure is the answer.
          }
          w.reject(reason);
        }
      },
    );
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
