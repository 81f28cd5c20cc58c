import { afterEach, describe, expect, it } from 'vitest';
import { JwksManager } from '../../src/core/jwks/manager.js';
import type { JwksManagerOptions, JwksSnapshot } from '../../src/core/jwks/types.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';
import { captureLogger, expectFetchFailure, makeJwks, nextEmission, sleep } from './helpers.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(jwks: unknown = makeJwks('a'), headers?: Record<string, string>): Promise<JwksServer> {
  const server = await startJwksServer({ jwks, headers });
  cleanups.push(() => server.close());
  return server;
}

function manager(uri: string, options: JwksManagerOptions = {}): JwksManager {
  const m = new JwksManager(uri, options);
  cleanups.push(() => m.destroy());
  return m;
}

/** Time between the first and second request the server saw, in ms. */
async function refetchGap(server: JwksServer, withinMs: number): Promise<number> {
  const deadline = Date.now() + withinMs;
  while (server.fetchCount < 2 && Date.now() < deadline) await sleep(10);
  const [first, second] = server.requests;
  if (!first || !second) throw new Error(`no background refetch within ${withinMs} ms`);
  return second.at - first.at;
}

describe('cache lifetime from Cache-Control', () => {
  it('honours max-age within the bounds and clamps it to them (background refresh timing)', async () => {
    const bounds = { cacheDuration: 3600, minCacheDuration: 0.5, maxCacheDuration: 1 };
    const variants = [
      // Refreshes come up to 10 % earlier still (jitter, tested below).
      { header: 'max-age=1', expected: 800 }, // inside the bounds: 1 s, refreshed 20 % early
      { header: 'public, max-age=86400', expected: 800 }, // clamped down to maxCacheDuration (1 s)
      { header: 'max-age=0', expected: 400 }, // clamped up to minCacheDuration (0.5 s)
      { header: 'no-store', expected: 400 }, // minCacheDuration
    ];
    const gaps = await Promise.all(
      variants.map(async ({ header }) => {
        const server = await serve(makeJwks('a'), { 'cache-control': header });
        const m = manager(server.url, bounds);
        await m.ready();
        return refetchGap(server, 3000);
      }),
    );
    gaps.forEach((gap, i) => {
      const expected = variants[i]!.expected;
      expect(gap, variants[i]!.header).toBeGreaterThanOrEqual(expected * 0.9 - 20);
      expect(gap, variants[i]!.header).toBeLessThan(expected + 300);
    });
  });

  it('spreads the refreshes and the retries of many managers (no wave of fetches at one instant)', async () => {
    const count = 24;
    const refreshing = await Promise.all(
      Array.from({ length: count }, async () => {
        const server = await serve(makeJwks('a'), { 'cache-control': 'max-age=2' });
        await manager(server.url, { minCacheDuration: 0.5, maxCacheDuration: 2 }).ready();
        return server;
      }),
    );
    const gaps = await Promise.all(refreshing.map((server) => refetchGap(server, 4000)));
    // Due at 1.6 s (20 % early), drawn from [1.44 s, 1.6 s]: without jitter all within a few ms.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1440 - 20);
    expect(Math.max(...gaps) - Math.min(...gaps)).toBeGreaterThan(60);

    const failing = await Promise.all(
      Array.from({ length: count }, async () => {
        const server = await serve();
        server.setFault({ kind: 'status', status: 503 });
        await expectFetchFailure(manager(server.url, { minCacheDuration: 5 }).ready(), /503/);
        return server;
      }),
    );
    // The first retry after 1 s, drawn from [0.9 s, 1.1 s].
    const retries = await Promise.all(failing.map((server) => refetchGap(server, 3000)));
    expect(Math.min(...retries)).toBeGreaterThanOrEqual(900 - 20);
    expect(Math.max(...retries) - Math.min(...retries)).toBeGreaterThan(60);
  });

  it('uses cacheDuration without Cache-Control and marks keys stale after it', async () => {
    const server = await serve();
    const m = manager(server.url, { cacheDuration: 0.5, minCacheDuration: 0, autoRefresh: false });
    const first = await m.ready();
    expect(m.status().stale).toBe(false);
    await sleep(150);
    expect(await m.ready()).toBe(first);
    expect(server.fetchCount).toBe(1);
    await sleep(400);
    expect(m.status().stale).toBe(true);
    // Expired and no outage known: ready() fetches again (same document → same snapshot).
    expect(await m.ready()).toBe(first);
    expect(server.fetchCount).toBe(2);
    expect(m.status()).toMatchObject({ stale: false, version: 1, fetchCount: 2 });
    expect(m.status().ageMs).toBeLessThan(100);
  });

  it('never schedules a refresh when autoRefresh is off', async () => {
    const server = await serve(makeJwks('a'), { 'cache-control': 'max-age=0' });
    const m = manager(server.url, { minCacheDuration: 0.1, autoRefresh: false });
    await m.ready();
    await sleep(300);
    expect(server.fetchCount).toBe(1);
  });
});

describe('background refresh', () => {
  it('picks up a key rotation before the keys expire', async () => {
    const server = await serve(makeJwks('old'));
    const m = manager(server.url, { cacheDuration: 1, minCacheDuration: 0 });
    const first = await m.ready();
    expect(first.keys.map((k) => k.kid)).toEqual(['old']);
    server.setJwks(makeJwks('old', 'new'));
    const rotated = await nextEmission<JwksSnapshot>((cb) => m.subscribe(cb), 2000);
    expect(rotated.version).toBe(2);
    expect(rotated.keys.map((k) => k.kid)).toEqual(['old', 'new']);
    expect(m.current()).toBe(rotated);
    const gap = await refetchGap(server, 0);
    expect(gap).toBeLessThan(1000); // refreshed before the 1 s lifetime ran out
    expect(await m.ready()).toBe(rotated);
  });

  it('keeps the old keys when a background refresh fails, without unhandled rejections', async () => {
    const logger = captureLogger();
    const server = await serve(makeJwks('a'));
    const m = manager(server.url, { cacheDuration: 0.2, minCacheDuration: 0, logger });
    const first = await m.ready();
    server.setFault({ kind: 'status', status: 503 });
    await refetchGap(server, 2000);
    await sleep(20);
    expect(m.current()).toBe(first);
    expect(m.status().lastError).toMatch(/HTTP 503/);
    expect(await m.ready()).toBe(first);
    expect(logger.at('warn')).toHaveLength(1);
  });
});

describe('stale-if-error', () => {
  it('serves stale keys during an outage, logs it once and logs the recovery once', async () => {
    const logger = captureLogger();
    const server = await serve(makeJwks('a'));
    const m = manager(server.url, { cacheDuration: 0.2, minCacheDuration: 0, autoRefresh: false, maxStale: 30, logger });
    const first = await m.ready();
    server.setFault({ kind: 'status', status: 503 });
    await sleep(250);

    // Expired: the first ready() tries the endpoint, fails and falls back to the stale keys.
    expect(await m.ready()).toBe(first);
    expect(server.fetchCount).toBe(2);
    expect(m.status()).toMatchObject({ stale: true, version: 1, keys: 1 });
    expect(m.status().lastError).toMatch(/HTTP 503/);
    // During the known outage ready() answers at once with the stale keys.
    for (let i = 0; i < 20; i++) expect(await m.ready()).toBe(first);
    expect(server.fetchCount).toBe(2);
    await expectFetchFailure(m.refresh(), /HTTP 503/);
    await expectFetchFailure(m.refresh(), /HTTP 503/);

    const warns = logger.at('warn');
    expect(warns).toHaveLength(1);
    expect(warns[0]!.obj).toMatchObject({ jwksUri: server.url, err: 'HTTP 503 Service Unavailable', servingStaleKeys: true });
    expect(logger.at('info')).toHaveLength(0);

    server.setFault(null);
    expect(await m.refresh()).toBe(first);
    await m.refresh();
    expect(m.status()).toMatchObject({ stale: false, lastError: null });
    expect(logger.at('info')).toHaveLength(1);
    expect(logger.at('warn')).toHaveLength(1);

    // A second outage is a new outage: logged again, once.
    server.setFault({ kind: 'garbage' });
    await expectFetchFailure(m.refresh(), /not JSON/);
    await expectFetchFailure(m.refresh(), /not JSON/);
    expect(logger.at('warn')).toHaveLength(2);
  });

  it('rejects ready() once the keys are older than maxStale', async () => {
    const server = await serve(makeJwks('a'));
    const m = manager(server.url, { cacheDuration: 0.1, minCacheDuration: 0, autoRefresh: false, maxStale: 0.5 });
    const first = await m.ready();
    server.setFault({ kind: 'status', status: 502 });
    await sleep(150);
    expect(await m.ready()).toBe(first); // stale, within maxStale
    await sleep(500);
    await expectFetchFailure(m.ready(), /HTTP 502/);
    // The snapshot is still inspectable, but ready() is the gate and it refuses.
    expect(m.current()).toBe(first);
    server.setFault(null);
    expect(await m.refresh()).toBe(first);
    expect(await m.ready()).toBe(first);
  });

  it('without any keys, a failing endpoint rejects ready() and backs off repeated attempts', async () => {
    const logger = captureLogger();
    const server = await serve();
    server.setFault({ kind: 'status', status: 500 });
    const m = manager(server.url, { autoRefresh: false, logger });
    await expectFetchFailure(m.ready(), /HTTP 500/);
    await expectFetchFailure(m.ready(), /HTTP 500/);
    await expectFetchFailure(m.ready(), /HTTP 500/);
    expect(server.fetchCount).toBe(1);
    expect(logger.at('warn')).toHaveLength(1);
    expect(logger.at('warn')[0]!.obj).toMatchObject({ servingStaleKeys: false });
    server.setFault(null);
    expect((await m.refresh()).version).toBe(1);
    expect(logger.at('info')).toHaveLength(1);
  });
});

// cacheDuration 0 ("do not cache") gave keys that expired as they arrived: every validation then
// started a refetch. It is held to minCacheDuration, as a max-age of 0 is.
describe('cacheDuration outside the bounds', () => {
  it('0 without Cache-Control: one fetch for a burst of validations, the keys fresh', async () => {
    const { GopherAuthClient } = await import('../../src/core/client.js');
    const { TestIssuer } = await import('../support/issuer.js');
    const issuer = new TestIssuer('https://issuer.test/cache-duration');
    const server = await serve(issuer.jwks(['rsa2048']));
    const client = new GopherAuthClient(server.url, issuer.issuer, { backend: 'js', cacheDuration: 0 });
    cleanups.push(() => client.destroy());
    await client.ready();
    const token = issuer.sign();
    for (let i = 0; i < 200; i++) {
      expect((await client.validateToken(token)).valid).toBe(true);
      if (i % 20 === 0) await sleep(5);
    }
    expect(server.fetchCount).toBe(1);
    expect(client.jwksStatus().stale).toBe(false);
  });
});
