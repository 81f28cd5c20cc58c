import type { BackendClient, JwksSnapshot, ValidationRequest, Verdict } from '../types.js';
import { validateSync } from './pipeline.js';
import { validateAsync } from './validate-async.js';
import { verifyPool } from './verify-pool.js';

/** A client dropped without destroy() must not leave its keys in the verify workers. */
const abandoned = new FinalizationRegistry<number>((poolClient) => verifyPool.drop(poolClient));

/** Per-GopherAuthClient state of the JS backend: just the current key snapshot (keys import lazily). */
export class JsBackendClient implements BackendClient {
  readonly backend = 'js' as const;
  readonly #poolClient = verifyPool.register();
  #snapshot: JwksSnapshot | null = null;
  #destroyed = false;

  constructor() {
    abandoned.register(this, this.#poolClient, this);
  }

  setKeys(snapshot: JwksSnapshot): void {
    if (this.#destroyed) return;
    this.#snapshot = snapshot;
    verifyPool.setKeys(this.#poolClient, snapshot);
  }

  validateSync(token: string, request: ValidationRequest): Verdict {
    this.#assertLive();
    return validateSync(token, request, this.#snapshot);
  }

  validate(token: string, request: ValidationRequest): Promise<Verdict> {
    this.#assertLive();
    return validateAsync(token, request, this.#snapshot, this.#poolClient);
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#snapshot = null;
    abandoned.unregister(this);
    verifyPool.drop(this.#poolClient);
  }

  #assertLive(): void {
    if (this.#destroyed) throw new Error('JS backend client used after destroy()');
  }
}
