import { GopherAuthError, getErrorDescription, isGopherAuthError, ERROR_TEXT } from '../backends/codes.js';

export { GopherAuthError, getErrorDescription, isGopherAuthError, ERROR_TEXT };

/** Thrown for misuse (use after destroy, bad configuration, unavailable backend); never for a bad token. */
export class GopherAuthException extends Error {
  readonly code: GopherAuthError;

  constructor(code: GopherAuthError, message?: string, options?: { cause?: unknown }) {
    super(message ?? getErrorDescription(code), options);
    this.name = 'GopherAuthException';
    this.code = code;
  }
}
