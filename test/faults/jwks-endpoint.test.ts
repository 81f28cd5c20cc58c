/**
 * JWKS endpoint faults seen through GopherAuthClient.validateToken on every backend: down, slow past
 * the timeout, 500, 404, garbage, wrong content type, a 50 MiB body, a redirect loop, a redirect to
 * another origin. Each: a clean JWKS_FETCH_FAILED result (no throw, no crash), no event-loop stall,
 * and recovery without a restart once the endpoint is fixed.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GopherAuthError } from '../../src/core/errors.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer, type JwksFault, type JwksServer } from '../support/jwks-server.js';
import { BACKENDS, FAULT_ISSUER, eventually, faultClient, maxLoopDelay } from './support.js';

const issuer = new TestIssuer(FAULT_ISSUER);
const LOOP_BUDGET_MS = 250;

interface Scenario {
  name: string;
  fault: (env: { other: JwksServer }) => JwksFault;
}

const SCENARIOS: Scenario[] = [
  { name: 'slow past the timeout', fault: () => ({ kind: 'delay', ms: 4000 }) },
  { name: 'hangs', fault: () => ({ kind: 'hang' }) },
  { name: '500', fault: () => ({ kind: 'status', status: 500 }) },
  { name: '404', fault: () => ({ kind: 'status', status: 404 }) },
  { name: 'garbage body', fault: () => ({ kind: 'garbage', body: '<html>{"keys":[' }) },
  { name: 'wrong content type', fault: () => ({ kind: 'content-type', contentType: 'text/html' }) },
  { name: '50 MiB body', fault: () => ({ kind: 'huge', bytes: 50 * 1024 * 1024 }) },
  { name: '50 MiB body with Content-Length', fault: () => ({ kind: 'huge', bytes: 50 * 1024 * 1024, declareLength: true }) },
  { name: 'redirect loop', fault: () => ({ kind: 'redirect', to: 'loop' }) },
  { name: 'redirect to another origin', fault: ({ other }) => ({ kind: 'redirect', to: other.url }) },
];

describe.each(BACKENDS)('JWKS endpoint faults through validateToken (%s backend)', (backend) => {
  let other: JwksServer;
  beforeAll(async () => {
    // Serves the right keys: a cross-origin redirect must still be refused.
    other = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
  });
  afterAll(async () => {
    await other.close();
  });

  // Concurrent: each scenario has its own server and client; the loop-delay budget then also covers the others.
  it.concurrent.for(SCENARIOS)('$name: JWKS_FETCH_FAILED, no stall, recovery without restart', async ({ name, fault }, { expect }) => {
    const server = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
    server.setFault(fault({ other }));
    const client = faultClient(server.url, backend);
    const token = issuer.sign();
    try {
      const started = Date.now();
      const { result, maxDelayMs } = await maxLoopDelay(() => client.validateToken(token));
      expect(result).toMatchObject({ valid: false, errorCode: GopherAuthError.JWKS_FETCH_FAILED });
      expect(Date.now() - started, name).toBeLessThan(3000);
      expect(maxDelayMs, name).toBeLessThan(LOOP_BUDGET_MS);
      if (name.startsWith('50 MiB')) expect(server.hugeBytesSent).toBeLessThan(8 * 1024 * 1024);
      expect(other.fetchCount).toBe(0);

      server.setFault(null);
      const recovered = await eventually(async () => (await client.validateToken(token)).valid, 5000);
      expect(recovered, `${name}: recovered`).toBe(true);
    } finally {
      client.destroy();
      await server.close();
    }
  });

  it('down (connection refused), then up on the same port: recovery without restart', async () => {
    const body = JSON.stringify(issuer.jwks(['rsa2048']));
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const client = faultClient(`http://127.0.0.1:${port}/jwks.json`, backend);
    const token = issuer.sign();
    let server: Server | null = null;
    try {
      const { result, maxDelayMs } = await maxLoopDelay(() => client.validateToken(token));
      expect(result).toMatchObject({ valid: false, errorCode: GopherAuthError.JWKS_FETCH_FAILED });
      expect(maxDelayMs).toBeLessThan(LOOP_BUDGET_MS);
      expect(client.validateTokenSync(token)).toMatchObject({ valid: false, errorCode: GopherAuthError.JWKS_FETCH_FAILED });

      const up = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
      await new Promise<void>((resolve) => up.listen(port, '127.0.0.1', resolve));
      server = up;
      expect(await eventually(async () => (await client.validateToken(token)).valid, 5000)).toBe(true);
    } finally {
      client.destroy();
      if (server) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server?.close(() => resolve()));
      }
    }
  });
});
