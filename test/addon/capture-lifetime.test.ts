/**
 * The native logger and worker threads (each case in a child process: a failure here is a crash).
 * Before the fixes: a worker that set the logger and exited left a freed callback that the main
 * thread's next native call used (SIGABRT); switching the logger under running validations swapped
 * a stream buffer under a writing thread (SIGSEGV); terminating a worker while its validations
 * finished made node-addon-api abort the process.
 */
import { describe, expect, it } from 'vitest';
import { runChild } from './child.js';

describe.skipIf(process.platform !== 'linux' || process.arch !== 'x64')('native logger and worker lifetimes', () => {
  it('a worker sets the native logger and exits: the main thread keeps validating natively', async () => {
    const outcome = await runChild<Record<string, unknown>>('capture-lifetime.ts', { CASE: 'worker-logger' }, 90_000);
    expect({ code: outcome.code, signal: outcome.signal }).toEqual({ code: 0, signal: null });
    expect(outcome.report).toMatchObject({ addonLoaded: true, worker: { exit: 0, message: { set: true, valid: 16 } }, mainValid: 5 });
    expect(outcome.stdout.toString()).toBe('');
  }, 120_000);

  it('switching the logger on and off while batches validate: no crash, every verdict right', async () => {
    const outcome = await runChild<{ validations: number; wrong: number; switches: number }>('capture-lifetime.ts', { CASE: 'toggle', SECONDS: '3' }, 90_000);
    expect({ code: outcome.code, signal: outcome.signal }).toEqual({ code: 0, signal: null });
    expect(outcome.report?.wrong).toBe(0);
    expect(outcome.report?.validations).toBeGreaterThan(1000);
    expect(outcome.report?.switches).toBeGreaterThan(100);
  }, 120_000);

  it('workers terminated while their native validations are in flight: the process lives on, their clients are freed', async () => {
    const outcome = await runChild<Record<string, unknown>>('capture-lifetime.ts', { CASE: 'terminate', ROUNDS: '8' }, 120_000);
    expect({ code: outcome.code, signal: outcome.signal }).toEqual({ code: 0, signal: null });
    expect(outcome.report).toMatchObject({ rounds: 8, mainValidAfter: true, addonLoaded: true, liveHandlesGrew: 0 });
    // 8 rounds × 3 workers, each with a native client nobody destroyed.
    expect(outcome.report?.['freedByTeardown']).toBeGreaterThanOrEqual(24);
  }, 150_000);

  it('wrong binding arguments are exceptions, never an abort: throwing getters, 2^32 − 1 elements, fractional ids', async () => {
    const outcome = await runChild<Record<string, unknown>>('bad-arguments.ts');
    expect({ code: outcome.code, signal: outcome.signal }).toEqual({ code: 0, signal: null });
    expect(outcome.report).toEqual({
      getter: 'Error: getter ran',
      huge: 'RangeError: a batch holds at most 4096 tokens',
      fractionalId: 'Error: the client was destroyed',
      infiniteId: 'Error: the client was destroyed',
      destroyFractional: false,
      stillValid: true,
    });
  }, 90_000);
});
