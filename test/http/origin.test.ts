/**
 * MCP's Streamable HTTP transport: a request whose Origin header is present but not allowed MUST
 * get 403 (DNS rebinding, cross-site use). With a `cors.origin` list the gate answers so, before
 * looking at the token; with `'*'` (the default) or CORS off, every Origin passes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthFailureEvent } from '../../src/http/failure.js';
import { gopherAuth, type GopherAuth } from '../../src/http/gopher-auth.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';

const ISSUER = 'https://issuer.test/realms/origin';
const issuer = new TestIssuer(ISSUER);
const ALLOWED = 'https://app.example';
let jwks: JwksServer;
let server: Server;
let resource: string;
let listed: GopherAuth;
let open: GopherAuth;
const events: AuthFailureEvent[] = [];

beforeAll(async () => {
  jwks = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
  server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  resource = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  const common = { resource, issuer: ISSUER, jwksUri: jwks.url, backend: 'js' as const };
  listed = gopherAuth({ ...common, cors: { origin: [ALLOWED] }, onAuthFailure: (e) => void events.push(e) });
  open = gopherAuth(common);
  const app = express();
  app.all('/mcp', listed, (_req, res) => void res.json({ ok: true }));
  server.on('request', app);
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await jwks.close();
  listed.close();
  open.close();
});

const token = () => issuer.sign({ claims: { aud: resource } });
const headers = (origin?: string): Record<string, string> => ({ authorization: `Bearer ${token()}`, ...(origin === undefined ? {} : { origin }) });

describe.each([
  ['Express gate', async (origin?: string) => (await fetch(resource, { method: 'POST', headers: headers(origin) })).status],
  ['web gate', async (origin?: string) => {
    const verdict = await listed.gate(new Request(resource, { method: 'POST', headers: headers(origin) }));
    return verdict instanceof Response ? verdict.status : 200;
  }],
])('%s with cors.origin [%j]', (_name, status) => {
  it('serves a listed Origin and requests without one', async () => {
    expect(await status(ALLOWED)).toBe(200);
    expect(await status()).toBe(200);
  });

  it.each(['https://evil.example', 'null', 'https://app.example.evil.example', 'http://app.example', 'https://APP.example'])(
    'refuses Origin %s with 403 even with a valid token',
    async (origin) => {
      expect(await status(origin)).toBe(403);
    },
  );
});

// Preflights need no token and the adapters answer OPTIONS themselves: the Origin is checked there too.
describe.each([
  ['Express gate', async (init: RequestInit) => fetch(resource, init)],
  ['web gate', async (init: RequestInit) => {
    const verdict = await listed.gate(new Request(resource, init));
    return verdict instanceof Response ? verdict : new Response(null, { status: 200 });
  }],
])('%s: OPTIONS', (_name, send) => {
  it('a preflight or plain OPTIONS from a disallowed Origin gets 403, reported; from a listed one 204', async () => {
    for (const extra of [{ 'access-control-request-method': 'POST' }, {}] as Record<string, string>[]) {
      const before = events.length;
      const refused = await send({ method: 'OPTIONS', headers: { origin: 'https://evil.example', ...extra } });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
      expect(await refused.json()).toMatchObject({ error: 'forbidden' });
      expect(events.slice(before)).toEqual([expect.objectContaining({ kind: 'forbidden_origin', status: 403, method: 'OPTIONS', path: '/mcp' })]);
      const allowed = await send({ method: 'OPTIONS', headers: { origin: ALLOWED, ...extra } });
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    }
  });
});

describe('the refusal', () => {
  it('is JSON, reported to onAuthFailure, and carries no challenge', async () => {
    const before = events.length;
    const res = await fetch(resource, { method: 'POST', headers: headers('https://evil.example') });
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBeNull();
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(await res.json()).toEqual({ error: 'forbidden', error_description: 'Requests from this Origin are not allowed' });
    expect(events.slice(before)).toEqual([expect.objectContaining({ kind: 'forbidden_origin', status: 403 })]);
  });

  it("with the default cors ('*') every Origin passes", async () => {
    const verdict = await open.gate(new Request(resource, { method: 'POST', headers: headers('https://evil.example') }));
    expect(verdict).not.toBeInstanceOf(Response);
  });
});
