import { GopherAuthError } from '../codes.js';
import type { Verdict } from '../types.js';

export const VALID: Verdict = Object.freeze({ valid: true, code: GopherAuthError.SUCCESS, message: null });

export function reject(code: GopherAuthError, message: string): Verdict {
  return { valid: false, code, message };
}

export const invalidToken = (message: string): Verdict => reject(GopherAuthError.INVALID_TOKEN, message);

export function keyMiss(kid: string | null): Verdict {
  return {
    valid: false,
    code: GopherAuthError.INVALID_KEY,
    message: kid === null ? 'No valid signing key found' : `No key found with kid: ${kid}`,
    keyMiss: { kid },
  };
}

export const signatureFailed = (message = 'JWT signature verification failed'): Verdict =>
  reject(GopherAuthError.INVALID_SIGNATURE, message);
