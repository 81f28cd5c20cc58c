import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { KeyRing } from './key-ring.js';

export interface IssueTokenParams {
  /** `sub`; defaults to the client id (a machine token). */
  subject?: string;
  /** Space-separated scopes (the `scope` claim). */
  scope?: string;
  /** `aud`: one resource URI or several. */
  audience?: string | string[];
  clientId?: string;
  /** Lifetime in seconds (negative gives an already expired token, for tests). Default: the server's TTL. */
  expiresIn?: number;
  /** Extra claims, added after the standard ones (cannot override them). */
  claims?: Record<string, unknown>;
}

/** Signs an RS256 access token (RFC 9068 `at+jwt`) with the key ring's current key. */
export async function signAccessToken(
  keys: KeyRing,
  issuer: string,
  defaultTtl: number,
  params: IssueTokenParams,
): Promise<{ token: string; expiresIn: number }> {
  const now = Math.floor(Date.now() / 1000);
  const expiresIn = params.expiresIn ?? defaultTtl;
  const clientId = params.clientId ?? 'dev-direct';
  const { kid, privateKey } = keys.signer;
  // Standard claims first, extras after: a claim is never shadowed by a custom one of the same name.
  const payload: Record<string, unknown> = {
    iss: issuer,
    sub: params.subject ?? clientId,
    ...(params.audience === undefined ? {} : { aud: params.audience }),
    exp: now + expiresIn,
    iat: now,
    scope: params.scope ?? '',
    client_id: clientId,
    jti: randomUUID(),
  };
  for (const [name, value] of Object.entries(params.claims ?? {})) {
    if (!(name in payload)) payload[name] = value;
  }
  const token = await new SignJWT(payload).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid }).sign(privateKey);
  return { token, expiresIn };
}
