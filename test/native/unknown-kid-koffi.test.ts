/**
 * Hazards "unknown-kid DoS" and "blocking fetch" on the paths unknown-kid.test.ts does not run:
 * backend 'auto' (the default) and the koffi-only path (GOPHER_AUTH_ADDON=off, one `.async` call per
 * token). This file runs in its own vitest fork; the addon is loaded lazily, so switching it off
 * here, before anything loads it, puts every native call in this file on koffi.
 * Containment: native clients never get the real JWKS URI and have auto_refresh=false; the JS
 * manager refetches at most once per cooldown and never on the event loop's thread.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.GOPHER_AUTH_ADDON = 'off';
});

import { addonStatus } from '../../src/backends/native/addon.js';
import { GopherAuthClient } from '../../src/core/client.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

const issuer = new TestIssuer('https://issuer.test/realms/native-koffi');
let server: JwksServer;

beforeAll(async () => {
  server = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
});
afterAll(() => server.close());

describe.runIf(process.platform === 'linux' && process.arch === 'x64')("unknown-kid flood, backend 'auto', koffi only", () => {
  it('the addon is off in this file', () => {
    expect(addonStatus()).toMatchObject({ loaded: false, reason: 'disabled by GOPHER_AUTH_ADDON' });
  });

  it('900 tokens, 600 with fresh unknown kids: at most one refetch, every valid token validates natively', async () => {
    server.resetCounts();
    const client = new GopherAuthClient(server.url, issuer.issuer, { jwks: { unknownKidCooldown: 30 } });
    try {
      await client.ready();
      expect(client.backend).toBe('native');
      expect(server.fetchCount).toBe(1);
      const valid = issuer.sign({ key: 'rsa2048' });
      for (let wave = 0; wave < 3; wave++) {
        const tokens = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? valid : issuer.sign({ key: 'rsa2048b', kid: `attacker-${randomUUID()}` })));
        const results = await Promise.all(tokens.map((t) => client.validateToken(t)));
        results.forEach((r, i) => {
          if (i % 3 === 0) expect(r).toMatchObject({ valid: true, errorCode: 0 });
          else expect(r).toMatchObject({ valid: false, errorCode: -1007 });
        });
        expect(client.validateTokenSync(valid).valid).toBe(true);
      }
      expect(server.fetchCount).toBeLessThanOrEqual(2);
    } finally {
      client.destroy();
    }
  });

  it('a slow (1.5 s) refetch for an unknown kid never blocks the event loop; valid tokens keep validating', async () => {
    const client = new GopherAuthClient(server.url, issuer.issuer, { jwks: { unknownKidCooldown: 30 } });
    try {
      await client.ready();
      expect(client.backend).toBe('native');
      server.setFault({ kind: 'delay', ms: 1500 });
      const valid = issuer.sign({ key: 'rsa2048' });
      let maxGap = 0;
      let last = performance.now();
      const ticker = setInterval(() => {
        const now = performance.now();
        maxGap = Math.max(maxGap, now - last);
        last = now;
      }, 10);
      let settled = false;
      const miss = client.validateToken(issuer.sign({ key: 'rsa2048b', kid: 'attacker-slow' })).finally(() => {
        settled = true;
      });
      let validDuringFetch = 0;
      while (!settled) {
        if ((await client.validateToken(valid)).valid) validDuringFetch++;
        if (client.validateTokenSync(valid).valid) validDuringFetch++;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      clearInterval(ticker);
      expect(await miss).toMatchObject({ valid: false, errorCode: -1007 });
      expect(validDuringFetch).toBeGreaterThan(10);
      expect(maxGap).toBeLessThan(1000);
    } finally {
      server.setFault(null);
      client.destroy();
    }
  });
});
