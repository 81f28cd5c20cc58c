import { GopherAuthError, GopherAuthException } from './errors.js';

export const DEFAULT_CLOCK_SKEW_SECONDS = 60;

/** Per-call validation requirements; mirrors `gopher_auth_validation_options_*`. Chainable. */
export class GopherValidationOptions {
  #scopes: readonly string[] = Object.freeze([]);
  #audience: string | undefined;
  #clockSkew: number | undefined;
  #destroyed = false;

  /** Required scopes: an array, or one space-separated string. All must be present. */
  setScopes(scopes: readonly string[] | string): this {
    this.#assertLive();
    if (typeof scopes !== 'string' && !Array.isArray(scopes)) {
      throw new GopherAuthException(GopherAuthError.INVALID_PARAMETER, 'scopes must be an array of strings or one space-separated string');
    }
    const list = typeof scopes === 'string' ? scopes.split(/\s+/) : [...scopes];
    for (const s of list) {
      if (typeof s !== 'string') throw new GopherAuthException(GopherAuthError.INVALID_PARAMETER, 'scopes must be strings');
    }
    // Frozen: the getter hands out this array, and a token cache remembers options by its identity.
    this.#scopes = Object.freeze(list.filter((s) => s.length > 0));
    return this;
  }

  setAudience(audience: string): this {
    this.#assertLive();
    if (typeof audience !== 'string') {
      throw new GopherAuthException(GopherAuthError.INVALID_PARAMETER, 'audience must be a string');
    }
    this.#audience = audience === '' ? undefined : audience;
    return this;
  }

  /** Leeway in whole seconds for exp and nbf. Negative values are rejected, as natively. */
  setClockSkew(seconds: number): this {
    this.#assertLive();
    if (!Number.isInteger(seconds) || seconds < 0) {
      throw new GopherAuthException(
        GopherAuthError.INVALID_PARAMETER,
        `clock skew must be a non-negative integer number of seconds, got ${String(seconds)}`,
      );
    }
    this.#clockSkew = seconds;
    return this;
  }

  get scopes(): readonly string[] {
    this.#assertLive();
    return this.#scopes;
  }

  get audience(): string | undefined {
    this.#assertLive();
    return this.#audience;
  }

  /** The configured skew, or undefined when unset (validation then uses the client's `clockSkew`, default 60 s). */
  get clockSkew(): number | undefined {
    this.#assertLive();
    return this.#clockSkew;
  }

  isDestroyed(): boolean {
    return this.#destroyed;
  }

  /** Idempotent. */
  destroy(): void {
    this.#destroyed = true;
  }

  [Symbol.dispose](): void {
    this.destroy();
  }

  #assertLive(): void {
    if (this.#destroyed) {
      throw new GopherAuthException(GopherAuthError.INVALID_PARAMETER, 'GopherValidationOptions used after destroy()');
    }
  }
}

export function gopherCreateValidationOptions(init: {
  scopes?: readonly string[] | string;
  audience?: string;
  clockSkew?: number;
} = {}): GopherValidationOptions {
  const options = new GopherValidationOptions();
  if (init.scopes !== undefined) options.setScopes(init.scopes);
  if (init.audience !== undefined) options.setAudience(init.audience);
  options.setClockSkew(init.clockSkew ?? 30);
  return options;
}
