import { GopherAuthError, getErrorDescription } from './errors.js';

/**
 * A verdict. `valid` tells the two shapes apart, so after `if (!result.valid)` TypeScript knows
 * `errorMessage` is a string and `errorCode` a failure code.
 */
export type ValidationResult = ValidResult | InvalidResult;

export interface ValidResult {
  valid: true;
  errorCode: GopherAuthError.SUCCESS;
  errorMessage: null;
}

export interface InvalidResult {
  valid: false;
  errorCode: Exclude<GopherAuthError, GopherAuthError.SUCCESS>;
  errorMessage: string;
}

/**
 * Every result is built here, so the shapes hold at run time too: valid only with SUCCESS, and a
 * refusal always has a failure code and a message.
 */
export function validationResult(valid: boolean, code: GopherAuthError, message: string | null): ValidationResult {
  if (valid && code === GopherAuthError.SUCCESS) return { valid: true, errorCode: GopherAuthError.SUCCESS, errorMessage: null };
  const failure = code === GopherAuthError.SUCCESS ? GopherAuthError.INTERNAL_ERROR : code;
  return { valid: false, errorCode: failure, errorMessage: message ?? getErrorDescription(failure) };
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
