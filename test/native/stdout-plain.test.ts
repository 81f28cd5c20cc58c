/**
 * Hazard "logs on stdout, including `sub`" on the plain load (GOPHER_AUTH_NATIVE_LOAD_MODE=plain on
 * glibc; the only mode on macOS/musl). There the library writes to the process's own
 * std::cout/std::cerr and the containment is `muteLibraryStreams` setting badbit on them
 * (src/backends/native/isolation.ts); stdout.test.ts runs only the isolated load, where the streams
 * are constructed muted instead, so removing the plain-load muting failed no test (and through koffi
 * alone ~200 KB of log lines, subjects included, then reached fd 1).
 */
import { describe, expect, it, vi } from 'vitest';
import { runFixture } from './run-fixture.js';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

const MARKER = 'pii-marker-subject-7d1f';

describe.runIf(process.platform === 'linux' && process.arch === 'x64')('native output never reaches stdout/stderr on a plain load', () => {
  for (const addon of ['default', 'off'] as const) {
    it(`1,000 validations through the backend (addon ${addon}): fd 1 byte-for-byte empty, no subject on fd 2`, async () => {
      const run = await runFixture<{ codes: Record<string, number> }>('stdout-silence.ts', {
        env: { GOPHER_AUTH_NATIVE_LOAD_MODE: 'plain', GOPHER_AUTH_ADDON: addon === 'off' ? 'off' : undefined },
      });
      expect(run.signal, run.stderr).toBeNull();
      expect(run.code, run.stderr).toBe(0);
      expect(run.result?.codes).toEqual({ '0': 250, '-1002': 250, '-1001': 250, '-1003': 250 });
      expect(run.stdout.length).toBe(0);
      expect(run.stderr).not.toContain('GopherAuth');
      expect(run.stderr).not.toContain(MARKER);
    });
  }
});
