import { decodeBase64urlText, isScopeToken, parseJsonObject, readTokenScopes } from '../backends/js/index.js';
import type { TokenPayload } from './result.js';

/**
 * Reads a token's claims WITHOUT verifying anything: no signature, no expiry, no issuer. Anyone can
 * forge what this returns. Use it for logging or routing after validation, never for access decisions.
 * Returns null when the token is not a three-segment JWS with a strict JSON-object payload
 * (duplicate claim names included).
 */
export function extractTokenPayload(token: string): TokenPayload | null {
  if (typeof token !== 'string') return null;
  const segments = token.split('.');
  if (segments.length !== 3 || segments.some((s) => s.length === 0)) return null;
  const text = decodeBase64urlText(segments[1] as string);
  if (text === null) return null;
  const parsed = parseJsonObject(text);
  if (!parsed.ok) return null;
  const claims = parsed.value;
  return {
    subject: typeof claims.sub === 'string' ? claims.sub : null,
    // Only well-formed scopes: joined by spaces, `scp: ["a b"]` (one malformed scope) would read as two.
    scopes: readTokenScopes(claims).filter(isScopeToken).join(' '),
    audience: audienceText(claims.aud),
    expiration: typeof claims.exp === 'number' && Number.isFinite(claims.exp) ? claims.exp : null,
    issuer: typeof claims.iss === 'string' ? claims.iss : null,
    claims,
  };
}

function audienceText(aud: unknown): string | null {
  if (typeof aud === 'string') return aud;
  if (Array.isArray(aud)) {
    const list = aud.filter((a): a is string => typeof a === 'string');
    return list.length > 0 ? list.join(' ') : null;
  }
  return null;
}
