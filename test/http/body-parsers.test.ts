import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gopherAuth, type GopherAuth } from '../../src/http/gopher-auth.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';

const ISSUER = 'https://issuer.test/realms/demo';
const issuer = new TestIssuer(ISSUER);
let jwks: JwksServer;
let server: Server;
let base: string;
let auth: GopherAuth;

const layouts: Record<string, (app: Express, gate: GopherAuth) => void> = {
  'no body parser': (app, gate) => app.post('/x', gate, echo),
  'express.json() before the gate': (app, gate) => app.post('/x', express.json(), gate, echo),
  'express.json() after the gate': (app, gate) => app.post('/x', gate, express.json(), echo),
  'express.text() before the gate': (app, gate) => app.post('/x', express.text({ type: '*/*' }), gate, echo),
};

function echo(req: express.Request, res: express.Response): void {
  res.json({ body: typeof req.body === 'string' ? JSON.parse(req.body) : req.body });
}

const apps = new Map<string, Express>();

beforeAll(async () => {
  jwks = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
  server = createServer((req, res) => {
    const layout = decodeURIComponent(req.headers['x-layout'] as string);
    apps.get(layout)!(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  auth = gopherAuth({ resource: `${base}/x`, issuer: ISSUER, jwksUri: jwks.url, backend: 'js', toolScopes: { admin: ['mcp:admin'] } });
  for (const [name, mount] of Object.entries(layouts)) {
    const app = express();
    mount(app, auth);
    apps.set(name, app);
  }
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await jwks.close();
  auth.close();
});


describe.each(Object.keys(layouts))('%s', (layout) => {
  const send = (body: unknown) =>
    fetch(`${base}/x`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-layout': encodeURIComponent(layout),
        authorization: `Bearer ${issuer.sign({ claims: { aud: `${base}/x`, scope: 'mcp:read' } })}`,
      },
      body: JSON.stringify(body),
    });

  it('sees the admin call hidden in a batch', async () => {
    const res = await send([{ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'admin' } }]);
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toContain('scope="mcp:admin"');
  });

  it('leaves the body for the handler', async () => {
    const sent = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { cursor: 'é' } };
    const res = await send(sent);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ body: sent });
  });
});
