import type { BackendClient, JwksSnapshot, ValidationRequest, Verdict } from '../types.js';
import { validateAsync, validateSync } from './pipeline.js';

/** Per-GopherAuthClient state of the JS backend: just the current key snapshot (keys import lazily). */
export class JsBackendClient implements BackendClient {
  readonly backend = 'js' as const;
  #snapshot: JwksSnapshot | null = null;
  #destroyed = false;

  setKeys(snapshot: JwksSnapshot): void {
    if (!this.#destroyed) this.#snapshot = snapshot;
  }

  validateSync(token: string, request: ValidationRequest): Verdict {
    this.#assertLive();
    return validateSync(token, request, this.#snapshot);
  }

  validate(token: string, request: ValidationRequest): Promise<Verdict> {
    this.#assertLive();
    return validateAsync(token, request, this.#snapshot);
  }

  destroy(): void {
    this.#destroyed = true;
    this.#snapshot = null;
  }

  #assertLive(): void {
    if (this.#destroyed) throw new Error('JS backend client used after destroy()');
  }
}
