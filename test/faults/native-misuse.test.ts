/**
 * Native handle misuse through the public API, each scenario in a child process: random
 * create/validate/destroy/init/shutdown sequences with calls in flight, and worker_threads that
 * create, destroy and get terminated mid-flight next to a busy main thread. 0 crashes.
 */
import { describe, expect, it } from 'vitest';
import { runChild } from './run-child.js';

const native = process.platform === 'linux' && process.arch === 'x64';

describe.runIf(native)('native handle misuse in child processes', () => {
  it('random create/validate/destroy/init/shutdown sequences: no crash, right verdicts, misuse throws GopherAuthException', async () => {
    const run = await runChild<{ sequences: number; ops: number; validations: number; wrongVerdicts: number; misuseThrows: number; unexpectedErrors: string[] }>(
      'misuse-sequences.ts',
      ['120'],
    );
    expect(run.signal, run.stderr).toBeNull();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.result?.unexpectedErrors).toEqual([]);
    expect(run.result?.wrongVerdicts).toBe(0);
    expect(run.result?.sequences).toBeGreaterThanOrEqual(120);
    expect(run.result?.validations).toBeGreaterThan(300);
    expect(run.result?.misuseThrows).toBeGreaterThan(0);
  });

  it('worker_threads: create/validate/destroy in workers, terminate mid-flight, main thread unaffected', async () => {
    const run = await runChild<{
      main: { validations: number; wrong: number };
      after: { valid: boolean; errorCode: number }[];
      workers: { exit: number; terminated: boolean; result: { validations: number; wrong: number; errors: string[] } | null }[];
    }>('workers.ts');
    expect(run.signal, run.stderr).toBeNull();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('');
    const result = run.result;
    expect(result).not.toBeNull();
    expect(result?.main.wrong).toBe(0);
    expect(result?.main.validations).toBeGreaterThan(100);
    expect(result?.after).toEqual([
      { valid: true, errorCode: 0 },
      { valid: true, errorCode: 0 },
      { valid: false, errorCode: -1002 },
    ]);
    const finished = result?.workers.filter((w) => !w.terminated) ?? [];
    expect(finished.length).toBe(6);
    for (const w of finished) {
      expect(w.exit).toBe(0);
      expect(w.result?.errors).toEqual([]);
      expect(w.result?.wrong).toBe(0);
      expect(w.result?.validations).toBeGreaterThan(250);
    }
    for (const w of result?.workers.filter((x) => x.terminated) ?? []) {
      expect(w.result?.errors ?? []).toEqual([]);
      expect(w.result?.wrong ?? 0).toBe(0);
    }
  });
});
