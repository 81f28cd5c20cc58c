/** `npm run fuzz` must report a target whose child process dies (a native crash) as a failure. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('fuzz runner', () => {
  it('reports a child killed by a signal as a failed target and exits non-zero', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/fuzz.ts', '--only', '__crash,challenge-builders', '--runs', '50'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('FAILED __crash: killed by SIGSEGV');
    const summary = JSON.parse(run.stdout) as { outcomes: { target: string; ok: boolean; signal: string | null }[] };
    expect(summary.outcomes).toEqual([
      expect.objectContaining({ target: 'challenge-builders', ok: true, signal: null }),
      expect.objectContaining({ target: '__crash', ok: false, signal: 'SIGSEGV' }),
    ]);
  });
});
