/**
 * When an awaited validation may run on the calling thread instead of the libuv pool. A pool round
 * trip costs a sequential caller more CPU than one verification, so work runs inline while nothing
 * of this kind waits on the pool and the current event-loop turn has spent less than the budget
 * inline. Validations started in separate callbacks (one per HTTP request) would otherwise all run
 * inline while the pool is idle; the budget bounds how long one turn can block the loop.
 */
export class InlineBudget {
  readonly #budgetMs: number;
  #offloaded = 0;
  #spentMs = 0;
  #resetPending = false;

  constructor(budgetMs = 0.5) {
    this.#budgetMs = budgetMs;
  }

  mayRunInline(): boolean {
    return this.#offloaded === 0 && this.#spentMs < this.#budgetMs;
  }

  /** Records inline time; the budget refills on the next turn of the event loop. */
  spent(ms: number): void {
    this.#spentMs += ms;
    if (!this.#resetPending) {
      this.#resetPending = true;
      setImmediate(this.#reset);
    }
  }

  /** Counts work handed to the pool until `pending` settles. */
  track<T>(pending: Promise<T>): Promise<T> {
    this.#offloaded++;
    return pending.finally(() => {
      this.#offloaded--;
    });
  }

  readonly #reset = (): void => {
    this.#spentMs = 0;
    this.#resetPending = false;
  };
}
