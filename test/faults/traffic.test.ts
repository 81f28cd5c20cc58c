/**
 * Faults under traffic, through GopherAuthClient on every backend: keys rotated mid-traffic, all keys
 * removed, stale keys served within maxStale and logged once, unknown-kid floods bounded to one fetch
 * per cooldown, recovery without a restart.
 */
import { describe, expect, it } from 'vitest';
import { GopherAuthError } from '../../src/core/errors.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer } from '../support/jwks-server.js';
import { BACKENDS, FAULT_ISSUER, eventually, faultClient, maxLoopDelay, recordingLogger, sleep } from './support.js';

const issuer = new TestIssuer(FAULT_ISSUER);

function withKid(token: string, kid: string): string {
  const dot = token.indexOf('.');
  return `${Buffer.from(JSON.stringify({ alg: 'RS256', kid })).toString('base64url')}${token.slice(dot)}`;
}

describe.each(BACKENDS)('JWKS faults under traffic (%s backend)', (backend) => {
  it('keys rotated mid-traffic: no failed valid token after the new key is published, old key refused once removed', async () => {
    const server = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
    const client = faultClient(server.url, backend);
    try {
      await client.ready();
      const oldToken = issuer.sign({ key: 'rsa2048', kid: 'old' });
      const newToken = issuer.sign({ key: 'rsa2048b', kid: 'new' });
      server.setJwks(issuer.jwks([issuer.jwk('rsa2048', { kid: 'old' })]));
      await client.refreshJwks();
      const results: boolean[] = [];
      const traffic = (async () => {
        for (let n = 0; n < 60; n++) {
          results.push((await client.validateToken(oldToken)).valid);
          await sleep(5);
        }
      })();
      await sleep(100);
      // Rotation: the new key is published next to the old one, tokens with the new kid arrive at once.
      server.setJwks(issuer.jwks([issuer.jwk('rsa2048', { kid: 'old' }), issuer.jwk('rsa2048b', { kid: 'new' })]));
      const { result: first, maxDelayMs } = await maxLoopDelay(() => client.validateToken(newToken));
      expect(first.valid).toBe(true);
      expect(maxDelayMs).toBeLessThan(250);
      await traffic;
      expect(results.every(Boolean)).toBe(true);
      // The old key is retired: once the client has refreshed, its tokens are refused.
      server.setJwks(issuer.jwks([issuer.jwk('rsa2048b', { kid: 'new' })]));
      await client.refreshJwks();
      expect(await client.validateToken(oldToken)).toMatchObject({ valid: false, errorCode: GopherAuthError.INVALID_KEY });
      expect((await client.validateToken(newToken)).valid).toBe(true);
      expect(client.validateTokenSync(oldToken).valid).toBe(false);
    } finally {
      client.destroy();
      await server.close();
    }
  });

  it('all keys removed: refused as a broken document, last keys kept only within maxStale, no crash; keys back: recovery', async () => {
    const server = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
    const client = faultClient(server.url, backend, { cacheDuration: 0.2, jwks: { maxStale: 1 } });
    const token = issuer.sign();
    try {
      expect((await client.validateToken(token)).valid).toBe(true);
      server.setJwks({ keys: [] });
      await expect(client.refreshJwks()).rejects.toMatchObject({ code: GopherAuthError.JWKS_FETCH_FAILED });
      // An empty set is treated like an outage: the last keys stay, bounded by maxStale...
      expect((await client.validateToken(token)).valid).toBe(true);
      await sleep(1400);
      // ...and then nothing is accepted.
      expect(await client.validateToken(token)).toMatchObject({ valid: false, errorCode: GopherAuthError.JWKS_FETCH_FAILED });
      expect(client.validateTokenSync(token).valid).toBe(false);
      server.setJwks(issuer.jwks(['rsa2048']));
      expect(await eventually(async () => (await client.validateToken(token)).valid, 5000)).toBe(true);
    } finally {
      client.destroy();
      await server.close();
    }
  });

  it('endpoint fails after keys expired: stale keys served up to maxStale, logged once, then refused; recovery', async () => {
    const server = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
    const logger = recordingLogger();
    const client = faultClient(server.url, backend, { cacheDuration: 0.3, logger, jwks: { maxStale: 1.5 } });
    const token = issuer.sign();
    try {
      expect((await client.validateToken(token)).valid).toBe(true);
      server.setFault({ kind: 'status', status: 500 });
      const loadedAt = Date.now();
      // Within the bound (0.3 s fresh + 1.5 s stale, with margin): still accepted, every time.
      const within: boolean[] = [];
      while (Date.now() - loadedAt < 1400) {
        within.push((await client.validateToken(token)).valid);
        within.push(client.validateTokenSync(token).valid);
        await sleep(40);
      }
      expect(within.length).toBeGreaterThan(20);
      expect(within.every(Boolean)).toBe(true);
      expect(logger.count('warn', /serving the last keys/)).toBe(1);
      // Past the bound: refused as a JWKS failure, not accepted on stale keys.
      await sleep(Math.max(0, 2200 - (Date.now() - loadedAt)));
      expect(await client.validateToken(token)).toMatchObject({ valid: false, errorCode: GopherAuthError.JWKS_FETCH_FAILED });
      expect(client.validateTokenSync(token)).toMatchObject({ valid: false, errorCode: GopherAuthError.JWKS_FETCH_FAILED });
      expect(logger.count('warn', /serving the last keys/)).toBe(1);
      server.setFault(null);
      expect(await eventually(async () => (await client.validateToken(token)).valid, 5000)).toBe(true);
      expect(logger.count('info', /recovered/)).toBe(1);
    } finally {
      client.destroy();
      await server.close();
    }
  });

  it('unknown-kid flood: at most one JWKS fetch per cooldown, valid tokens unaffected, loop responsive', async () => {
    const server = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
    const client = faultClient(server.url, backend, { jwks: { unknownKidCooldown: 1 } });
    const valid = issuer.sign();
    try {
      await client.ready();
      server.resetCounts();
      const started = Date.now();
      const { result, maxDelayMs } = await maxLoopDelay(async () => {
        const outcomes: { valid: boolean; errorCode: number }[] = [];
        while (Date.now() - started < 2500) {
          // Never-seen kids; the signature is never reached, so one genuine signature serves them all.
          const batch = Array.from({ length: 50 }, (_, n) => client.validateToken(withKid(valid, `flood-${Date.now()}-${n}`)));
          batch.push(client.validateToken(valid));
          outcomes.push(...(await Promise.all(batch)));
          // Requests arrive through I/O; without this yield the microtask-only fast path would starve timers.
          await new Promise((resolve) => setImmediate(resolve));
        }
        return outcomes;
      });
      const seconds = (Date.now() - started) / 1000;
      expect(result.length).toBeGreaterThan(200);
      expect(result.filter((r) => r.valid).length).toBe(result.length / 51);
      expect(result.filter((r) => !r.valid).every((r) => r.errorCode === GopherAuthError.INVALID_KEY)).toBe(true);
      expect(server.fetchCount).toBeLessThanOrEqual(Math.ceil(seconds / 1) + 1);
      expect(maxDelayMs).toBeLessThan(250);
    } finally {
      client.destroy();
      await server.close();
    }
  });
});
