/**
 * A client that disconnects mid-body while its token is still being verified (cold JWKS, slow
 * endpoint): the gate must still settle — report the refusal — instead of waiting forever for a
 * body whose 'close' already fired.
 */
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthFailureEvent } from '../../src/http/failure.js';
import { gopherAuth, type GopherAuth } from '../../src/http/gopher-auth.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';

const ISSUER = 'https://issuer.test/realms/abort';
const issuer = new TestIssuer(ISSUER);
let jwks: JwksServer;
let server: Server;
let port: number;
let auth: GopherAuth;
const events: AuthFailureEvent[] = [];
let passed = 0;

beforeAll(async () => {
  jwks = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
  jwks.setFault({ kind: 'delay', ms: 800, times: 1 }); // the first (cold) key fetch is slow
  server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  auth = gopherAuth({ resource: `http://127.0.0.1:${port}/mcp`, issuer: ISSUER, jwksUri: jwks.url, backend: 'js', onAuthFailure: (e) => void events.push(e) });
  server.on('request', (req, res) => auth(req, res, () => {
    passed++;
    res.end();
  }));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await jwks.close();
  auth.close();
});

describe('a request aborted mid-body while its token is verified', () => {
  it('is reported as refused within moments of the verdict, never left pending', async () => {
    const token = issuer.sign({ claims: { aud: `http://127.0.0.1:${port}/mcp` } });
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.write(
      `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"jsonrpc":"2.0",`,
    );
    await new Promise((r) => setTimeout(r, 100));
    socket.destroy();
    const deadline = Date.now() + 5_000;
    while (events.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'bad_request', status: 400 });
    expect(events[0]?.reason).toMatch(/closed before its body was read/);
    expect(passed).toBe(0);
  });
});
