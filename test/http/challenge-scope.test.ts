/**
 * 401 challenges name `requiredScopes` (MCP authorization 2025-11-25: a client asks for the 401's
 * `scope` first, and only without one for everything `scopes_supported` lists), on the Express and
 * the web gate; 403s name everything the request needs, plus the advertised scopes the token has.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESCRIPTIONS, wwwAuthenticate, authErrors } from '../../src/http/errors.js';
import { gopherAuth, type GopherAuth } from '../../src/http/gopher-auth.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';

const ISSUER = 'https://issuer.test/realms/demo';
const issuer = new TestIssuer(ISSUER);
let jwks: JwksServer;
let server: Server;
let resource: string;
let prm: string;
let scoped: GopherAuth;
let open: GopherAuth;

beforeAll(async () => {
  jwks = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
  server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  resource = `${base}/mcp`;
  prm = `${base}/.well-known/oauth-protected-resource/mcp`;
  const common = { resource, issuer: ISSUER, jwksUri: jwks.url, backend: 'js' as const, toolScopes: { admin: ['mcp:admin'] } };
  scoped = gopherAuth({ ...common, requiredScopes: ['mcp:read', 'mcp:write'] });
  open = gopherAuth(common);
  const app = express();
  app.post('/mcp', scoped, (_req, res) => void res.json({ ok: true }));
  server.on('request', app);
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await jwks.close();
  scoped.close();
  open.close();
});

const call = (name: string) => JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: {} } });
const token = (scope: string, claims: Record<string, unknown> = {}) => issuer.sign({ claims: { aud: resource, scope, ...claims } });

async function viaExpress(authorization?: string, body = call('x')) {
  const res = await fetch(resource, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body });
  return { status: res.status, challenge: res.headers.get('www-authenticate') };
}

async function viaWeb(gate: GopherAuth, authorization?: string, body = call('x')) {
  const verdict = await gate.gate(new Request(resource, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body }));
  return verdict instanceof Response ? { status: verdict.status, challenge: verdict.headers.get('www-authenticate') } : { status: 200, challenge: null };
}

describe.each([
  ['Express gate', (authorization?: string, body?: string) => viaExpress(authorization, body)],
  ['web gate', (authorization?: string, body?: string) => viaWeb(scoped, authorization, body)],
])('%s with requiredScopes', (_name, send) => {
  it('no token → 401 naming the required scopes, still without error', async () => {
    expect(await send()).toEqual({ status: 401, challenge: `Bearer scope="mcp:read mcp:write", resource_metadata="${prm}"` });
  });

  it('a bad or expired token → 401 invalid_token naming the required scopes', async () => {
    expect(await send('Bearer not.a.jwt')).toEqual({
      status: 401,
      challenge: `Bearer error="invalid_token", error_description="${DESCRIPTIONS.invalid_token}", scope="mcp:read mcp:write", resource_metadata="${prm}"`,
    });
    const expired = await send(`Bearer ${token('mcp:read mcp:write', { exp: Math.floor(Date.now() / 1000) - 3600 })}`);
    expect(expired.challenge).toMatch(/^Bearer error="invalid_token", .*scope="mcp:read mcp:write", resource_metadata=/);
  });

  it('403 names everything the request needs, not only the required scopes', async () => {
    const refused = await send(`Bearer ${token('mcp:read mcp:write')}`, call('admin'));
    expect(refused.status).toBe(403);
    expect(refused.challenge).toMatch(/^Bearer error="insufficient_scope", .*scope="mcp:read mcp:write mcp:admin", resource_metadata=/);
  });
});

describe('403 keeps what the token has (MCP authorization 2025-11-25, runtime insufficient scope errors)', () => {
  it('names the needed scopes plus the advertised ones the token holds, never its unadvertised ones', async () => {
    const refused = await viaWeb(open, `Bearer ${token('profile mcp:admin-lite mcp:read openid')}`, call('admin'));
    expect(refused.status).toBe(403);
    // scopes_supported here is ['mcp:admin'] (the rules): a granted scope the server does not advertise is not repeated.
    expect(refused.challenge).toMatch(/ scope="mcp:admin", /);
    const withRead = gopherAuth({ resource, issuer: ISSUER, jwksUri: jwks.url, backend: 'js', toolScopes: { admin: ['mcp:admin'], read: ['mcp:read'] } });
    try {
      const verdict = await withRead.gate(new Request(resource, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token('profile mcp:read')}` }, body: call('admin') }));
      expect(verdict instanceof Response && verdict.headers.get('www-authenticate')).toMatch(/ scope="mcp:admin mcp:read", /);
    } finally {
      withRead.close();
    }
  });
});

describe('without requiredScopes', () => {
  it('401 challenges carry no scope parameter', async () => {
    expect(await viaWeb(open)).toEqual({ status: 401, challenge: `Bearer resource_metadata="${prm}"` });
    expect((await viaWeb(open, 'Bearer not.a.jwt')).challenge).not.toContain('scope=');
  });

  it('wwwAuthenticate() takes the scopes from its context for 401s only', () => {
    const context = { resourceMetadata: prm, scopes: ['mcp:read'] };
    expect(wwwAuthenticate(authErrors.missingToken(), context)).toBe(`Bearer scope="mcp:read", resource_metadata="${prm}"`);
    expect(wwwAuthenticate(authErrors.insufficientScope(['mcp:admin'], 'test'), context)).toContain('scope="mcp:admin"');
    expect(wwwAuthenticate(authErrors.multipleCredentials('test'), context)).not.toContain('scope=');
    expect(wwwAuthenticate(authErrors.missingToken(), { resourceMetadata: prm })).toBe(`Bearer resource_metadata="${prm}"`);
  });
});
