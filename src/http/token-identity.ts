/**
 * What AuthInfo takes from a token's claims (client id, scopes, expiry, the claims), decoded once per
 * token: an MCP client sends the same bearer token on every request, and decoding it again cost more
 * per request than the cached verdict (bench/http.ts, CPU profile). The claims are frozen, deep, and
 * shared by every request with that token. Validity is never cached here: the gate asks the client
 * for a verdict on every request first.
 */
import { isScopeToken, readTokenScopes } from '../core/scopes.js';
import type { TokenPayload } from '../core/result.js';
import type { TokenClient } from './config.js';

export interface TokenIdentity {
  readonly clientId: string;
  readonly scopes: readonly string[];
  /** `exp`, or null when the token has no numeric exp. */
  readonly expiresAt: number | null;
  readonly claims: Readonly<Record<string, unknown>>;
}

/** Tokens remembered at once; the oldest is forgotten first. */
const MAX_ENTRIES = 1000;
/** Longer tokens are decoded every time, so the memory held stays small whatever arrives. */
const MAX_TOKEN_LENGTH = 8192;

export class TokenIdentities {
  readonly #entries = new Map<string, TokenIdentity | null>();

  /** The identity in `token` (already validated by the caller), or null when it cannot be decoded. */
  of(token: string, client: Pick<TokenClient, 'extractPayload'>): TokenIdentity | null {
    const known = this.#entries.get(token);
    if (known !== undefined) return known;
    const identity = decode(token, client);
    if (token.length <= MAX_TOKEN_LENGTH) {
      if (this.#entries.size >= MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value as string);
      this.#entries.set(token, identity);
    }
    return identity;
  }

  clear(): void {
    this.#entries.clear();
  }
}

function decode(token: string, client: Pick<TokenClient, 'extractPayload'>): TokenIdentity | null {
  // A custom client's decoder is checked like input: AuthInfo promises a number or nothing for exp.
  const payload = client.extractPayload(token) as TokenPayload | null | undefined;
  if (payload === null || typeof payload !== 'object') return null;
  if (payload.claims === null || typeof payload.claims !== 'object' || Array.isArray(payload.claims)) return null;
  const claims = deepFreeze(payload.claims);
  return Object.freeze({
    clientId: stringClaim(claims, 'client_id') ?? stringClaim(claims, 'azp') ?? '',
    // Read from the claims exactly as validation reads them: joining and splitting again would turn
    // an scp entry like "mcp:read mcp:admin" (one malformed scope) into two granted scopes.
    // Only scope-tokens, as extractPayload's `scopes`: a malformed entry matches no rule anyway.
    scopes: Object.freeze(readTokenScopes(claims as Record<string, unknown>).filter(isScopeToken)),
    expiresAt: typeof payload.expiration === 'number' && Number.isFinite(payload.expiration) ? payload.expiration : null,
    claims,
  });
}

function stringClaim(claims: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = claims[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Freezes `value` and everything in it, iteratively: claims can nest deeper than the call stack. */
function deepFreeze<T>(value: T): T {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (next === null || typeof next !== 'object' || Object.isFrozen(next)) continue;
    Object.freeze(next);
    for (const member of Object.values(next as Record<string, unknown>)) pending.push(member);
  }
  return value;
}
