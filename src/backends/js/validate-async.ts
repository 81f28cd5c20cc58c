import type { JwksSnapshot, ValidationRequest, Verdict } from '../types.js';
import { WorkSharing, type Job } from '../work-sharing.js';
import { validateOnLibuvPool, validateSync } from './pipeline.js';
import { verifyPool } from './verify-pool.js';

/**
 * Awaited JS validations of this process (see work-sharing.ts for the rule). Its drain turns also
 * take in the verify workers' answers, so that the workers need not wake this thread for them.
 */
export const jsWorkSharing = new WorkSharing(undefined, {
  beforeDrain: () => verifyPool.collect(),
  afterDrain: (more) => {
    if (!more) verifyPool.watchAll();
  },
});
verifyPool.followTurns(() => jsWorkSharing.drainPending);

/** Validations on the libuv pool at once, when no verify worker takes them. */
const LIBUV_LIMIT = 64;
let onLibuv = 0;
const leaveLibuv = (): void => {
  onLibuv--;
};

/** One token's validation, wherever it ends up running (a class: no closures per call). */
class JsValidation implements Job<Verdict> {
  constructor(
    readonly token: string,
    readonly request: ValidationRequest,
    readonly snapshot: JwksSnapshot,
    readonly poolClient: number,
  ) {}

  inline(): Verdict {
    return validateSync(this.token, this.request, this.snapshot);
  }

  offload(backlog: number, inProgress: number): Promise<Verdict> | null {
    const viaWorker = verifyPool.submit(this.poolClient, this.token, this.request, this.snapshot, backlog, inProgress);
    if (viaWorker !== null) return viaWorker;
    // While workers run (or start), they alone are the off-thread side: no more threads than cores.
    if (!verifyPool.isOff || onLibuv >= LIBUV_LIMIT) return null;
    onLibuv++;
    return validateOnLibuvPool(this.token, this.request, this.snapshot).finally(leaveLibuv);
  }
}

/**
 * One awaited validation: here when it is the only one in progress (or its turn comes in a
 * budget-sized chunk), else on a verify worker, else on the libuv pool.
 */
export function validateAsync(token: string, request: ValidationRequest, snapshot: JwksSnapshot | null, poolClient: number): Promise<Verdict> {
  // Without keys the answer is an immediate key miss: nothing to share.
  if (snapshot === null) return Promise.resolve(validateSync(token, request, null));
  return jsWorkSharing.run(new JsValidation(token, request, snapshot, poolClient));
}
