/**
 * The key cache (native/key_cache.h): the library parses each key's PEM once instead of on every
 * validation, and gives the same verdicts as without it — for the library's own cases, a new key
 * under an old kid, forged signatures, and more keys than the cache holds (34 of 32) with 64 in flight. Run in
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
    expect(report.wrong).toEqual([]);
    // Two passes over the cases (async and sync) with one signing key: the later parses are hits.
    const casesHits = report.afterCases.hits - report.start.hits;
    const casesMisses = report.afterCases.misses - report.start.misses;
    expect(casesMisses).toBeLessThanOrEqual(1);
    expect(casesHits).toBeGreaterThanOrEqual(20);
    // 34 keys, 3 rounds: the cache holds 32, so some keys are parsed again, never all of them.
    expect(report.afterMany.entries).toBe(32);
    const manyMisses = report.afterMany.misses - report.afterCases.misses;
    const manyHits = report.afterMany.hits - report.afterCases.hits;
    expect(manyMisses).toBeGreaterThanOrEqual(34);
    expect(manyHits + manyMisses).toBeGreaterThanOrEqual(3 * 68);
  }, 150_000);

  it('GOPHER_AUTH_NATIVE_KEY_CACHE=off leaves the library parsing every key, with the same verdicts', async () => {
    const report = await run({ GOPHER_AUTH_NATIVE_KEY_CACHE: 'off' });
    expect(report.attach?.keyCache).toBe(false);
    expect(report.attach?.keyCacheReason).toBe('disabled by GOPHER_AUTH_NATIVE_KEY_CACHE');
    expect(report.wrong).toEqual([]);
    expect(report.afterMany).toEqual({ hits: 0, misses: 0, entries: 0 });
    expect(report.validations).toBeGreaterThan(3 * 68);
  }, 150_000);
});
