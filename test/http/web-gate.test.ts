import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHonoApp, HONO_TOOL_SCOPES } from '../../examples/hono/app.js';
import { DESCRIPTIONS } from '../../src/http/errors.js';
import { gopherAuth, type GopherAuth } from '../../src/http/gopher-auth.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';

const ISSUER = 'https://issuer.test/realms/demo';
const issuer = new TestIssuer(ISSUER);
let jwks: JwksServer;
let server: Server;
let base: string;
let resource: string;
let prm: string;
let auth: GopherAuth;

beforeAll(async () => {
  jwks = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
  let fetchHandler: (request: Request) => Response | Promise<Response> = () => new Response(null, { status: 503 });
  server = createAdaptorServer({ fetch: (request: Request) => fetchHandler(request) }) as Server;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  resource = `${base}/mcp`;
  prm = `${base}/.well-known/oauth-protected-resource/mcp`;
  auth = gopherAuth({ resource, issuer: ISSUER, jwksUri: jwks.url, backend: 'js', toolScopes: HONO_TOOL_SCOPES, maxBodyBytes: 2048 });
  const app = createHonoApp(auth);
  fetchHandler = (request) => app.fetch(request);
});

afterAll(async () => {
  server.closeAllConnections?.();
  await new Promise<void>((r) => server.close(() => r()));
  await jwks.close();
  auth.close();
});

const token = (scope: string, claims: Record<string, unknown> = {}) => issuer.sign({ claims: { aud: resource, scope, ...claims } });
const call = (name: string, args: Record<string, unknown>) => ({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } });

describe('web-standard gate (direct)', () => {
  it('returns AuthInfo for a good token and leaves the body readable', async () => {
    const request = new Request(resource, { method: 'POST', headers: { authorization: `Bearer ${token('mcp:read', { sub: 'w1' })}` }, body: JSON.stringify(call('get-weather', { city: 'x' })) });
    const verdict = await auth.gate(request);
    expect(verdict).not.toBeInstanceOf(Response);
    expect((verdict as { extra: Record<string, unknown> }).extra['sub']).toBe('w1');
    expect(((await request.json()) as { method: string }).method).toBe('tools/call');
  });

  it.each<[string, () => Request, number, string | null]>([
    ['no token', () => new Request(resource, { method: 'POST' }), 401, `Bearer resource_metadata="PRM"`],
    ['bad token', () => new Request(resource, { method: 'POST', headers: { authorization: 'Bearer x.y.z' } }), 401, `Bearer error="invalid_token", error_description="${DESCRIPTIONS.invalid_token}", resource_metadata="PRM"`],
    ['query token', () => new Request(`${resource}?access_token=abc`, { method: 'POST', headers: { authorization: `Bearer ${token('')}` } }), 400, `Bearer error="invalid_request", error_description="${DESCRIPTIONS.query_token}", resource_metadata="PRM"`],
    ['two credentials joined by Headers', () => { const h = new Headers(); h.append('authorization', `Bearer ${token('')}`); h.append('authorization', `Bearer ${token('')}`); return new Request(resource, { method: 'POST', headers: h }); }, 400, `Bearer error="invalid_request", error_description="${DESCRIPTIONS.multiple_credentials}", resource_metadata="PRM"`],
    ['admin tool without scope', () => new Request(resource, { method: 'POST', headers: { authorization: `Bearer ${token('mcp:read')}` }, body: JSON.stringify(call('get-weather-alerts', { region: 'r' })) }), 403, `Bearer error="insufficient_scope", error_description="${DESCRIPTIONS.insufficient_scope}", scope="mcp:admin", resource_metadata="PRM"`],
    ['body too large', () => new Request(resource, { method: 'POST', headers: { authorization: `Bearer ${token('mcp:read')}` }, body: 'x'.repeat(5000) }), 413, null],
    ['plain OPTIONS, not a preflight: 204 (Allow), no challenge', () => new Request(resource, { method: 'OPTIONS' }), 204, null],
  ])('%s', async (_name, make, status, challenge) => {
    const verdict = await auth.gate(make());
    expect(verdict).toBeInstanceOf(Response);
    const response = verdict as Response;
    expect(response.status).toBe(status);
    expect(response.headers.get('www-authenticate')).toBe(challenge === null ? null : challenge.replace('PRM', prm));
  });
});

describe('Hono example over HTTP with the SDK client', () => {
  it('a body read before the gate is a 500 naming the setup mistake, not a 400 blaming the client', async () => {
    const reasons: string[] = [];
    const gate = gopherAuth({ resource, issuer: ISSUER, jwksUri: jwks.url, backend: 'js', toolScopes: HONO_TOOL_SCOPES, onAuthFailure: (event) => reasons.push(event.reason) });
    try {
      for (const spoil of [(r: Request) => r.json(), (r: Request) => Promise.resolve(r.body!.getReader())]) {
        const request = new Request(resource, { method: 'POST', headers: { authorization: `Bearer ${token('mcp:admin mcp:read')}` }, body: JSON.stringify(call('get-weather-alerts', { region: 'r' })) });
        await spoil(request);
        const verdict = await gate.gate(request);
        expect(verdict).toBeInstanceOf(Response);
        expect((verdict as Response).status).toBe(500);
      }
      expect(reasons).toEqual([expect.stringMatching(/^the request body was read before the gate/), expect.stringMatching(/^the request body was read before the gate/)]);
    } finally {
      gate.close();
    }
  });

  it('serves metadata and answers 401 to anonymous requests', async () => {
    const doc = await fetch(prm);
    expect(doc.status).toBe(200);
    expect(((await doc.json()) as { resource: string }).resource).toBe(resource);
    const pre = await fetch(prm, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-methods')).toBe('GET, HEAD, OPTIONS');
    const anon = await fetch(resource, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'https://app.example' }, body: '{}' });
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${prm}"`);
    expect(anon.headers.get('access-control-expose-headers')).toContain('WWW-Authenticate');
  });

  it('the SDK client lists and calls tools, and is refused the admin tool', async () => {
    const client = new Client({ name: 'hono-test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(resource), { requestInit: { headers: { Authorization: `Bearer ${token('mcp:read', { sub: 'hono-user' })}` } } }));
    try {
      expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(['get-weather', 'get-weather-alerts']);
      const result = (await client.callTool({ name: 'get-weather', arguments: { city: 'Paris' } })) as { content: { text: string }[] };
      expect(JSON.parse(result.content[0]!.text)).toEqual({ city: 'Paris', condition: 'Sunny', requestedBy: 'hono-user' });
      const refused = await client.callTool({ name: 'get-weather-alerts', arguments: { region: 'r' } }).then(() => null, (e: { code?: number }) => e);
      expect(refused?.code).toBe(403);
    } finally {
      await client.close();
    }
  });
});
