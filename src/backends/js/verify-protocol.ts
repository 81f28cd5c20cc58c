/** Messages between verify-pool.ts (calling thread) and verify-worker.ts (worker threads). */
import type { JwksSnapshot, ValidationRequest, Verdict } from '../types.js';

/**
 * A batch travels as one string and a few small arrays: structured cloning eight token strings, a
 * client per token and the request object costs the sending thread about twice as much, and the
 * receiving thread as much again.
 */
export interface ValidateBatch {
  t: 'validate';
  batch: number;
  /** The batch's tokens, concatenated; lengths[i] is the length of the i-th. */
  text: string;
  lengths: number[];
  /** The pool client of every token, or one per token when they differ. */
  clients: number | number[];
  /** Distinct requests of the batch; null: the same list as the previous batch sent to this worker. */
  requests: ValidationRequest[] | null;
  /** requestOf[i] indexes requests for the i-th token; null: every token uses requests[0]. */
  requestOf: number[] | null;
}

export type ToWorker = { t: 'keys'; client: number; snapshot: JwksSnapshot } | { t: 'drop'; client: number } | ValidateBatch;

/** A verdict on the wire: VALID as a number, NO_KEYS when the worker cannot decide, else the verdict. */
export type VerdictWire = typeof VALID_WIRE | typeof NO_KEYS | Verdict;
export const VALID_WIRE = 0;
export const NO_KEYS = 1;

/** `ready`: the worker's nice value if it lowered its priority, and its kernel thread id (Linux). */
export type FromWorker = { t: 'ready'; nice: number | null; thread: number | null } | { t?: undefined; batch: number; verdicts: VerdictWire[] };
