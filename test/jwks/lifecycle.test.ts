import { afterEach, describe, expect, it } from 'vitest';
import { GopherAuthException } from '../../src/core/errors.js';
import { JwksManager } from '../../src/core/jwks/manager.js';
import type { JwksSnapshot } from '../../src/core/jwks/types.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';
import { captureLogger, makeJwks, sleep } from './helpers.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(): Promise<JwksServer> {
  const server = await startJwksServer({ jwks: makeJwks('a') });
  cleanups.push(() => server.close());
  return server;
}

async function rejection(promise: Promise<unknown>): Promise<GopherAuthException> {
  const error = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GopherAuthException);
  expect((error as Error).message).toMatch(/after destroy/);
  return error as GopherAuthException;
}

describe('destroy', () => {
  it('is idempotent and makes every later call reject with GopherAuthException', async () => {
    const server = await serve();
    const m = new JwksManager(server.url);
    await m.ready();
    m.destroy();
    m.destroy();
    expect(m.isDestroyed()).toBe(true);
    await rejection(m.ready());
    await rejection(m.refresh());
    await rejection(m.handleUnknownKid('x'));
    expect(m.subscribe(() => {})).toBeTypeOf('function');
    expect(m.status().version).toBe(1);
    expect(server.fetchCount).toBe(1);
  });

  it('aborts a fetch in flight: waiting callers reject at once, not at the timeout', async () => {
    const server = await serve();
    server.setFault({ kind: 'hang' });
    const m = new JwksManager(server.url, { requestTimeout: 10 });
    const pending = [m.ready(), m.refresh(), m.handleUnknownKid('k')];
    await sleep(50);
    const started = performance.now();
    m.destroy();
    for (const p of pending) await rejection(p);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('stops the background refresh timer and drops listeners', async () => {
    const server = await serve();
    const m = new JwksManager(server.url, { cacheDuration: 0.1, minCacheDuration: 0 });
    const seen: JwksSnapshot[] = [];
    m.subscribe((s) => seen.push(s));
    await m.ready();
    expect(seen).toHaveLength(1);
    m.destroy();
    server.setJwks(makeJwks('b'));
    await sleep(300);
    expect(server.fetchCount).toBe(1);
    expect(seen).toHaveLength(1);
  });
});

describe('subscribers', () => {
  it('unsubscribe stops delivery; a throwing listener is logged and does not break others', async () => {
    const logger = captureLogger();
    const server = await serve();
    const m = new JwksManager(server.url, { autoRefresh: false, logger });
    cleanups.push(() => m.destroy());
    const a: number[] = [];
    const b: number[] = [];
    const unsubscribeA = m.subscribe((s) => a.push(s.version));
    m.subscribe(() => {
      throw new Error('listener bug');
    });
    m.subscribe((s) => b.push(s.version));
    const first = await m.ready();
    expect(first.version).toBe(1);
    unsubscribeA();
    unsubscribeA();
    server.setJwks(makeJwks('b'));
    await m.refresh();
    expect(a).toEqual([1]);
    expect(b).toEqual([1, 2]);
    expect(logger.at('error')).toHaveLength(2);
  });

  it('delivers a new snapshot to listeners before ready() resolves', async () => {
    const server = await serve();
    const m = new JwksManager(server.url, { autoRefresh: false });
    cleanups.push(() => m.destroy());
    let delivered: JwksSnapshot | null = null;
    m.subscribe((s) => (delivered = s));
    const snapshot = await m.ready();
    expect(delivered).toBe(snapshot);
    expect(Object.isFrozen(snapshot)).toBe(true);
    expect(Object.isFrozen(snapshot.keys)).toBe(true);
  });
});

describe('usable()', () => {
  it('answers synchronously: fresh keys as is, expired keys while refreshing, nothing past maxStale', async () => {
    const server = await serve();
    const m = new JwksManager(server.url, { cacheDuration: 0.2, minCacheDuration: 0, autoRefresh: false, maxStale: 0.4 });
    cleanups.push(() => m.destroy());

    // Nothing loaded: null, and a load starts in the background (once, however often asked).
    expect(m.usable()).toBeNull();
    expect(m.usable()).toBeNull();
    const first = await m.ready();
    expect(server.fetchCount).toBe(1);
    expect(m.usable()).toBe(first);
    expect(server.fetchCount).toBe(1);

    // Expired: the stale snapshot is still usable and one background refresh brings new keys.
    await sleep(250);
    server.setJwks(makeJwks('b'));
    expect(m.usable()).toBe(first);
    expect(m.usable()).toBe(first);
    await sleep(50);
    expect(server.fetchCount).toBe(2);
    const second = m.usable();
    expect(second?.version).toBe(2);

    // Endpoint down and keys older than lifetime + maxStale: null.
    server.setFault({ kind: 'status', status: 500 });
    await sleep(250);
    expect(m.usable()).toBe(second); // stale within maxStale
    await sleep(450);
    expect(m.usable()).toBeNull();
    expect(m.current()).toBe(second);
    m.destroy();
    expect(m.usable()).toBeNull();
  });
});
