import { GopherAuthError, getErrorDescription, isGopherAuthError, ERROR_TEXT } from '../backends/codes.js';
import { brandedInstanceOf, markBrand } from './brand.js';

export { GopherAuthError, getErrorDescription, isGopherAuthError, ERROR_TEXT };

const BRAND = Symbol.for('gopher-auth.GopherAuthException');

/** Thrown for misuse (use after destroy, bad configuration, unavailable backend); never for a bad token. */
export class GopherAuthException extends Error {
  readonly code: GopherAuthError;

  constructor(code: GopherAuthError, message?: string, options?: { cause?: unknown }) {
    super(message ?? getErrorDescription(code), options);
    this.name = 'GopherAuthException';
    this.code = code;
    markBrand(this, BRAND);
  }

  /** True for exceptions of either bundle (ESM or CJS) of this package, see brand.ts. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return brandedInstanceOf(GopherAuthException, this, BRAND, value);
  }
}
