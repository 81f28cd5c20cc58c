/**
 * What a refused token said, next to what the gate expected, for the `reason` of logs and
 * onAuthFailure (never the response): "Invalid issuer" alone does not tell a `localhost` from a
 * `127.0.0.1`, a trailing slash, or a token meant for another server. The claims are read without
 * verification and say so; `reason` is escaped and cut where it is made (errors.ts).
 */
import { GopherAuthError } from '../core/errors.js';
import { sameIssuer } from '../core/metadata.js';
import { extractTokenPayload } from '../core/payload.js';

export function refusalDetail(code: GopherAuthError, token: string, expected: { issuer: string; audience: string }, nowMs = Date.now()): string {
  if (code !== GopherAuthError.INVALID_ISSUER && code !== GopherAuthError.INVALID_AUDIENCE && code !== GopherAuthError.EXPIRED_TOKEN && code !== GopherAuthError.INVALID_KEY && code !== GopherAuthError.INVALID_TOKEN) {
    return '';
  }
  let payload;
  try {
    payload = extractTokenPayload(token);
  } catch {
    return ''; // nested past what can be parsed: the refusal stands without the detail
  }
  if (payload === null) return '';
  const claims = payload.claims;
  switch (code) {
    case GopherAuthError.INVALID_ISSUER:
      return ` (token iss ${describeClaim(claims.iss)}, unverified; expected ${JSON.stringify(expected.issuer)})`;
    case GopherAuthError.INVALID_AUDIENCE:
      return ` (token aud ${describeClaim(claims.aud)}, unverified; expected ${JSON.stringify(expected.audience)})`;
    case GopherAuthError.EXPIRED_TOKEN:
      return typeof claims.exp === 'number' ? ` (token exp ${isoSeconds(claims.exp)}, unverified; server time ${new Date(nowMs).toISOString()})` : '';
    case GopherAuthError.INVALID_TOKEN:
      return typeof claims.nbf === 'number' && claims.nbf * 1000 > nowMs ? ` (token nbf ${isoSeconds(claims.nbf)}, unverified; server time ${new Date(nowMs).toISOString()})` : '';
    default:
      // No key for its kid: often a token from another issuer, whose keys these never were.
      return typeof claims.iss === 'string' && !sameIssuer(claims.iss, expected.issuer)
        ? ` (token iss ${JSON.stringify(claims.iss)}, unverified, is not the configured issuer ${JSON.stringify(expected.issuer)})`
        : '';
  }
}

/**
 * A claim as the reason quotes it, without walking it: a validator that refuses a token before its
 * signature (a custom client) leaves these claims to whoever wrote the token, nested 20,000 deep or
 * a million entries long.
 */
export function describeClaim(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) {
    if (value.length <= MAX_QUOTED_ENTRIES && value.every((entry) => typeof entry === 'string')) return JSON.stringify(value);
    return `an array of ${value.length} entries`;
  }
  return value === undefined ? 'absent' : `an ${typeof value}`;
}

const MAX_QUOTED_ENTRIES = 8;

function isoSeconds(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? String(seconds) : date.toISOString();
}
