import { GopherAuthError, getErrorDescription } from '../codes.js';

/** Misuse or failure of the native backend (never a token verdict). Core may wrap it. */
export class NativeBackendError extends Error {
  readonly code: GopherAuthError;

  constructor(code: GopherAuthError, message?: string) {
    super(message ?? getErrorDescription(code));
    this.name = 'NativeBackendError';
    this.code = code;
  }
}
