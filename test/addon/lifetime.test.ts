import { beforeAll, describe, expect, it } from 'vitest';
import { ensureAddonBuilt } from './build.js';
import { runChild } from './child.js';

interface DestroyReport {
  rounds: number;
  validated: number;
  wrongVerdicts: number;
  unexpectedRejections: number;
  afterDestroyRejected: number;
  afterDestroyAccepted: number;
  doubleDestroyRefused: number;
  doubleAdoptRefused: number;
  samples: string[];
  stats: { liveHandles: number; inFlight: number; freedHandles: number };
  nodeOpenSslError: number;
}

beforeAll(() => ensureAddonBuilt());

describe('addon: handle lifetimes', () => {
  it('destroy during in-flight calls, 1,000 rounds in a child: no crash, no wrong verdict, each client freed once', async () => {
    const outcome = await runChild<DestroyReport>('destroy-in-flight.ts', { ROUNDS: '1000' }, 120_000);
    expect(outcome.signal).toBeNull();
    expect(outcome.stderr.toString()).toBe('');
    expect(outcome.code).toBe(0);
    const r = outcome.report!;
    expect(r.samples).toEqual([]);
    expect(r.wrongVerdicts).toBe(0);
    expect(r.unexpectedRejections).toBe(0);
    // 750 rounds with calls in flight (8..32 each), 250 destroyed before any call.
    expect(r.validated).toBeGreaterThan(750 * 8);
    // validate, validateSync and setJwks after destroy: 3 refusals per round, none accepted.
    expect(r.afterDestroyRejected).toBe(3 * r.rounds);
    expect(r.afterDestroyAccepted).toBe(0);
    expect(r.doubleDestroyRefused).toBe(r.rounds);
    expect(r.doubleAdoptRefused).toBe(r.rounds / 50);
    expect(r.stats.liveHandles).toBe(0);
    expect(r.stats.inFlight).toBe(0);
    expect(r.stats.freedHandles).toBe(r.rounds);
    expect(r.nodeOpenSslError).toBe(0);
  }, 150_000);

  it('process.exit() with validations in flight (single calls and batches) and capture on exits cleanly, the library loaded either way (12 runs)', async () => {
    // Loaded plain, the library shares Node's OpenSSL, which is torn down at exit: a helper still
    // inside a batch then crashed the process (SIGSEGV in 13 of 16 runs) until the addon waited for them.
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        runChild<{ started: number }>('exit-in-flight.ts', { EXIT_AFTER_MS: String(i % 3), GOPHER_AUTH_NATIVE_LOAD_MODE: i % 2 === 0 ? 'plain' : 'deepbind' }),
      ),
    );
    for (const outcome of outcomes) {
      expect(outcome.signal).toBeNull();
      expect(outcome.code).toBe(0);
      expect(outcome.stdout.length + outcome.stderr.length).toBe(0);
      expect(outcome.report).toEqual({ started: 64 + 64 * 16 });
    }
  }, 120_000);

  it('disabled addon: status says why, and the native backend validates asynchronously through koffi', async () => {
    const outcome = await runChild<{
      status: { loaded: boolean; reason: string; path: string | null };
      adopted: boolean;
      verdicts: { valid: boolean; code: number }[];
    }>('fallback.ts', { GOPHER_AUTH_ADDON: '0' });
    expect(outcome.code).toBe(0);
    const r = outcome.report!;
    expect(r.status).toEqual({ loaded: false, path: null, reason: 'disabled by GOPHER_AUTH_ADDON' });
    expect(r.adopted).toBe(false);
    expect(r.verdicts.map((v) => [v.valid, v.code])).toEqual([
      [true, 0],
      [false, -1001],
    ]);
  });
});
