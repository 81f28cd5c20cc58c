/** Messages between verify-pool.ts (calling thread) and verify-worker.ts (worker threads). */
import type { JwksSnapshot, ValidationRequest, Verdict } from '../types.js';

export type ToWorker =
  | { t: 'keys'; client: number; snapshot: JwksSnapshot }
  | { t: 'drop'; client: number }
  | {
      t: 'validate';
      batch: number;
      clients: number[];
      tokens: string[];
      /** Distinct requests of the batch; requestOf[i] indexes the one for tokens[i]. */
      requests: ValidationRequest[];
      requestOf: number[];
    };

/** A verdict on the wire: VALID as a number, NO_KEYS when the worker cannot decide, else the verdict. */
export type VerdictWire = typeof VALID_WIRE | typeof NO_KEYS | Verdict;
export const VALID_WIRE = 0;
export const NO_KEYS = 1;

export type FromWorker = { t: 'ready' } | { t?: undefined; batch: number; verdicts: VerdictWire[] };
