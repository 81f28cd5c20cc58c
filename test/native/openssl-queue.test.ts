import { describe, expect, it, vi } from 'vitest';
import { runFixture } from './run-fixture.js';

// Child processes on a shared 2-core machine can be slow to start; hangs are still bounded.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

interface Outcome {
  codes: number[];
  queueAfter: number;
  crypto: { ok: boolean; error: string | null };
}

describe("Node's OpenSSL error queue after native signature failures", () => {
  it('control: the library called naively leaves errors on Node\'s queue', async () => {
    const run = await runFixture<Outcome>('openssl-queue.ts', { args: ['raw'] });
    expect(run.code).toBe(0);
    expect(run.result?.codes).toEqual(Array(5).fill(-1002));
    expect(run.result?.queueAfter).not.toBe(0);
    // Node 20 then fails the next crypto.sign ("padding check failed"); Node 22 happens to tolerate it.
    if (process.versions.node.startsWith('20.')) expect(run.result?.crypto.ok).toBe(false);
  });

  for (const mode of ['deepbind', 'plain'] as const) {
    it(`through the backend (${mode} load) the queue is empty and crypto.sign works`, async () => {
      const run = await runFixture<Outcome>('openssl-queue.ts', { env: { GOPHER_AUTH_NATIVE_LOAD_MODE: mode } });
      expect(run.signal).toBeNull();
      expect(run.code).toBe(0);
      expect(run.result?.codes).toEqual(Array(10).fill(-1002));
      expect(run.result?.queueAfter).toBe(0);
      expect(run.result?.crypto).toEqual({ ok: true, error: null });
    });
  }
});
