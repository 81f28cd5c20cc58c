import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';
import { runFixture } from './run-fixture.js';
import { slowUnknownKidRefetch, unknownKidFlood } from './unknown-kid-scenarios.js';

// Child processes on a shared 2-core machine can be slow to start; hangs are still bounded.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

const issuer = new TestIssuer('https://issuer.test/realms/native');
let server: JwksServer;

beforeAll(async () => {
  server = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
});
afterAll(() => server.close());

describe.runIf(process.platform === 'linux' && process.arch === 'x64')('unknown-kid flood', () => {
  it('control: the native library fetching on its own hits the JWKS endpoint once per unknown kid', async () => {
    server.resetCounts();
    const run = await runFixture<{ codes: number[] }>('unknown-kid-raw.ts', { env: { JWKS_URL: server.url } });
    expect(run.code).toBe(0);
    expect(run.result?.codes).toEqual(Array(20).fill(-1007));
    expect(server.fetchCount).toBeGreaterThanOrEqual(20);
  });

  it('control: the native library fetching on its own blocks the calling thread for the whole fetch', async () => {
    server.setFault({ kind: 'delay', ms: 1000 });
    try {
      const run = await runFixture<{ code: number; blockedMs: number }>('unknown-kid-raw.ts', {
        args: ['timed'],
        env: { JWKS_URL: server.url },
      });
      expect(run.code).toBe(0);
      expect(run.result?.code).toBe(-1007);
      expect(run.result?.blockedMs).toBeGreaterThanOrEqual(900);
    } finally {
      server.setFault(null);
    }
  });

  it('through GopherAuthClient (native): a slow JWKS refetch never blocks the event loop; valid tokens keep validating', () =>
    slowUnknownKidRefetch(server, issuer, { backend: 'native' }));

  it('through GopherAuthClient (native): at most one fetch per cooldown, valid tokens keep validating', () =>
    unknownKidFlood(server, issuer, { backend: 'native' }));
});
