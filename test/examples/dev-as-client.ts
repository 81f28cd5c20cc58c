/** A bare OAuth client for tests of the development authorization server: raw requests, no redirects followed. */
import { createHash, randomBytes } from 'node:crypto';
import type { DevAuthorizationServer } from '../../examples/dev-authorization-server/index.js';

export const REDIRECT = 'http://127.0.0.1:9/cb';
export const RESOURCE = 'http://localhost:3001/mcp';

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface TokenResult {
  status: number;
  body: Record<string, unknown>;
}

export function devAsClient(as: DevAuthorizationServer) {
  const register = async (metadata: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(as.registrationEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(metadata),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  /** GET /authorize with the parameters as given (a value of `undefined` leaves the parameter out). */
  const authorize = async (params: Record<string, string | undefined>): Promise<{ status: number; location: URL | null }> => {
    const url = new URL(as.authorizationEndpoint);
    for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
    const response = await fetch(url, { redirect: 'manual' });
    await response.body?.cancel();
    const location = response.headers.get('location');
    return { status: response.status, location: location === null ? null : new URL(location) };
  };

  const token = async (form: Record<string, string | undefined>, headers: Record<string, string> = {}): Promise<TokenResult> => {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(form)) if (value !== undefined) body.set(name, value);
    const response = await fetch(as.tokenEndpoint, { method: 'POST', headers, body });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  /** Registers a public code-flow client for `redirect`. */
  const publicClient = async (redirect = REDIRECT): Promise<string> => {
    const { status, body } = await register({ redirect_uris: [redirect] });
    if (status !== 201) throw new Error(`registration failed: ${status} ${JSON.stringify(body)}`);
    return body.client_id as string;
  };

  /** /authorize with PKCE for `clientId`; returns the code and its verifier (code undefined on an error redirect). */
  const authorizeCode = async (
    clientId: string,
    extra: Record<string, string | undefined> = {},
  ): Promise<{ code: string | undefined; verifier: string; location: URL | null; status: number }> => {
    const { verifier, challenge } = pkce();
    const { status, location } = await authorize({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: REDIRECT,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      resource: RESOURCE,
      ...extra,
    });
    return { code: location?.searchParams.get('code') ?? undefined, verifier, location, status };
  };

  /** The whole code flow: returns the token response. */
  const codeFlow = async (clientId: string, extra: Record<string, string | undefined> = {}): Promise<TokenResult & { code: string }> => {
    const { code, verifier } = await authorizeCode(clientId, extra);
    if (code === undefined) throw new Error('no code issued');
    const result = await token({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT, client_id: clientId });
    return { ...result, code };
  };

  return { register, authorize, token, publicClient, authorizeCode, codeFlow };
}
