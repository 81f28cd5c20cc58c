/**
 * A JWKS endpoint can serve a key with a member nested thousands deep (`"ext": [[[…]]]`, ~10 KB):
 * JSON.parse reads it, but the key set is cloned to the verify workers and serialised for the token
 * cache's fingerprints, both recursive. The process ended with "Maximum call stack size exceeded"
 * as soon as a worker started; with the cache on, keys were never handed to the backends.
 */
import { describe, expect, it, vi } from 'vitest';
import { runChild } from './run-child.js';

vi.setConfig({ testTimeout: 90_000 });

interface Outcome {
  valid: number;
  total: number;
  workersValidated: number;
  workersOff: string | null;
}

describe('a JWKS key with a member nested 20,000 deep', () => {
  it.each(['no-cache', 'cache'])('(%s): the process lives, the verify workers run, every token validates', async (cache) => {
    const run = await runChild<Outcome>('deep-jwks.ts', ['20000', cache]);
    expect(run.signal, run.stderr).toBeNull();
    expect(run.code, run.stderr).toBe(0);
    const r = run.result as Outcome;
    expect(r.workersOff).toBeNull();
    expect(r.workersValidated).toBeGreaterThan(0);
    expect(r.valid).toBe(r.total);
  });
});
