/**
 * What travels between verify-pool.ts (calling thread) and verify-worker.ts (worker threads) as
 * messages. Tokens and answers do not: they go through shared memory (verify-channel.ts).
 */
import type { JwksSnapshot, ValidationRequest } from '../types.js';
import type { ChannelMemory } from './verify-channel.js';

/** A worker's start-up data: how much to lower its priority, and its end of the channel. */
export interface VerifyWorkerData {
  nice: number;
  channel: ChannelMemory;
}

/**
 * `request`: a ValidationRequest the worker has not seen, under the id records name it by. The
 * worker keeps the last REQUEST_TABLE ids; the pool only names ids that recent (RequestIds), and a
 * record naming a forgotten one is handed back, never answered with another request.
 */
export type ToWorker =
  | { t: 'keys'; client: number; snapshot: JwksSnapshot }
  | { t: 'drop'; client: number }
  | { t: 'request'; id: number; request: ValidationRequest };

/** `ready`: the worker's nice value if it lowered its priority, and its kernel thread id (Linux). */
export type FromWorker = { t: 'ready'; nice: number | null; thread: number | null };

/** Requests a worker remembers, by id modulo this size. */
export const REQUEST_TABLE = 256;

/**
 * The calling thread's side of the request ids of one worker: the same request object keeps its id
 * (callers reuse one request per set of options), a new one gets the next id and must be sent.
 */
export class RequestIds {
  readonly #ids = new Map<ValidationRequest, number>();
  #next = 0;

  /** The request's id, or undefined when the worker has not been sent it (see add). */
  idOf(request: ValidationRequest): number | undefined {
    return this.#ids.get(request);
  }

  /** A new id for `request`: send it to the worker before any record that names it. */
  add(request: ValidationRequest): number {
    const id = this.#next;
    this.#next = (id + 1) % 0x40000000;
    this.#ids.set(request, id);
    // Only the newest half of the worker's table is named. A record gets a new id only when it is
    // written, and at most RECORDS (64) are in flight, so no id named by an unanswered record has
    // had its place in the table taken (REQUEST_TABLE / 2 + RECORDS < REQUEST_TABLE).
    if (this.#ids.size > REQUEST_TABLE / 2) this.#ids.delete(this.#ids.keys().next().value as ValidationRequest);
    return id;
  }
}
