/**
 * Where an awaited validation runs: on the calling thread now, on it in a later event-loop turn, or
 * off-thread. One instance per kind of work (JS verification, native calls).
 *
 * - A caller with nothing else in progress (one validation at a time) always runs on this thread:
 *   a thread hop costs it more than the work. Past the turn's budget its work waits for the next
 *   turn (setImmediate), so other callbacks run in between.
 * - With several validations in progress, they go off-thread while the off-thread side has room,
 *   and the rest run here in budget-sized chunks, one chunk per turn. Both cores work, and no more
 *   threads are runnable than there are cores, so the event loop is not starved by its own helpers.
 */
/**
 * Inline work per event-loop turn. A turn that validates also answers the batches and workers that
 * finished, and now and then takes a young-generation GC (about 1 ms): with 0.5 ms of validations
 * per turn the event-loop delay p99 sat at 1.9–2.3 ms with 64 in flight, each followed by a return
 * to the event loop (bench/run.ts --loop-only); with 0.25 ms, 1.6–1.9 ms, and more validations done
 * in that scenario (native +10–30 %, js +15–25 %: finished off-thread work is taken in sooner).
 * Throughput with nothing else on the loop was the same (bench/validate.ts, interleaved runs).
 */
export const DEFAULT_TURN_BUDGET_MS = 0.25;

export interface Job<T> {
  /** Does the work on this thread, now. */
  inline(): T;
  /**
   * Starts the work off this thread, or returns null when the off-thread side has no room.
   * `backlog`: validations waiting for this thread; `inProgress`: validations accepted and not yet
   * answered, this one included — so the off-thread side takes a fair share and no more.
   */
  offload(backlog: number, inProgress: number): Promise<T> | null;
}

interface Waiting<T> {
  job: Job<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

export interface WorkSharingStats {
  inline: number;
  deferred: number;
  offloaded: number;
}

/** Work that rides on the drain turns (verify-pool.ts collects its workers' answers there). */
export interface DrainHooks {
  /** At the start of each drain turn. */
  beforeDrain?(): void;
  /** At the end of each drain turn; `more`: another one is scheduled. */
  afterDrain?(more: boolean): void;
}

export class WorkSharing {
  readonly #budgetMs: number;
  #spentMs = 0;
  #resetPending = false;
  /** Validations accepted and not answered yet (queued, running here, or off-thread). */
  #active = 0;
  #queue: Waiting<unknown>[] = [];
  #head = 0;
  #drainPending = false;
  readonly #stats: WorkSharingStats = { inline: 0, deferred: 0, offloaded: 0 };

  readonly #hooks: DrainHooks;

  constructor(budgetMs = DEFAULT_TURN_BUDGET_MS, hooks: DrainHooks = {}) {
    this.#budgetMs = budgetMs;
    this.#hooks = hooks;
  }

  /** A drain turn (this thread's share of the backlog) is scheduled. */
  get drainPending(): boolean {
    return this.#drainPending;
  }

  run<T>(job: Job<T>): Promise<T> {
    this.#active++;
    if (this.#active > 1) {
      const pending = this.#tryOffload(job);
      if (pending !== null) return pending;
    }
    if (this.#waiting() === 0 && this.#spentMs < this.#budgetMs) {
      try {
        return Promise.resolve(this.#runHere(job));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    this.#stats.deferred++;
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ job, resolve, reject } as Waiting<unknown>);
      this.#scheduleDrain();
    });
  }

  stats(): WorkSharingStats {
    return { ...this.#stats };
  }

  /** Runs `job` here and books its time against this turn's budget. Throws what the job throws. */
  #runHere<T>(job: Job<T>): T {
    const started = performance.now();
    try {
      this.#stats.inline++;
      return job.inline();
    } finally {
      this.#active--;
      this.#spend(performance.now() - started);
    }
  }

  #tryOffload<T>(job: Job<T>): Promise<T> | null {
    let pending: Promise<T> | null;
    try {
      pending = job.offload(this.#waiting(), this.#active);
    } catch {
      pending = null;
    }
    if (pending === null) return null;
    this.#stats.offloaded++;
    // then() rather than finally(): one promise and one microtask per offloaded validation.
    return pending.then(this.#leave, this.#leaveWithError) as Promise<T>;
  }

  readonly #leave = <T>(value: T): T => {
    this.#active--;
    return value;
  };

  readonly #leaveWithError = (error: unknown): never => {
    this.#active--;
    throw error;
  };

  #waiting(): number {
    return this.#queue.length - this.#head;
  }

  #spend(ms: number): void {
    this.#spentMs += ms;
    if (!this.#resetPending) {
      this.#resetPending = true;
      setImmediate(this.#reset);
    }
  }

  readonly #reset = (): void => {
    this.#spentMs = 0;
    this.#resetPending = false;
  };

  #scheduleDrain(): void {
    if (this.#drainPending) return;
    this.#drainPending = true;
    setImmediate(this.#drain);
  }

  /** One budget-sized chunk of the queue per turn; offloading first while there is room. */
  readonly #drain = (): void => {
    this.#drainPending = false;
    this.#spentMs = 0;
    try {
      this.#hooks.beforeDrain?.();
    } catch {
      // A hook that throws must not leave the queue undrained.
    }
    while (this.#waiting() > 0 && this.#spentMs < this.#budgetMs) {
      const item = this.#queue[this.#head] as Waiting<unknown>;
      this.#queue[this.#head++] = undefined as never;
      const offloaded = this.#active > 1 ? this.#tryOffload(item.job) : null;
      if (offloaded !== null) {
        offloaded.then(item.resolve, item.reject);
        continue;
      }
      try {
        item.resolve(this.#runHere(item.job));
      } catch (error) {
        item.reject(error);
      }
    }
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    if (this.#waiting() > 0) this.#scheduleDrain();
    try {
      this.#hooks.afterDrain?.(this.#drainPending);
    } catch {
      // As above.
    }
  };
}
