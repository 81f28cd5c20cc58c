/**
 * Bodies the gate must read exactly as a handler would: on any method that carries one, with a BOM,
 * and never compressed or in another charset (415 rather than a check of bytes the handler decodes
 * differently). Express without a parser (the gate reads the stream) and the web-standard gate.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gopherAuth, type GopherAuth } from '../../src/http/gopher-auth.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';

const ISSUER = 'https://issuer.test/realms/demo';
const issuer = new TestIssuer(ISSUER);
const ADMIN_CALL = JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'admin' } });
const READ_CALL = JSON.stringify({ jsonrpc: '2.0', id: 8, method: 'tools/call', params: { name: 'forecast' } });
let jwks: JwksServer;
let server: Server;
let base: string;
let auth: GopherAuth;
let token: string;

beforeAll(async () => {
  jwks = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
  server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  auth = gopherAuth({ resource: `${base}/mcp`, issuer: ISSUER, jwksUri: jwks.url, backend: 'js', toolScopes: { admin: ['mcp:admin'] } });
  const app = express();
  // A handler that reads the body on every method (as a hand-written JSON-RPC endpoint might).
  app.all('/mcp', auth, express.text({ type: () => true }), (req, res) => {
    res.json({ method: req.method, body: typeof req.body === 'string' ? req.body : JSON.stringify(req.body) });
  });
  server.on('request', app);
  token = issuer.sign({ claims: { aud: `${base}/mcp`, scope: 'mcp:read' } });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await jwks.close();
  auth.close();
});

/** node:http, so GET and DELETE can carry a body as a raw client would send it. */
function send(method: string, body: Buffer | string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // node:http sends a GET or DELETE body unframed unless told its length.
    const framing: Record<string, string> = headers['transfer-encoding'] ? {} : { 'content-length': String(Buffer.byteLength(body)) };
    const req = httpRequest(`${base}/mcp`, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...framing, ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('node gate: bodies on any method', () => {
  it.each(['GET', 'DELETE', 'PUT'])('%s with a tools/call body is checked like a POST', async (method) => {
    const refused = await send(method, ADMIN_CALL);
    expect(refused.status).toBe(403);
    const allowed = await send(method, READ_CALL);
    expect(allowed.status).toBe(200);
    expect(JSON.parse(allowed.body)).toEqual({ method, body: READ_CALL });
  });

  it('GET and DELETE without a body pass as before', async () => {
    for (const method of ['GET', 'DELETE']) {
      const res = await send(method, '', { 'content-type': '' });
      expect(res.status).toBe(200);
    }
  });

  it('a chunked DELETE body is checked too', async () => {
    const refused = await send('DELETE', ADMIN_CALL, { 'transfer-encoding': 'chunked' });
    expect(refused.status).toBe(403);
  });
});

describe('node gate: encodings', () => {
  it('skips a UTF-8 BOM, as body parsers do', async () => {
    expect((await send('POST', `\uFEFF${ADMIN_CALL}`)).status).toBe(403);
    expect((await send('POST', `\uFEFF${READ_CALL}`)).status).toBe(200);
  });

  it('refuses a compressed body with 415 (never checks the compressed bytes)', async () => {
    const res = await send('POST', gzipSync(ADMIN_CALL), { 'content-encoding': 'gzip' });
    expect(res.status).toBe(415);
    expect(JSON.parse(res.body)).toEqual({ error: 'invalid_request', error_description: 'The request body must be JSON in UTF-8, without a Content-Encoding' });
    expect((await send('POST', READ_CALL, { 'content-encoding': 'identity' })).status).toBe(200);
  });

  it('refuses a charset other than UTF-8 with 415; utf-8 in any spelling passes', async () => {
    expect((await send('POST', Buffer.from(READ_CALL, 'utf16le'), { 'content-type': 'application/json; charset=utf-16le' })).status).toBe(415);
    expect((await send('POST', READ_CALL, { 'content-type': 'application/json; charset=ISO-8859-1' })).status).toBe(415);
    expect((await send('POST', READ_CALL, { 'content-type': 'application/json; charset="UTF-8"' })).status).toBe(200);
    expect((await send('POST', READ_CALL, { 'content-type': 'application/json;charset=utf8' })).status).toBe(200);
  });

  it('an empty body is no body, whatever its Content-Type says', async () => {
    expect((await send('POST', '', { 'content-type': 'text/plain; charset=latin1' })).status).toBe(200);
  });

  it('refuses a body nested deeper than 512 levels before parsing it (two million deep held the loop 1.5 s); 512 passes', async () => {
    const nested = (depth: number, inner = '1') => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;
    const deep = await send('POST', `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"forecast","arguments":{"x":${nested(2_000_000)}}}}`, { authorization: `Bearer ${token}`, 'content-type': 'application/json' });
    expect(deep.status).toBe(400);
    // Brackets inside strings are text, not nesting: a long string of them passes.
    const ok = await send('POST', `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"forecast","arguments":{"x":${nested(509)},"s":"${'['.repeat(5000)}"}}}`, { authorization: `Bearer ${token}`, 'content-type': 'application/json' });
    expect(ok.status).toBe(200);
    const web = await auth.gate(new Request(`${base}/mcp`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: nested(513) }));
    expect(web).toBeInstanceOf(Response);
    expect((web as Response).status).toBe(400);
  });

  it('answers a body that is not JSON with the JSON-RPC parse error, no challenge', async () => {
    const res = await send('POST', '{"jsonrpc":');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
  });
});

describe('web gate: the same rules', () => {
  const gate = (init: RequestInit & { headers?: Record<string, string> }) =>
    auth.gate(new Request(`${base}/mcp`, { ...init, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...init.headers } }));

  it('checks a DELETE body, and leaves it readable', async () => {
    expect(((await gate({ method: 'DELETE', body: ADMIN_CALL })) as Response).status).toBe(403);
    const request = new Request(`${base}/mcp`, { method: 'DELETE', body: READ_CALL, headers: { authorization: `Bearer ${token}` } });
    const outcome = await auth.gate(request);
    expect(outcome).not.toBeInstanceOf(Response);
    expect(await request.text()).toBe(READ_CALL);
  });

  it('a DELETE without a body passes, though frameworks give it an empty stream and any Content-Type', async () => {
    const outcome = await auth.gate(new Request(`${base}/mcp`, { method: 'DELETE', body: '', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain; charset=latin1' } }));
    expect(outcome).not.toBeInstanceOf(Response);
  });

  it('BOM, gzip and charset as the node gate', async () => {
    expect(((await gate({ method: 'POST', body: `\uFEFF${ADMIN_CALL}` })) as Response).status).toBe(403);
    expect(((await gate({ method: 'POST', body: gzipSync(ADMIN_CALL), headers: { 'content-encoding': 'gzip' } })) as Response).status).toBe(415);
    expect(((await gate({ method: 'POST', body: READ_CALL, headers: { 'content-type': 'application/json; charset=utf-16' } })) as Response).status).toBe(415);
    expect(await gate({ method: 'POST', body: READ_CALL })).not.toBeInstanceOf(Response);
  });
});
