import { describe, expect, it, vi } from 'vitest';
import { runFixture } from './run-fixture.js';

// Child processes on a shared 2-core machine can be slow to start; hangs are still bounded.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

const MARKER = 'pii-marker-subject-7d1f';

describe('native output never reaches stdout/stderr', () => {
  it('control: the library loaded naively prints to stdout, including the subject', async () => {
    const run = await runFixture<{ codes: number[] }>('stdout-silence.ts', { args: ['raw'] });
    expect(run.code).toBe(0);
    expect(run.result?.codes).toEqual([0, -1002, -1001, -1003]);
    expect(run.stdout.toString('utf8')).toContain(MARKER);
  });

  for (const addon of ['default', 'off'] as const) {
    it(`stdout stays byte-for-byte empty during 1,000 validations through the backend (addon ${addon})`, async () => {
      const run = await runFixture<{ codes: Record<string, number> }>('stdout-silence.ts', {
        env: { GOPHER_AUTH_ADDON: addon === 'off' ? 'off' : undefined },
      });
      expect(run.signal).toBeNull();
      expect(run.code).toBe(0);
      expect(run.result?.codes).toEqual({ '0': 250, '-1002': 250, '-1001': 250, '-1003': 250 });
      expect(run.stdout.length).toBe(0);
      expect(run.stderr).not.toContain('GopherAuth');
      expect(run.stderr).not.toContain(MARKER);
    });
  }
});
