import { createHash, randomBytes } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevAuthorizationServer, type DevAuthorizationServer } from '../../examples/dev-authorization-server/index.js';

const REDIRECT = 'http://127.0.0.1:9/cb';
const RESOURCE = 'http://localhost:3001/mcp';

let as: DevAuthorizationServer;
beforeAll(async () => {
  as = await startDevAuthorizationServer({ adminRoutes: true });
});
afterAll(async () => {
  await as.close();
});

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

async function register(body: Record<string, unknown>): Promise<Response> {
  return fetch(as.registrationEndpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function publicClient(scope?: string): Promise<{ client_id: string }> {
  const response = await register({ redirect_uris: [REDIRECT], ...(scope ? { scope } : {}) });
  expect(response.status).toBe(201);
  return (await response.json()) as { client_id: string };
}

async function authorize(params: Record<string, string>): Promise<URL> {
  const url = new URL(as.authorizationEndpoint);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const response = await fetch(url, { redirect: 'manual' });
  expect(response.status).toBe(302);
  return new URL(response.headers.get('location') as string);
}

async function token(form: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(as.tokenEndpoint, { method: 'POST', headers, body: new URLSearchParams(form) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function codeFlow(clientId: string, scope: string, resource = RESOURCE): Promise<Record<string, unknown>> {
  const { verifier, challenge } = pkce();
  const back = await authorize({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    scope,
    resource,
    state: 's1',
  });
  const code = back.searchParams.get('code');
  expect(code).not.toBeNull();
  const result = await token({ grant_type: 'authorization_code', code: code as string, code_verifier: verifier, redirect_uri: REDIRECT, client_id: clientId });
  expect(result.status).toBe(200);
  return result.body;
}

async function verify(accessToken: string, audience: string) {
  const jwks = (await (await fetch(as.jwksUri)).json()) as Parameters<typeof createLocalJWKSet>[0];
  return jwtVerify(accessToken, createLocalJWKSet(jwks), { issuer: as.issuer, audience, algorithms: ['RS256'] });
}

describe('development authorization server', () => {
  it('serves RFC 8414 metadata whose issuer is its own origin', async () => {
    const response = await fetch(`${as.url}/.well-known/oauth-authorization-server`);
    const md = (await response.json()) as Record<string, unknown>;
    expect(md.issuer).toBe(new URL(as.url).origin);
    expect(md.code_challenge_methods_supported).toEqual(['S256']);
    expect(md.jwks_uri).toBe(as.jwksUri);
    expect(md.registration_endpoint).toBe(as.registrationEndpoint);
    expect(md.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials']));
  });

  it('answers browser preflights for the headers MCP clients send, and lets scripts read its challenges', async () => {
    const metadata = `${as.url}/.well-known/oauth-authorization-server`;
    const pre = await fetch(metadata, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'mcp-protocol-version' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-headers')?.split(', ')).toEqual(expect.arrayContaining(['MCP-Protocol-Version', 'Authorization', '*']));
    const { token_endpoint: tokenEndpoint } = (await (await fetch(metadata)).json()) as { token_endpoint: string };
    const token = await fetch(tokenEndpoint, { method: 'POST', headers: { origin: 'https://app.example', 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials&client_id=nobody&client_secret=x' });
    expect(token.status).toBe(401);
    expect(token.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect(token.headers.get('access-control-expose-headers')).toBe('WWW-Authenticate');
  });

  it('runs authorization_code + PKCE with automatic consent; resource becomes aud; RS256 with the required claims', async () => {
    const client = await publicClient();
    const body = await codeFlow(client.client_id, 'mcp:read');
    expect(body.token_type).toBe('Bearer');
    expect(body.scope).toBe('mcp:read');
    const { payload, protectedHeader } = await verify(body.access_token as string, RESOURCE);
    expect(protectedHeader.alg).toBe('RS256');
    expect(protectedHeader.kid).toBe(as.currentKid);
    expect(payload).toMatchObject({ iss: as.issuer, sub: 'dev-user', aud: RESOURCE, scope: 'mcp:read', client_id: client.client_id });
    expect(typeof payload.exp).toBe('number');
    expect(typeof payload.iat).toBe('number');
  });

  it('redirects back with state and iss, and uses login_hint as the subject', async () => {
    const client = await publicClient();
    const { verifier, challenge } = pkce();
    const back = await authorize({
      response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT, code_challenge: challenge,
      code_challenge_method: 'S256', state: 'xyz', resource: RESOURCE, login_hint: 'alice',
    });
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect(back.searchParams.get('state')).toBe('xyz');
    expect(back.searchParams.get('iss')).toBe(as.issuer);
    const exchanged = await token({
      grant_type: 'authorization_code', code: back.searchParams.get('code') as string, code_verifier: verifier,
      redirect_uri: REDIRECT, client_id: client.client_id,
    });
    expect(decodeJwt(exchanged.body.access_token as string).sub).toBe('alice');
  });

  it('refuses plain or missing PKCE, and never redirects to an unregistered redirect_uri', async () => {
    const client = await publicClient();
    const base = { response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT, resource: RESOURCE };
    const plain = await authorize({ ...base, code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' });
    expect(plain.searchParams.get('error')).toBe('invalid_request');
    expect(plain.searchParams.get('code')).toBeNull();
    const none = await authorize(base);
    expect(none.searchParams.get('error')).toBe('invalid_request');

    const url = new URL(as.authorizationEndpoint);
    for (const [k, v] of Object.entries({ ...base, redirect_uri: 'http://127.0.0.1:9/evil', code_challenge: pkce().challenge, code_challenge_method: 'S256' })) {
      url.searchParams.set(k, v);
    }
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });

  it('rejects a wrong code_verifier and a reused code', async () => {
    const client = await publicClient();
    const { verifier, challenge } = pkce();
    const back = await authorize({
      response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT, code_challenge: challenge,
      code_challenge_method: 'S256', resource: RESOURCE,
    });
    const code = back.searchParams.get('code') as string;
    const wrong = await token({ grant_type: 'authorization_code', code, code_verifier: pkce().verifier, redirect_uri: REDIRECT, client_id: client.client_id });
    expect(wrong).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    // The failed attempt consumed the code.
    const reuse = await token({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT, client_id: client.client_id });
    expect(reuse).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('a token request may not name a resource the authorization did not cover (RFC 8707 invalid_target)', async () => {
    const client = await publicClient();
    const { verifier, challenge } = pkce();
    const back = await authorize({
      response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT, code_challenge: challenge,
      code_challenge_method: 'S256', resource: RESOURCE,
    });
    const swapped = await token({
      grant_type: 'authorization_code', code: back.searchParams.get('code') as string, code_verifier: verifier,
      redirect_uri: REDIRECT, client_id: client.client_id, resource: 'https://other.example/mcp',
    });
    expect(swapped).toMatchObject({ status: 400, body: { error: 'invalid_target' } });

    const granted = await codeFlow(client.client_id, 'mcp:read');
    const refreshed = await token({
      grant_type: 'refresh_token', refresh_token: granted.refresh_token as string, client_id: client.client_id, resource: 'https://other.example/mcp',
    });
    expect(refreshed).toMatchObject({ status: 400, body: { error: 'invalid_target' } });
  });

  it('grants supported scopes as asked even beyond the registration scope (step-up); the registration scope is the default', async () => {
    const client = await publicClient('mcp:read');
    const stepUp = await codeFlow(client.client_id, 'mcp:read mcp:admin');
    expect(stepUp.scope).toBe('mcp:read mcp:admin');
    expect(decodeJwt(stepUp.access_token as string).scope).toBe('mcp:read mcp:admin');
    const { verifier, challenge } = pkce();
    const back = await authorize({
      response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT, code_challenge: challenge,
      code_challenge_method: 'S256', resource: RESOURCE,
    });
    const byDefault = await token({
      grant_type: 'authorization_code', code: back.searchParams.get('code') as string, code_verifier: verifier,
      redirect_uri: REDIRECT, client_id: client.client_id,
    });
    expect(byDefault.body.scope).toBe('mcp:read');
  });

  it('refuses scopes the server does not support with invalid_scope instead of narrowing silently', async () => {
    const client = await publicClient('mcp:read');
    const back = await authorize({
      response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT, code_challenge: pkce().challenge,
      code_challenge_method: 'S256', scope: 'mcp:read mcp:superuser', resource: RESOURCE, state: 's2',
    });
    expect(back.searchParams.get('error')).toBe('invalid_scope');
    expect(back.searchParams.get('error_description')).toContain('mcp:superuser');
    expect(back.searchParams.get('code')).toBeNull();
    expect(back.searchParams.get('state')).toBe('s2');
  });

  it('requires a resource (invalid_target) unless a default audience is configured', async () => {
    const machine = as.registerClient({ grant_types: ['client_credentials'] });
    const basic = { authorization: `Basic ${Buffer.from(`${machine.client_id}:${machine.client_secret}`).toString('base64')}` };
    const missing = await token({ grant_type: 'client_credentials', scope: 'mcp:read' }, basic);
    expect(missing).toMatchObject({ status: 400, body: { error: 'invalid_target' } });
    const fragment = await token({ grant_type: 'client_credentials', resource: `${RESOURCE}#x` }, basic);
    expect(fragment).toMatchObject({ status: 400, body: { error: 'invalid_target' } });
  });

  it('issues client_credentials tokens to confidential clients only, with the secret checked', async () => {
    const response = await register({ grant_types: ['client_credentials'], scope: 'mcp:read', client_name: 'agent' });
    expect(response.status).toBe(201);
    const machine = (await response.json()) as { client_id: string; client_secret: string; token_endpoint_auth_method: string };
    expect(machine.client_secret.length).toBeGreaterThan(20);
    expect(machine.token_endpoint_auth_method).toBe('client_secret_basic');

    const good = await token({ grant_type: 'client_credentials', client_id: machine.client_id, client_secret: machine.client_secret, resource: RESOURCE });
    expect(good.status).toBe(200);
    expect(good.body.refresh_token).toBeUndefined();
    const { payload } = await verify(good.body.access_token as string, RESOURCE);
    expect(payload).toMatchObject({ sub: machine.client_id, client_id: machine.client_id, scope: 'mcp:read' });

    const bad = await token({ grant_type: 'client_credentials', client_id: machine.client_id, client_secret: 'nope', resource: RESOURCE });
    expect(bad).toMatchObject({ status: 401, body: { error: 'invalid_client' } });

    const pub = await publicClient();
    const publicCc = await token({ grant_type: 'client_credentials', client_id: pub.client_id, resource: RESOURCE });
    expect(publicCc).toMatchObject({ status: 400, body: { error: 'unauthorized_client' } });
    expect((await register({ grant_types: ['client_credentials'], token_endpoint_auth_method: 'none' })).status).toBe(400);
  });

  it('public registrations get no secret; non-loopback http redirect URIs are refused', async () => {
    const pub = (await (await register({ redirect_uris: [REDIRECT] })).json()) as Record<string, unknown>;
    expect(pub.client_secret).toBeUndefined();
    expect(pub.token_endpoint_auth_method).toBe('none');
    const evil = await register({ redirect_uris: ['http://example.com/cb'] });
    expect(evil.status).toBe(400);
    expect(((await evil.json()) as { error: string }).error).toBe('invalid_redirect_uri');
  });

  it('accepts private-use redirect schemes without a dot (vscode:, cursor:) but not script, data or file URIs', async () => {
    for (const uri of ['vscode://vscode.github-authentication/did-authenticate', 'cursor://anysphere.cursor-mcp/oauth/callback', 'com.example.app:/cb']) {
      const response = await register({ redirect_uris: [uri] });
      expect(response.status, uri).toBe(201);
      expect(((await response.json()) as { redirect_uris: string[] }).redirect_uris).toEqual([uri]);
    }
    for (const uri of ['javascript:alert(1)', 'JavaScript://x/%0aalert(1)', 'data:text/html,hi', 'file:///etc/passwd', 'vbscript:msgbox', 'vscode://x/cb#frag']) {
      const response = await register({ redirect_uris: [uri] });
      expect(response.status, uri).toBe(400);
      expect(((await response.json()) as { error: string }).error).toBe('invalid_redirect_uri');
    }
  });

  it('loopback IP redirect URIs match with any port (RFC 8252 §7.3); localhost and other paths match exactly', async () => {
    const outcome = async (registered: string, requested: string): Promise<URL | number> => {
      const client = (await (await register({ redirect_uris: [registered] })).json()) as { client_id: string };
      const { verifier, challenge } = pkce();
      const url = new URL(as.authorizationEndpoint);
      const params = { response_type: 'code', client_id: client.client_id, redirect_uri: requested, code_challenge: challenge, code_challenge_method: 'S256', resource: RESOURCE };
      for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
      const response = await fetch(url, { redirect: 'manual' });
      if (response.status !== 302) return response.status;
      const back = new URL(response.headers.get('location') as string);
      const exchanged = await token({ grant_type: 'authorization_code', code: back.searchParams.get('code') ?? '', code_verifier: verifier, redirect_uri: requested, client_id: client.client_id });
      expect(exchanged.status).toBe(200);
      return back;
    };
    const v4 = await outcome('http://127.0.0.1/callback', 'http://127.0.0.1:49152/callback');
    expect(v4 instanceof URL && `${v4.origin}${v4.pathname}`).toBe('http://127.0.0.1:49152/callback');
    const v6 = await outcome('http://[::1]:8080/callback', 'http://[::1]:49153/callback');
    expect(v6 instanceof URL && `${v6.origin}${v6.pathname}`).toBe('http://[::1]:49153/callback');
    expect(await outcome('http://localhost/callback', 'http://localhost:49152/callback')).toBe(400);
    expect(await outcome('http://127.0.0.1/callback', 'http://127.0.0.1:49152/other')).toBe(400);
    expect(await outcome('http://127.0.0.1/callback', 'http://[::1]:49152/callback')).toBe(400);
    expect(await outcome('http://127.0.0.1/callback', 'http://user@127.0.0.1:49152/callback')).toBe(400);
  });

  it('drops grant types it does not support and says so in the response; refuses when none is left', async () => {
    const deviceCode = 'urn:ietf:params:oauth:grant-type:device_code';
    const response = await register({ redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'refresh_token', deviceCode] });
    expect(response.status).toBe(201);
    expect(((await response.json()) as { grant_types: string[] }).grant_types).toEqual(['authorization_code', 'refresh_token']);
    const none = await register({ redirect_uris: [REDIRECT], grant_types: [deviceCode] });
    expect(none.status).toBe(400);
    expect(((await none.json()) as { error: string }).error).toBe('invalid_client_metadata');
  });

  it('rotates refresh tokens, may narrow scope but not widen it', async () => {
    const client = await publicClient();
    const first = await codeFlow(client.client_id, 'mcp:read mcp:admin');
    const narrowed = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token as string, client_id: client.client_id, scope: 'mcp:read' });
    expect(narrowed.status).toBe(200);
    expect(narrowed.body.scope).toBe('mcp:read');
    expect(narrowed.body.refresh_token).not.toBe(first.refresh_token);
    // The rotated token still carries the original grant.
    const full = await token({ grant_type: 'refresh_token', refresh_token: narrowed.body.refresh_token as string, client_id: client.client_id });
    expect(full.body.scope).toBe('mcp:read mcp:admin');
    const wider = await token({ grant_type: 'refresh_token', refresh_token: full.body.refresh_token as string, client_id: client.client_id, scope: 'mcp:read email' });
    expect(wider).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
    const replay = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token as string, client_id: client.client_id });
    expect(replay).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('rotates keys: new tokens use the new kid, the previous key stays published, and can be dropped', async () => {
    const before = as.currentKid;
    const oldToken = await as.issueToken({ audience: RESOURCE, scope: 'mcp:read' });
    const rotated = (await (await fetch(`${as.url}/admin/rotate-keys`, { method: 'POST', headers: { 'content-type': 'application/json' } })).json()) as { kid: string };
    expect(rotated.kid).not.toBe(before);
    expect(as.currentKid).toBe(rotated.kid);
    const newToken = await as.issueToken({ audience: RESOURCE });
    expect(decodeProtectedHeader(newToken).kid).toBe(rotated.kid);
    await expect(verify(oldToken, RESOURCE)).resolves.toBeTruthy();
    const kids = ((await (await fetch(as.jwksUri)).json()) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);
    expect(kids).toEqual([rotated.kid, before]);

    await as.rotateKeys({ keepPrevious: false });
    const after = ((await (await fetch(as.jwksUri)).json()) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);
    expect(after).toEqual([as.currentKid]);
    await expect(verify(oldToken, RESOURCE)).rejects.toThrow();
  });

  it('issueToken can produce expired tokens and extra claims without overriding standard ones', async () => {
    const t = await as.issueToken({ audience: RESOURCE, expiresIn: -120, claims: { iss: 'https://evil', tenant: 't1' } });
    const claims = decodeJwt(t);
    expect(claims.iss).toBe(as.issuer);
    expect(claims.tenant).toBe('t1');
    expect((claims.exp as number) < Date.now() / 1000).toBe(true);
  });
});
