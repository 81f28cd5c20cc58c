/**
 * A middleware before the gate that reads the body without leaving a parsed `req.body` (an audit
 * log, a signature check, a tap on 'data'): the gate cannot see what the handler will act on, so it
 * must not pass the request as if there were no body (per-tool scopes would be skipped). Refused
 * with 500, as the web gate refuses a body already read.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gopherAuth, type GopherAuth } from '../../src/http/gopher-auth.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';

const issuer = new TestIssuer('https://issuer.test/realms/consumed');
let jwks: JwksServer;
let server: Server;
let base: string;
let auth: GopherAuth;

const buffered: RequestHandler = (req, _res, next) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    (req as IncomingMessage & { rawBody?: string }).rawBody = Buffer.concat(chunks).toString('utf8');
    next();
  });
};
const tapped: RequestHandler = (req, _res, next) => {
  req.once('data', () => {});
  next();
};

beforeAll(async () => {
  jwks = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  auth = gopherAuth({ resource: `${base}/mcp`, issuer: issuer.issuer, jwksUri: jwks.url, backend: 'js', requiredScopes: ['mcp:read'], toolScopes: { 'get-weather-alerts': ['mcp:admin'] }, logger: { debug() {}, info() {}, warn() {}, error() {} } });
  const app = express();
  const handler: RequestHandler = (req, res) => {
    const raw = (req as IncomingMessage & { rawBody?: string }).rawBody;
    res.json({ ran: true, body: raw === undefined ? null : raw.length });
  };
  app.post('/buffered', buffered, auth, handler);
  app.post('/tapped', tapped, auth, handler);
  app.post('/direct', auth, handler);
  app.post('/parsed', express.json(), auth, (req, res) => void res.json({ ran: true, body: req.body as unknown }));
  server.on('request', app);
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await jwks.close();
  auth.close();
});

const alerts = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get-weather-alerts', arguments: { region: 'TX' } } });
const reader = () => issuer.sign({ claims: { aud: `${base}/mcp`, scope: 'mcp:read' } });

describe('a body read before the Express/node gate', () => {
  it('an admin call behind a buffering or tapping middleware is refused (500), not run', async () => {
    for (const path of ['/buffered', '/tapped']) {
      const answer = await fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${reader()}`, 'content-type': 'application/json' }, body: alerts });
      expect(answer.status, path).toBe(500);
      expect(await answer.text()).not.toContain('ran');
    }
  });

  it('the same call with the gate reading the body: 403 insufficient_scope', async () => {
    const answer = await fetch(`${base}/direct`, { method: 'POST', headers: { authorization: `Bearer ${reader()}`, 'content-type': 'application/json' }, body: alerts });
    expect(answer.status).toBe(403);
    await answer.body?.cancel();
  });

  // body-parser 2 marks nothing: the empty object it parsed must not look like a body read and lost.
  it("express.json()'s parse of {} is the body: passed on, not refused", async () => {
    const answer = await fetch(`${base}/parsed`, { method: 'POST', headers: { authorization: `Bearer ${reader()}`, 'content-type': 'application/json' }, body: '{}' });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ ran: true, body: {} });
    const refused = await fetch(`${base}/parsed`, { method: 'POST', headers: { authorization: `Bearer ${reader()}`, 'content-type': 'application/json' }, body: alerts });
    expect(refused.status).toBe(403);
    await refused.body?.cancel();
  });

  it('a POST without a body behind the buffering middleware still passes (nothing to check)', async () => {
    const answer = await fetch(`${base}/buffered`, { method: 'POST', headers: { authorization: `Bearer ${reader()}`, 'content-length': '0' } });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ ran: true, body: 0 });
  });
});
