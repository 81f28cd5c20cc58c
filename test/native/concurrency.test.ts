import { describe, expect, it, vi } from 'vitest';
import { runFixture } from './run-fixture.js';

// Child processes on a shared 2-core machine can be slow to start; hangs are still bounded.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

describe('1,000 concurrent invalid tokens through the async path', () => {
  it('control: reading error_message after a koffi .async call returns gives wrong texts', async () => {
    const run = await runFixture<{ total: number; wrongCodes: number; wrongMessages: number }>('concurrency.ts', { args: ['raw'] });
    expect(run.code).toBe(0);
    expect(run.result?.total).toBe(1000);
    expect(run.result?.wrongCodes).toBe(0);
    expect(run.result?.wrongMessages).toBeGreaterThan(0);
  });

  for (const addon of ['default', 'off'] as const) {
    it(`every verdict carries the right code and the right message (addon ${addon})`, async () => {
      const run = await runFixture<{ total: number; wrong: number; sample: unknown[] }>('concurrency.ts', {
        env: { GOPHER_AUTH_ADDON: addon === 'off' ? 'off' : undefined },
      });
      expect(run.signal).toBeNull();
      expect(run.code).toBe(0);
      expect(run.result).toEqual({ total: 1000, wrong: 0, sample: [] });
      expect(run.stdout.length).toBe(0);
    });
  }
});

describe('a native validation deferred to the next turn', () => {
  it('is still answered by the library when the client is destroyed before that turn', async () => {
    const run = await runFixture<{ good: Record<string, unknown>; bad: Record<string, unknown>; offloaded: number }>('deferred-destroy.ts');
    expect(run.signal).toBeNull();
    expect(run.code, run.stderr).toBe(0);
    expect(run.result?.good).toMatchObject({ result: { valid: true, errorCode: 0, errorMessage: null }, error: null });
    expect(run.result?.bad).toMatchObject({ result: { valid: false, errorCode: -1002 }, error: null });
    // Sequential calls: deferred after the budget, never handed to the pool.
    expect(run.result?.good.deferredAfter).toBeGreaterThan(1);
    expect(run.result?.offloaded).toBe(0);
  });
});

describe('concurrent native validations through GopherAuthClient', () => {
  it('leave in batches with exactly the one-at-a-time answers, also when the client is destroyed meanwhile', async () => {
    const run = await runFixture<Record<string, number>>('batches.ts');
    expect(run.signal).toBeNull();
    expect(run.code, run.stderr).toBe(0);
    const r = run.result!;
    expect(r).toMatchObject({ total: 700, valid: 200, mismatches: 0, doomedMismatches: 0 });
    expect(r.batches).toBeGreaterThan(0);
    // More than one token per pool job on average: batching happened.
    expect(r.batchedTokens! / r.batches!).toBeGreaterThan(2);
    expect(r.doomedBatches).toBeGreaterThan(0);
  });

  it('through koffi (addon off): one call per token, the same verdicts and codes', async () => {
    const run = await runFixture<Record<string, number>>('batches.ts', { env: { GOPHER_AUTH_ADDON: 'off' } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.result).toMatchObject({ total: 700, valid: 200, mismatches: 0, doomedMismatches: 0 });
  });
});
