import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESCRIPTIONS } from '../../src/http/errors.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
let PRM: string;

beforeAll(async () => {
  h = await startHarness();
  PRM = `${h.url}/.well-known/oauth-protected-resource/mcp`;
});
afterAll(async () => {
  await h.close();
});

const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};
const call = (id: number, name: string, args: Record<string, unknown>) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });

async function post(body: unknown, headers: Record<string, string> = {}, path = '/mcp'): Promise<Response> {
  return fetch(`${h.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Raw node:http request, for what fetch cannot send (two Authorization headers). */
function rawPost(path: string, headers: Record<string, string | string[]>, body: string): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${h.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function session(token: string): Promise<string> {
  const res = await post(INIT, { authorization: `Bearer ${token}` });
  expect(res.status).toBe(200);
  const id = res.headers.get('mcp-session-id');
  expect(id).toBeTruthy();
  await res.text();
  const ack = await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, { authorization: `Bearer ${token}`, 'mcp-session-id': id!, 'mcp-protocol-version': '2025-06-18' });
  expect(ack.status).toBe(202);
  return id!;
}

describe('protected-resource metadata', () => {
  it('serves the same document at the path-aware and root URLs', async () => {
    const expected = {
      resource: h.resource,
      authorization_servers: ['https://issuer.test/realms/demo'],
      scopes_supported: ['mcp:read', 'mcp:admin'],
      bearer_methods_supported: ['header'],
    };
    for (const url of [PRM, `${h.url}/.well-known/oauth-protected-resource`]) {
      const res = await fetch(url, { headers: { origin: 'https://inspector.example' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(await res.json()).toEqual(expected);
    }
  });

  it('answers preflight and refuses other methods', async () => {
    const pre = await fetch(PRM, { method: 'OPTIONS', headers: { origin: 'https://x.example', 'access-control-request-method': 'GET' } });
    expect(pre.status).toBe(204);
    // The metadata is read-only: the preflight says so (not the MCP endpoint's POST and DELETE).
    expect(pre.headers.get('access-control-allow-methods')).toBe('GET, HEAD, OPTIONS');
    const put = await fetch(PRM, { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
  });
});

describe('challenges on the wire', () => {
  it('no token → 401 with resource_metadata and no error', async () => {
    const res = await post(INIT, { origin: 'https://inspector.example' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${PRM}"`);
    expect(res.headers.get('access-control-expose-headers')).toContain('WWW-Authenticate');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(await res.json()).toEqual({ error: 'unauthorized', error_description: DESCRIPTIONS.missing_token });
  });

  it('another scheme is treated as no bearer token', async () => {
    const res = await post(INIT, { authorization: 'Basic dXNlcjpwYXNz' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${PRM}"`);
  });

  it.each<[string, (h: Harness) => string, string]>([
    ['garbage', () => 'not.a.jwt', DESCRIPTIONS.invalid_token],
    ['wrong signature', (h) => `${h.token('mcp:read').slice(0, -6)}AAAAAA`, DESCRIPTIONS.invalid_token],
    ['wrong audience', (h) => h.token('mcp:read', { aud: 'https://other.example/mcp' }), DESCRIPTIONS.invalid_token],
    ['no audience', (h) => h.token('mcp:read', { aud: undefined }), DESCRIPTIONS.invalid_token],
    ['wrong issuer', (h) => h.token('mcp:read', { iss: 'https://evil.example' }), DESCRIPTIONS.invalid_token],
    ['no exp', (h) => h.token('mcp:read', { exp: undefined }), DESCRIPTIONS.invalid_token],
    ['expired', (h) => h.token('mcp:read', { exp: Math.floor(Date.now() / 1000) - 3600 }), DESCRIPTIONS.expired_token],
    ['unknown kid', (h) => h.issuer.sign({ key: 'rsa2048b', claims: { aud: h.resource } }), DESCRIPTIONS.invalid_token],
  ])('%s → 401 invalid_token', async (_name, make, description) => {
    const before = h.failures.length;
    const res = await post(INIT, { authorization: `Bearer ${make(h)}` });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(`Bearer error="invalid_token", error_description="${description}", resource_metadata="${PRM}"`);
    const event = h.failures[before];
    expect(event?.kind).toBe('invalid_token');
    expect(event?.reason.length).toBeGreaterThan(0);
    expect(event?.code).toBeTypeOf('number');
  });

  it('the detailed reason goes to onAuthFailure, not to the wire', async () => {
    const before = h.failures.length;
    const res = await post(INIT, { authorization: `Bearer ${h.token('', { iss: 'https://evil.example' })}` });
    const text = await res.text();
    expect(text).not.toContain('evil');
    expect(res.headers.get('www-authenticate')).not.toContain('evil');
    expect(h.failures[before]?.reason).toMatch(/issuer/i);
  });

  it('a query-string token is refused, even next to a valid header', async () => {
    const token = h.token('mcp:read mcp:admin');
    for (const headers of [{}, { authorization: `Bearer ${token}` }] as Record<string, string>[]) {
      const res = await post(INIT, headers, `/mcp?access_token=${token}`);
      expect(res.status).toBe(400);
      expect(res.headers.get('www-authenticate')).toBe(
        `Bearer error="invalid_request", error_description="${DESCRIPTIONS.query_token}", resource_metadata="${PRM}"`,
      );
    }
  });

  it('two Authorization headers are refused', async () => {
    const token = h.token('mcp:read');
    const res = await rawPost('/mcp', { authorization: [`Bearer ${token}`, `Bearer ${token}`] }, JSON.stringify(INIT));
    expect(res.status).toBe(400);
    expect(res.headers['www-authenticate']).toBe(
      `Bearer error="invalid_request", error_description="${DESCRIPTIONS.multiple_credentials}", resource_metadata="${PRM}"`,
    );
  });

  it('a plain OPTIONS (no preflight) is answered 204 with Allow, not challenged', async () => {
    for (const headers of [{}, { origin: 'https://inspector.example' }] as Record<string, string>[]) {
      const res = await fetch(`${h.url}/mcp`, { method: 'OPTIONS', headers });
      expect(res.status).toBe(204);
      expect(res.headers.get('allow')).toBe('GET, POST, DELETE, OPTIONS');
      expect(res.headers.get('www-authenticate')).toBeNull();
    }
  });

  it('CORS preflight passes without a token', async () => {
    const res = await fetch(`${h.url}/mcp`, {
      method: 'OPTIONS',
      headers: { origin: 'https://inspector.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, mcp-session-id' },
    });
    expect(res.status).toBe(204);
    const allowed = res.headers.get('access-control-allow-headers') ?? '';
    for (const name of ['Authorization', 'Mcp-Session-Id', 'Mcp-Protocol-Version']) expect(allowed).toContain(name);
    expect(res.headers.get('access-control-expose-headers')).toContain('Mcp-Session-Id');
  });
});

describe('per-tool step-up before dispatch', () => {
  it('a tool the token lacks scope for → 403 insufficient_scope naming every needed scope', async () => {
    const token = h.token('mcp:read');
    const id = await session(token);
    const res = await post(call(2, 'get-weather-alerts', { region: 'Texas' }), { authorization: `Bearer ${token}`, 'mcp-session-id': id, 'mcp-protocol-version': '2025-06-18' });
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer error="insufficient_scope", error_description="${DESCRIPTIONS.insufficient_scope}", scope="mcp:admin mcp:read", resource_metadata="${PRM}"`,
    );
    const event = h.failures.at(-1);
    expect(event?.requiredScopes).toEqual(['mcp:admin']);
    expect(event?.grantedScopes).toEqual(['mcp:read']);
    expect(event?.calls).toEqual(['tools/call get-weather-alerts']);
  });

  it('allowed tools run', async () => {
    const token = h.token('mcp:read');
    const id = await session(token);
    const res = await post(call(2, 'get-forecast', { city: 'London' }), { authorization: `Bearer ${token}`, 'mcp-session-id': id, 'mcp-protocol-version': '2025-06-18' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { result: { content: { text: string }[] } };
    expect(JSON.parse(body.result.content[0]!.text)).toMatchObject({ city: 'London', contextSub: 'user-123', extraSub: 'user-123' });
  });

  it('a batch that hides an admin call is refused as a whole', async () => {
    const token = h.token('mcp:read');
    const batch = [call(1, 'get-forecast', { city: 'A' }), { jsonrpc: '2.0', id: 2, method: 'tools/list' }, call(3, 'get-weather-alerts', { region: 'B' })];
    const res = await post(batch, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer error="insufficient_scope", error_description="${DESCRIPTIONS.insufficient_scope}", scope="mcp:read mcp:admin", resource_metadata="${PRM}"`,
    );
  });

  it('Mcp-Method / Mcp-Name headers that disagree with the body → 400 with JSON-RPC error -32020, as 2026-07-28 servers answer', async () => {
    const token = h.token('mcp:read');
    const res = await post(call(2, 'get-weather-alerts', { region: 'X' }), { authorization: `Bearer ${token}`, 'mcp-method': 'tools/call', 'mcp-name': 'get-forecast' });
    expect(res.status).toBe(400);
    expect(res.headers.get('www-authenticate')).toBeNull();
    expect(await res.json()).toEqual({ jsonrpc: '2.0', id: 2, error: { code: -32020, message: 'Bad Request: the request headers and body disagree' } });
    const method = await post(call(3, 'get-forecast', { city: 'X' }), { authorization: `Bearer ${token}`, 'mcp-method': 'tools/list' });
    expect(await method.json()).toMatchObject({ id: 3, error: { code: -32020 } });
    // Not JSON at all: the JSON-RPC parse error the MCP SDK itself answers.
    const notJson = await post('{"jsonrpc":', { authorization: `Bearer ${token}` });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
  });

  it('an oversized body is refused before parsing', async () => {
    const small = await startHarnessWithLimit();
    try {
      const res = await fetch(`${small.url}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${small.token('mcp:read')}` },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { pad: 'x'.repeat(4096) } }),
      });
      expect(res.status).toBe(413);
    } finally {
      await small.close();
    }
  });

  it('an unparsable body with a valid token → 400, not 500', async () => {
    const res = await post('{"jsonrpc":', { authorization: `Bearer ${h.token('mcp:read')}` });
    expect(res.status).toBe(400);
  });
});

describe('sessions are bound to their subject', () => {
  it("another subject's token cannot use the session", async () => {
    const alice = h.token('mcp:read', { sub: 'alice' });
    const bob = h.token('mcp:read', { sub: 'bob' });
    const id = await session(alice);
    const hijack = await post({ jsonrpc: '2.0', id: 5, method: 'tools/list' }, { authorization: `Bearer ${bob}`, 'mcp-session-id': id, 'mcp-protocol-version': '2025-06-18' });
    expect(hijack.status).toBe(404);
    const own = await post({ jsonrpc: '2.0', id: 6, method: 'tools/list' }, { authorization: `Bearer ${alice}`, 'mcp-session-id': id, 'mcp-protocol-version': '2025-06-18' });
    expect(own.status).toBe(200);
  });
});

async function startHarnessWithLimit(): Promise<Harness> {
  return (await import('./harness.js')).startHarness({ config: { maxBodyBytes: 1024 } });
}
