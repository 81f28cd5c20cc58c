import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { GopherAuthClient } from '../../src/core/client.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';
import { runFixture } from './run-fixture.js';

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

  it('through GopherAuthClient (native): a slow JWKS refetch never blocks the event loop; valid tokens keep validating', async () => {
    const client = new GopherAuthClient(server.url, issuer.issuer, { backend: 'native', jwks: { unknownKidCooldown: 30 } });
    try {
      await client.ready();
      server.setFault({ kind: 'delay', ms: 1500 });
      const valid = issuer.sign({ key: 'rsa2048' });
      const attacker = issuer.sign({ key: 'rsa2048b', kid: 'attacker-slow' });
      let maxGap = 0;
      let last = performance.now();
      const ticker = setInterval(() => {
        const now = performance.now();
        maxGap = Math.max(maxGap, now - last);
        last = now;
      }, 10);
      let settled = false;
      const miss = client.validateToken(attacker).finally(() => {
        settled = true;
      });
      // Valid tokens validated while the slow refetch for the unknown kid is pending.
      let validDuringFetch = 0;
      while (!settled) {
        if ((await client.validateToken(valid)).valid) validDuringFetch++;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const missed = await miss;
      clearInterval(ticker);
      expect(missed).toMatchObject({ valid: false, errorCode: -1007 });
      expect(validDuringFetch).toBeGreaterThan(10);
      // A blocked loop would show a gap of the whole 1.5 s fetch; scheduling noise on a shared
      // 2-core machine stays well below that.
      expect(maxGap).toBeLessThan(1000);
    } finally {
      server.setFault(null);
      client.destroy();
    }
  });

  it('through GopherAuthClient (native): at most one fetch per cooldown, valid tokens keep validating', async () => {
    server.resetCounts();
    const client = new GopherAuthClient(server.url, issuer.issuer, { backend: 'native', jwks: { unknownKidCooldown: 30 } });
    try {
      await client.ready();
      expect(client.backend).toBe('native');
      expect(server.fetchCount).toBe(1);
      const valid = issuer.sign({ key: 'rsa2048' });
      for (let wave = 0; wave < 3; wave++) {
        const tokens = Array.from({ length: 300 }, (_, i) =>
          i % 3 === 0 ? valid : issuer.sign({ key: 'rsa2048b', kid: `attacker-${randomUUID()}` }),
        );
        const results = await Promise.all(tokens.map((t) => client.validateToken(t)));
        results.forEach((r, i) => {
          if (i % 3 === 0) expect(r).toMatchObject({ valid: true, errorCode: 0 });
          else expect(r).toMatchObject({ valid: false, errorCode: -1007 });
        });
        expect(client.validateTokenSync(valid).valid).toBe(true);
      }
      // The initial load plus at most one unknown-kid refetch inside the 30 s cooldown.
      expect(server.fetchCount).toBeLessThanOrEqual(2);
    } finally {
      client.destroy();
    }
  });
});
