import type { GopherAuthError } from './errors.js';

export interface ValidationResult {
  valid: boolean;
  errorCode: GopherAuthError;
  errorMessage: string | null;
}

/** Claims read from a token WITHOUT verifying it. Never base an access decision on this alone. */
export interface TokenPayload {
  subject: string | null;
  /** Space-separated, from the first of `scope`, `scp` and `scopes` the token carries. */
  scopes: string;
  /** A string, or the array joined with spaces; null when absent. */
  audience: string | null;
  /** `exp` in seconds since the epoch; null when absent or not a number. */
  expiration: number | null;
  issuer: string | null;
  /** Every top-level claim as parsed. */
  claims: Record<string, unknown>;
}
