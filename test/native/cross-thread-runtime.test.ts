import { describe, expect, it, vi } from 'vitest';
import { runFixture } from './run-fixture.js';

vi.setConfig({ testTimeout: 90_000 });

type Verdict = { valid: boolean; code: number; message: string | null };
interface Outcome {
  addon: boolean;
  ready: string;
  beforeOnMain: Verdict;
  initializedWhileWorkerHolds: boolean;
  inWorker: { sync: Verdict; async: Verdict };
  initializedAfterAll: boolean;
  loggerSet: boolean;
  linesBeforeWorker: number;
  linesAfterWorkerAttached: number;
}

describe('native init/shutdown across worker threads (child process)', () => {
  it('with the addon: the main thread letting go never shuts the library down under a worker', async () => {
    const run = await runFixture<Outcome>('cross-thread-runtime.ts');
    expect(run.result, `${run.stderr} code=${run.code} signal=${run.signal}`).not.toBeNull();
    const r = run.result as Outcome;
    expect(r.addon).toBe(true);
    expect(r.beforeOnMain).toMatchObject({ valid: true, code: 0 });
    // Main destroyed its last client and called shutdown once more than init: the worker still holds it.
    expect(r.initializedWhileWorkerHolds).toBe(true);
    expect(r.inWorker.sync).toMatchObject({ valid: true, code: 0 });
    expect(r.inWorker.async).toMatchObject({ valid: true, code: 0 });
    // The worker's destroy was the last release in the process: shut down then.
    expect(r.initializedAfterAll).toBe(false);
  });

  it('with the addon: a worker thread loading the library never switches off the logger the main thread set', async () => {
    const run = await runFixture<Outcome>('cross-thread-runtime.ts');
    const r = run.result as Outcome;
    expect(r.loggerSet).toBe(true);
    expect(r.linesBeforeWorker).toBeGreaterThan(0);
    // Each thread's loader mutes the library's streams when it loads; the worker's attach restores capture.
    expect(r.linesAfterWorkerAttached).toBeGreaterThan(0);
  });

  // Without the addon no count spans the threads: the library is never shut down natively, so the
  // main thread letting go (its self-test, its last client) cannot strand a worker's clients.
  it('without the addon (koffi only): the main thread letting go leaves a worker validating, and nothing crashes', async () => {
    const run = await runFixture<Outcome>('cross-thread-runtime.ts', { env: { GOPHER_AUTH_ADDON: 'off' } });
    expect(run.signal).toBeNull();
    const r = run.result as Outcome;
    expect(r.addon).toBe(false);
    expect(r.loggerSet).toBe(false);
    expect(r.beforeOnMain).toMatchObject({ valid: true, code: 0 });
    expect(r.inWorker.sync).toMatchObject({ valid: true, code: 0 });
    expect(r.inWorker.async).toMatchObject({ valid: true, code: 0 });
  });
});
