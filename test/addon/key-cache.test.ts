/**
 * The key cache (native/key_cache.h): the library parses each key's PEM once instead of on every
 * validation, and gives the same verdicts as without it — for the library's own cases, a new key
 * under an old kid, forged signatures, and more keys than the cache holds with 64 in flight, and a key in constant use kept while others come and go. Run in
 * a child process (it rewrites one of the library's imports), once with the cache and once without.
 */
import { describe, expect, it } from 'vitest';
import { ensureAddonBuilt } from './build.js';
import { runChild } from './child.js';

interface Counters {
  hits: number;
  misses: number;
  entries: number;
}

interface KeyCacheReport {
  attach: { keyCache: boolean; keyCacheReason?: string; deep: boolean } | null;
  wrong: string[];
  start: Counters;
  afterCases: Counters;
  afterMany: Counters;
  hotMisses: number;
  capacity: number;
  validations: number;
}

async function run(env: Record<string, string> = {}): Promise<KeyCacheReport> {
  ensureAddonBuilt();
  const outcome = await runChild<KeyCacheReport>('key-cache.ts', env, 120_000);
  expect(outcome.signal, outcome.stderr.toString()).toBeNull();
  expect(outcome.code, outcome.stderr.toString()).toBe(0);
  expect(outcome.stdout.toString()).toBe('');
  expect(outcome.report).not.toBeNull();
  return outcome.report!;
}

describe.runIf(process.platform === 'linux' && process.arch === 'x64')('addon key cache', () => {
  it('is installed, parses each key once, and every verdict stays the library’s', async () => {
    const report = await run();
    expect(report.attach?.deep).toBe(true);
    expect(report.attach?.keyCache, report.attach?.keyCacheReason).toBe(true);
    expect(report.capacity).toBe(256);
    expect(report.wrong).toEqual([]);
    // Two passes over the cases (async and sync) with one signing key: the later parses are hits.
    expect(report.afterCases.misses - report.start.misses).toBeLessThanOrEqual(1);
    expect(report.afterCases.hits - report.start.hits).toBeGreaterThanOrEqual(20);
    // 12 keys, 3 rounds, 24 tokens each (good and forged): each key parsed once — twice when two
    // pool threads meet a new key at the same moment — then only hits.
    const misses = report.afterMany.misses - report.afterCases.misses;
    expect(misses).toBeGreaterThanOrEqual(12);
    expect(misses).toBeLessThanOrEqual(24);
    expect(report.afterMany.hits - report.afterCases.hits).toBeGreaterThanOrEqual(3 * 24 - misses);
    expect(report.hotMisses).toBe(0);
  }, 150_000);

  it('holds at most its capacity, evicting the least recently used key, with the same verdicts', async () => {
    const report = await run({ GOPHER_AUTH_NATIVE_KEY_CACHE: '8' });
    expect(report.attach?.keyCache).toBe(true);
    expect(report.capacity).toBe(8);
    expect(report.wrong).toEqual([]);
    expect(report.afterMany.entries).toBe(8);
    // 12 keys cycled through 8 places: parsed again on every round, never answered wrongly.
    expect(report.afterMany.misses - report.afterCases.misses).toBeGreaterThan(12);
    // A key used between each of the others stays (oldest-first eviction would drop it every 8).
    expect(report.hotMisses).toBe(0);
  }, 150_000);

  it('GOPHER_AUTH_NATIVE_KEY_CACHE=off leaves the library parsing every key, with the same verdicts', async () => {
    const report = await run({ GOPHER_AUTH_NATIVE_KEY_CACHE: 'off' });
    expect(report.attach?.keyCache).toBe(false);
    expect(report.attach?.keyCacheReason).toBe('disabled by GOPHER_AUTH_NATIVE_KEY_CACHE');
    expect(report.wrong).toEqual([]);
    expect(report.afterMany).toEqual({ hits: 0, misses: 0, entries: 0 });
    expect(report.capacity).toBe(0);
    expect(report.validations).toBeGreaterThan(3 * 24);
  }, 150_000);
});
