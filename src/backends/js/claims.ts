import { GopherAuthError } from '../codes.js';
import type { ValidationRequest, Verdict } from '../types.js';
import { numericDate, type ParsedToken } from './token.js';
import { readTokenScopes } from './scopes.js';
import { VALID, invalidToken, reject } from './verdicts.js';

/** Checks after the signature, in the native order: exp → nbf → iss → aud → scopes. */
export function checkClaims(parsed: ParsedToken, request: ValidationRequest): Verdict {
  const now = request.now ?? Math.floor(Date.now() / 1000);
  const skew = request.clockSkew;
  const claims = parsed.claims;

  // RFC 7519 §4.1.4: not accepted on or after exp (the native library still accepts at exp + skew).
  if (now >= parsed.exp + skew) return reject(GopherAuthError.EXPIRED_TOKEN, 'JWT has expired');

  if (claims.nbf !== undefined) {
    if (numericDate(claims.nbf) === null) return invalidToken("JWT payload has an invalid 'nbf' claim");
    // A fractional nbf counts from its next whole second: `now` is whole seconds, rounded down.
    if (now + skew < Math.ceil(claims.nbf as number)) return invalidToken('JWT not yet valid (nbf)');
  }

  // iat is not compared with the clock, but one that is not a number makes a malformed claim set (RFC 7519 §4.1.6).
  if (claims.iat !== undefined && (typeof claims.iat !== 'number' || !Number.isFinite(claims.iat))) {
    return invalidToken("JWT payload has an invalid 'iat' claim");
  }
  const maxAge = request.maxTokenAge;
  if (maxAge !== undefined) {
    if (claims.iat === undefined) return invalidToken("JWT payload missing 'iat' claim");
    const iat = claims.iat as number;
    if (iat > now + skew) return invalidToken('JWT issued in the future (iat)');
    if (now - iat > maxAge + skew) return reject(GopherAuthError.EXPIRED_TOKEN, 'JWT is older than maxTokenAge');
  }

  if (!issuerMatches(claims.iss as string, request.issuer)) return reject(GopherAuthError.INVALID_ISSUER, 'Invalid issuer');

  if (request.audience !== undefined && request.audience !== '' && !audienceMatches(claims.aud, request.audience)) {
    return reject(GopherAuthError.INVALID_AUDIENCE, 'Invalid audience');
  }

  const required = request.scopes;
  if (required !== undefined && required.length > 0) {
    const granted = new Set(readTokenScopes(claims));
    if (!required.every((s) => granted.has(s))) return reject(GopherAuthError.INSUFFICIENT_SCOPE, 'Insufficient scope');
  }
  return VALID;
}

/** Exact comparison, ignoring one trailing `/` on either side. */
export function issuerMatches(actual: string, expected: string): boolean {
  return stripOneSlash(actual) === stripOneSlash(expected);
}

function stripOneSlash(value: string): string {
  return value.endsWith('/') ? value.slice(0, -1) : value;
}

function audienceMatches(aud: unknown, expected: string): boolean {
  if (typeof aud === 'string') return aud === expected;
  return Array.isArray(aud) && aud.includes(expected);
}
