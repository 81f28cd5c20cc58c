/**
 * Batches of native validations run below the event loop's priority (native/background.h): on a
 * fixed set of helper threads (one per CPU), 10 nice levels down, while the calling thread keeps its
 * own, and without holding a libuv pool thread. Read back from the kernel (/proc); with the levels
 * set to 0 the work runs on the pool threads.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, getPriority } from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';
import { addonStats, adoptClient, nativeAddon, type AddonClientHandle } from '../../src/backends/native/addon.js';
import { ensureAddonBuilt } from './build.js';
import { runChild } from './child.js';
import { AUDIENCE, baseClaims, makeSigner, mint, nativeLibrary, rawClient } from './fixtures.js';
import { threadStat } from '../support/thread-stat.js';

const helperTicks = (): number => (addonStats().backgroundThreads ?? []).reduce((sum, t) => sum + threadStat(t).ticks, 0);

let client: AddonClientHandle;
let tokens: string[];

beforeAll(() => {
  ensureAddonBuilt();
  const signer = makeSigner();
  client = adoptClient(rawClient(nativeLibrary(), signer.jwksJson)) as AddonClientHandle;
  expect(client).not.toBeNull();
  tokens = Array.from({ length: 64 }, (_, i) => mint(signer, baseClaims({ jti: `t${i}` })));
});

/**
 * Rounds of validateMany that cost the helpers several 10 ms ticks: ~7,700 RS256 validations. (40
 * rounds were enough before the key cache made each validation cheaper; then 3–4 ticks, under 5.)
 */
const ROUNDS = 120;

/** 64 in flight in batches of 16, `rounds` times; every answer must be valid. */
async function validateMany(rounds: number): Promise<void> {
  for (let r = 0; r < rounds; r++) {
    const batches = [0, 16, 32, 48].map((i) => client.validateBatch(tokens.slice(i, i + 16), '', AUDIENCE, 60));
    const results = (await Promise.all(batches)).flat();
    expect(results.filter((x) => x.valid)).toHaveLength(64);
  }
}

describe.runIf(process.platform === 'linux')('addon: async validations below the event loop', () => {
  it('run on helper threads 10 nice levels below the calling thread, which keeps its priority', async () => {
    const main = getPriority();
    expect(addonStats().backgroundNice).toBe(10);
    const before = helperTicks();
    await validateMany(ROUNDS);
    const threads = addonStats().backgroundThreads ?? [];
    expect(threads.length).toBeGreaterThan(0);
    for (const thread of threads) {
      expect(thread).not.toBe(process.pid);
      expect(readFileSync(`/proc/${process.pid}/task/${thread}/comm`, 'utf8').trim()).toBe('gopher-validate');
      expect(threadStat(thread).nice).toBe(Math.min(19, main + 10));
    }
    // On the helpers, in ticks of 10 ms.
    expect(helperTicks() - before).toBeGreaterThanOrEqual(5);
    expect(getPriority()).toBe(main);
    expect(threadStat(process.pid).nice).toBe(main);
  });

  it('run on one helper per CPU however many batches are out at once', async () => {
    for (let r = 0; r < 20; r++) {
      const batches = Array.from({ length: 8 }, (_, i) => client.validateBatch(tokens.slice(i * 8, i * 8 + 8), '', AUDIENCE, 60));
      const results = (await Promise.all(batches)).flat();
      expect(results.filter((x) => x.valid)).toHaveLength(64);
    }
    expect(addonStats().backgroundThreads).toHaveLength(availableParallelism());
  });

  it('are answered while every libuv pool thread is blocked, by one helper per CPU even with a pool of one (child process)', async () => {
    const outcome = await runChild<{ answered: string; helpers: number; poolWasBlocked: boolean }>('blocked-pool.ts', { UV_THREADPOOL_SIZE: '1' });
    expect(outcome.signal).toBeNull();
    expect(outcome.code).toBe(0);
    expect(outcome.report).toEqual({ answered: 'answered', helpers: availableParallelism(), poolWasBlocked: true });
  }, 60_000);

  it('stay on the pool threads with the levels set to 0, and move back when raised again', async () => {
    const binding = nativeAddon();
    expect(binding).not.toBeNull();
    try {
      expect(binding?.setBackgroundPriority(0)).toBe(0);
      const before = helperTicks();
      await validateMany(ROUNDS);
      expect(helperTicks() - before).toBeLessThanOrEqual(1);
    } finally {
      expect(binding?.setBackgroundPriority(10)).toBe(10);
    }
    const before = helperTicks();
    await validateMany(ROUNDS);
    expect(helperTicks() - before).toBeGreaterThanOrEqual(5);
  });

  it('a new level reaches the helpers already running', async () => {
    const binding = nativeAddon();
    await validateMany(5); // helpers exist
    const main = getPriority();
    const threads = addonStats().backgroundThreads ?? [];
    expect(threads.length).toBeGreaterThan(0);
    try {
      expect(binding?.setBackgroundPriority(4)).toBe(4);
      for (const thread of threads) expect(threadStat(thread).nice).toBe(Math.min(19, main + 4));
    } finally {
      expect(binding?.setBackgroundPriority(10)).toBe(10);
    }
    for (const thread of threads) expect(threadStat(thread).nice).toBe(Math.min(19, main + 10));
  });

  it('answers a bad priority argument with a TypeError', () => {
    expect(() => (nativeAddon() as unknown as { setBackgroundPriority(v: unknown): number }).setBackgroundPriority('high')).toThrow(TypeError);
  });
});
