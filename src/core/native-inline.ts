/**
 * When an awaited native validation may run on the calling thread. A thread-pool round trip costs a
 * sequential caller more CPU than the validation itself (two thread wake-ups per token), so, like the
 * JS backend's inline verify, a native validation runs synchronously while no other native
 * validation of this process is waiting on the pool and the current event-loop turn has spent less
 * than INLINE_BUDGET_MS on inline validations. Concurrent callers still go to the pool (every core),
 * and a turn that starts many validations blocks the loop for at most about the budget.
 */
const INLINE_BUDGET_MS = 0.5;
let offloaded = 0;
let spentMs = 0;
let resetPending = false;

const resetBudget = (): void => {
  spentMs = 0;
  resetPending = false;
};

export function mayRunNativeInline(): boolean {
  return offloaded === 0 && spentMs < INLINE_BUDGET_MS;
}

export function spentNativeInline(ms: number): void {
  spentMs += ms;
  if (!resetPending) {
    resetPending = true;
    setImmediate(resetBudget);
  }
}

/** Counts a validation handed to the pool until `pending` settles. */
export function trackNativeOffload<T>(pending: Promise<T>): Promise<T> {
  offloaded++;
  return pending.then(
    (value) => {
      offloaded--;
      return value;
    },
    (error: unknown) => {
      offloaded--;
      throw error;
    },
  );
}
