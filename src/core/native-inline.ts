import { InlineBudget } from '../backends/inline-budget.js';

/**
 * Awaited native validations of this process. A pool round trip costs a sequential caller more
 * CPU than the native validation itself (two thread wake-ups per token), so the same rule as the
 * JS backend's inline verify applies: inline while no native validation waits on the pool and the
 * turn's budget lasts; concurrent callers still use every core.
 */
export const nativeInline = new InlineBudget();
