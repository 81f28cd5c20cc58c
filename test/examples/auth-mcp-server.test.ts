import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../examples/auth-mcp-server/config.js';
import { NO_AUTH_WARNING, StartupError, startAuthMcpServer } from '../../examples/auth-mcp-server/server.js';
import { startDevAuthorizationServer } from '../../examples/dev-authorization-server/index.js';
import { INITIALIZE, openSession, post, rawRequest, startStack, type Stack } from './helpers.js';

const SECRET = 'TOPSECRET-never-leaves-this-server';
let stack: Stack;
let mcpUrl: string;
let base: string;

beforeAll(async () => {
  stack = await startStack({ client_id: 'configured-client', client_secret: SECRET });
  mcpUrl = stack.server.mcpUrl;
  base = stack.server.url;
});
afterAll(async () => {
  await stack.close();
});

const tokenFor = (scope: string, extra: { subject?: string; audience?: string } = {}) =>
  stack.as.issueToken({ scope, audience: extra.audience ?? mcpUrl, subject: extra.subject ?? 'alice', clientId: 'test-client' });

describe('example server endpoints', () => {
  it('GET /health → status, ISO timestamp, version, uptime', async () => {
    const body = (await (await fetch(`${base}/health`)).json()) as Record<string, unknown>;
    expect(body.status).toBe('ok');
    expect(new Date(body.timestamp as string).toISOString()).toBe(body.timestamp);
    expect(typeof body.version).toBe('string');
    expect(Number.isInteger(body.uptime)).toBe(true);
  });

  it('serves RFC 9728 metadata at the root and path-aware URLs, header-only bearer method', async () => {
    for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp']) {
      const response = await fetch(`${base}${path}`);
      expect(response.status).toBe(200);
      const prm = (await response.json()) as Record<string, unknown>;
      expect(prm.resource).toBe(mcpUrl);
      expect(prm.authorization_servers).toEqual([stack.as.issuer]);
      expect(prm.bearer_methods_supported).toEqual(['header']);
      expect(prm.scopes_supported).toEqual(['openid', 'profile', 'email', 'mcp:read', 'mcp:admin']);
    }
  });

  it('AS metadata is never re-served under this origin: 302 to the AS’s own document, whose issuer is its origin', async () => {
    const response = await fetch(`${base}/.well-known/oauth-authorization-server`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    const location = response.headers.get('location') as string;
    expect(location).toBe(stack.as.metadataUrl);
    const md = (await (await fetch(location)).json()) as { issuer: string };
    expect(md.issuer).toBe(new URL(location).origin);
    // The dev AS publishes no OpenID configuration, and an RFC 8414 document is not one (as-metadata-redirect.test.ts).
    const oidc = await fetch(`${base}/.well-known/openid-configuration`, { redirect: 'manual' });
    expect(oidc.status).toBe(404);
    await oidc.body?.cancel();
  });

  it('/oauth/authorize → 302 to the IdP with the query passed through', async () => {
    const query = 'response_type=code&client_id=abc&scope=mcp%3Aread+openid&state=x%26y&resource=http%3A%2F%2Fa%2Fmcp';
    const response = await fetch(`${base}/oauth/authorize?${query}`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') as string);
    expect(`${location.origin}${location.pathname}`).toBe(stack.as.authorizationEndpoint);
    expect([...location.searchParams]).toEqual([...new URLSearchParams(query)]);
  });

  it('/oauth/register forwards to the AS (RFC 7591) and never returns the configured client_secret', async () => {
    const response = await post(`${base}/oauth/register`, { redirect_uris: ['http://127.0.0.1:9/cb'], client_name: 'x' });
    const text = await response.text();
    expect(response.status).toBe(201);
    expect(text).not.toContain(SECRET);
    const registered = JSON.parse(text) as Record<string, unknown>;
    expect(registered.client_id).not.toBe('configured-client');
    expect(registered.client_secret).toBeUndefined();
    expect(stack.as.requestCounts.get('/clients-registrations/openid-connect')).toBeGreaterThan(0);
  });

  it('/oauth/register answers a body it cannot read in RFC 7591 terms; the MCP endpoint in JSON-RPC terms', async () => {
    const register = await fetch(`${base}/oauth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"redirect_uris":' });
    expect(register.status).toBe(400);
    expect(await register.json()).toEqual({ error: 'invalid_client_metadata', error_description: 'The request body could not be read' });
    const mcp = await fetch(mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${await tokenFor('mcp:read')}` },
      body: '{"jsonrpc":',
    });
    expect(mcp.status).toBe(400);
    expect(await mcp.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
  });

  it('CORS: preflight 204 allowing Authorization and the MCP headers; WWW-Authenticate and Mcp-Session-Id exposed', async () => {
    const preflight = await fetch(mcpUrl, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    const allowed = (preflight.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    for (const h of ['authorization', 'mcp-session-id', 'mcp-protocol-version']) expect(allowed).toContain(h);
    const refused = await post(mcpUrl, INITIALIZE, { origin: 'https://app.example' });
    const exposed = (refused.headers.get('access-control-expose-headers') ?? '').toLowerCase();
    expect(exposed).toContain('www-authenticate');
    expect(exposed).toContain('mcp-session-id');
    expect((await fetch(`${base}/health`)).headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('example server authorization', () => {
  it('no token → 401 with resource_metadata and no error attribute', async () => {
    const response = await post(mcpUrl, INITIALIZE);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${base}/.well-known/oauth-protected-resource/mcp"`);
  });

  it('a token in the query string is not accepted', async () => {
    const token = await tokenFor('mcp:read mcp:admin');
    const response = await post(`${mcpUrl}?access_token=${encodeURIComponent(token)}`, INITIALIZE);
    expect([400, 401]).toContain(response.status);
    expect(response.headers.get('mcp-session-id')).toBeNull();
  });

  it('a token for another resource (audience) or from another issuer → 401 invalid_token', async () => {
    const otherAudience = await tokenFor('mcp:read', { audience: 'http://localhost:1/mcp' });
    const a = await post(mcpUrl, INITIALIZE, { authorization: `Bearer ${otherAudience}` });
    expect(a.status).toBe(401);
    expect(a.headers.get('www-authenticate')).toContain('error="invalid_token"');

    const foreign = await startDevAuthorizationServer();
    try {
      const foreignToken = await foreign.issueToken({ scope: 'mcp:admin', audience: mcpUrl, subject: 'alice' });
      const b = await post(mcpUrl, INITIALIZE, { authorization: `Bearer ${foreignToken}` });
      expect(b.status).toBe(401);
    } finally {
      await foreign.close();
    }
  });

  it('per-tool scopes before dispatch: 403 insufficient_scope naming mcp:admin, also inside a batch', async () => {
    const session = await openSession(mcpUrl, await tokenFor('mcp:read'));
    const call = (id: number, name: string, args: Record<string, string>) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });

    const forecast = await post(mcpUrl, call(2, 'get-forecast', { city: 'Tokyo' }), session);
    expect(forecast.status).toBe(200);
    expect(JSON.stringify(await forecast.json())).toContain('Today');

    const alerts = await post(mcpUrl, call(3, 'get-weather-alerts', { region: 'Texas' }), session);
    expect(alerts.status).toBe(403);
    const challenge = alerts.headers.get('www-authenticate') ?? '';
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain('scope="mcp:admin mcp:read"'); // what it needs, and what it has that stays advertised
    expect(challenge).toContain('resource_metadata=');

    const batch = await post(mcpUrl, [call(4, 'get-weather', { city: 'London' }), call(5, 'get-weather-alerts', { region: 'Texas' })], session);
    expect(batch.status).toBe(403);
  });

  it('binds the MCP session to the subject that opened it', async () => {
    const alice = await openSession(mcpUrl, await tokenFor('mcp:read', { subject: 'alice' }));
    const bobToken = await tokenFor('mcp:read mcp:admin', { subject: 'bob' });
    const list = { jsonrpc: '2.0', id: 9, method: 'tools/list' };
    const hijack = await post(mcpUrl, list, { ...alice, authorization: `Bearer ${bobToken}` });
    expect(hijack.status).toBe(404);
    const own = await post(mcpUrl, list, alice);
    expect(own.status).toBe(200);
    // A fresh token for the same subject (e.g. after step-up) keeps the session.
    const stepped = await post(mcpUrl, list, { ...alice, authorization: `Bearer ${await tokenFor('mcp:read mcp:admin', { subject: 'alice' })}` });
    expect(stepped.status).toBe(200);
  });

  it('notifications are accepted with 202, never answered with an error', async () => {
    const session = await openSession(mcpUrl, await tokenFor('mcp:read'));
    const response = await post(mcpUrl, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 77 } }, session);
    expect(response.status).toBe(202);
    expect(await response.text()).toBe('');
  });

  it('malformed tokens are refused with 401 invalid_token, never a crash', async () => {
    for (const bad of ['not-a-jwt', 'a.b.c', 'eyJhbGciOiJub25lIn0.e30.', `${'x'.repeat(5000)}.y.z`]) {
      const response = await post(mcpUrl, INITIALIZE, { authorization: `Bearer ${bad}` });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    }
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });

  it('JSON-RPC errors stay JSON-RPC: unknown method → 200 with -32601; unparsable body → 4xx, not 500', async () => {
    const session = await openSession(mcpUrl, await tokenFor('mcp:read'));
    const unknown = await post(mcpUrl, { jsonrpc: '2.0', id: 5, method: 'no/such/method' }, session);
    expect(unknown.status).toBe(200);
    expect(((await unknown.json()) as { error: { code: number } }).error.code).toBe(-32601);
    const garbage = await fetch(mcpUrl, { method: 'POST', headers: { ...session, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{"jsonrpc":' });
    expect(garbage.status).toBeGreaterThanOrEqual(400);
    expect(garbage.status).toBeLessThan(500);
  });

  it('concurrent requests with different scopes never see each other’s authorization', async () => {
    const reader = await openSession(mcpUrl, await tokenFor('mcp:read', { subject: 'reader' }));
    const admin = await openSession(mcpUrl, await tokenFor('mcp:read mcp:admin', { subject: 'admin' }));
    const call = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'get-weather-alerts', arguments: { region: 'Texas' } } });
    const statuses = await Promise.all(
      Array.from({ length: 60 }, (_, i) => post(mcpUrl, call(100 + i), i % 2 === 0 ? admin : reader).then(async (r) => {
        await r.body?.cancel();
        return r.status;
      })),
    );
    expect(statuses.filter((_, i) => i % 2 === 0).every((s) => s === 200)).toBe(true);
    expect(statuses.filter((_, i) => i % 2 === 1).every((s) => s === 403)).toBe(true);
  });

  it('DNS rebinding protection: a foreign Host is refused before anything else', async () => {
    const port = new URL(base).port;
    const evil = await rawRequest(`http://127.0.0.1:${port}/health`, { method: 'GET', headers: { host: `evil.example.com:${port}` } });
    expect(evil.status).toBe(403);
    const good = await rawRequest(`http://127.0.0.1:${port}/health`, { method: 'GET', headers: { host: `localhost:${port}` } });
    expect(good.status).toBe(200);
  });
});

describe('never fails open', () => {
  it('auth enabled without an issuer/JWKS → StartupError before listening', async () => {
    await expect(startAuthMcpServer(buildConfig({ host: '127.0.0.1', port: '0' }))).rejects.toThrow(StartupError);
    await expect(startAuthMcpServer(buildConfig({ host: '127.0.0.1', port: '0' }))).rejects.toThrow(/refusing to start.*issuer/);
  });

  it('auth_disabled=true warns loudly and serves every tool without a token', async () => {
    const warnings: string[] = [];
    const server = await startAuthMcpServer(buildConfig({ host: '127.0.0.1', port: '0', auth_disabled: 'true' }), { warn: (m) => warnings.push(m) });
    try {
      expect(warnings.join('\n')).toBe(NO_AUTH_WARNING);
      expect(NO_AUTH_WARNING).toContain('AUTHENTICATION IS DISABLED');
      expect(server.backend).toBeNull();
      const session = await openSession(server.mcpUrl);
      const alerts = await post(server.mcpUrl, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get-weather-alerts', arguments: { region: 'Texas' } } }, session);
      expect(alerts.status).toBe(200);
      expect(JSON.stringify(await alerts.json())).toContain('Storm Watch');
      expect((await fetch(`${server.url}/.well-known/oauth-protected-resource`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});

// Without auth any page open in the browser of someone running the server could call every tool;
// MCP Streamable HTTP requires a present Origin to be validated.
describe('auth_disabled=true: browsers are served for pages on this machine only', () => {
  it('a foreign Origin gets 403 (preflight and request), a loopback one its own origin back, no Origin passes', async () => {
    const server = await startAuthMcpServer(buildConfig({ host: '127.0.0.1', port: '0', auth_disabled: 'true' }), { warn: () => {} });
    try {
      const alerts = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get-weather-alerts', arguments: { region: 'Texas' } } };
      const evil = { origin: 'https://evil.example' };
      const preflight = await fetch(server.mcpUrl, { method: 'OPTIONS', headers: { ...evil, 'access-control-request-method': 'POST' } });
      expect(preflight.status).toBe(403);
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      const forged = await post(server.mcpUrl, INITIALIZE, evil);
      expect(forged.status).toBe(403);
      expect(forged.headers.get('access-control-allow-origin')).toBeNull();
      expect(await forged.json()).toMatchObject({ error: 'forbidden_origin' });
      for (const origin of ['null', 'http://localhost.evil.example', 'file://']) {
        const answer = await post(server.mcpUrl, INITIALIZE, { origin });
        expect(answer.status, origin).toBe(403);
        await answer.body?.cancel();
      }

      const inspector = { origin: 'http://localhost:6274' };
      const allowed = await fetch(server.mcpUrl, { method: 'OPTIONS', headers: { ...inspector, 'access-control-request-method': 'POST' } });
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(inspector.origin);
      const session = await openSession(server.mcpUrl);
      const answer = await post(server.mcpUrl, alerts, { ...session, ...inspector });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('access-control-allow-origin')).toBe(inspector.origin);
      expect(answer.headers.get('vary')).toMatch(/origin/i);
      await answer.body?.cancel();
      const ownOrigin = await post(server.mcpUrl, alerts, { ...session, origin: new URL(server.url).origin });
      expect(ownOrigin.status).toBe(200);
      await ownOrigin.body?.cancel();
    } finally {
      await server.close();
    }
  });
});

describe('session lifetime', () => {
  it('idle sessions are closed and their id stops working', async () => {
    const server = await startAuthMcpServer(buildConfig({ host: '127.0.0.1', port: '0', auth_disabled: 'true' }), {
      warn: () => {},
      sessionIdleMs: 150,
    });
    try {
      const session = await openSession(server.mcpUrl);
      const ping = { jsonrpc: '2.0', id: 3, method: 'ping' };
      expect((await post(server.mcpUrl, ping, session)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await post(server.mcpUrl, ping, session)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
