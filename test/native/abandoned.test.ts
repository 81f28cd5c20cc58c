import { beforeAll, describe, expect, it, vi } from 'vitest';
import { runFixture, type FixtureRun } from './run-fixture.js';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

const N = 40;

interface Counts {
  live: number | null;
  freed: number | null;
  holders: number;
}
interface Dropped {
  valid: number;
  expectedValid: number;
  created: Counts;
  after: Counts;
  rounds: number;
}
interface Outcome {
  addonLoaded: boolean;
  baseline: Counts;
  dropped: Dropped;
  droppedAuto: Dropped;
  destroyedThenCollected: { valid: number; expectedValid: number; afterDestroy: Counts; after: Counts };
  droppedInFlight: { valid: number; total: number; after: Counts; rounds: number };
  keeperStillValid: number;
  end: Counts;
}

// A GopherAuthClient dropped without destroy(): once collected, the addon handle (or, koffi only,
// the native client) and the hold on the library's init are given back. Child process with --expose-gc.
for (const addon of ['default', 'off'] as const) {
  describe(`native clients dropped without destroy() (child process, addon ${addon})`, () => {
    let run: FixtureRun<Outcome>;
    let r: Outcome;

    beforeAll(async () => {
      run = await runFixture<Outcome>('abandoned.ts', {
        nodeOptions: ['--expose-gc'],
        args: [String(N)],
        env: { GOPHER_AUTH_ADDON: addon === 'off' ? 'off' : undefined },
      });
      if (!run.result) throw new Error(`abandoned fixture reported nothing: code=${run.code} signal=${run.signal} ${run.stderr}`);
      r = run.result;
    });

    it('ran to completion without a crash and without output', () => {
      expect(run.signal).toBeNull();
      expect(run.code).toBe(0);
      expect(run.stdout.length).toBe(0);
      expect(r.addonLoaded).toBe(addon === 'default');
    });

    for (const scenario of ['dropped', 'droppedAuto'] as const) {
      it(`${scenario}: ${N} clients validated, dropped and collected give back every handle and runtime hold`, () => {
        const s = r[scenario];
        expect(s.valid).toBe(s.expectedValid);
        // While they lived, each held one handle and one hold.
        expect(s.created.holders).toBe(r.baseline.holders + N);
        expect(s.after.holders).toBe(r.baseline.holders);
        if (addon === 'default') {
          expect(s.created.live).toBe((r.baseline.live as number) + N);
          expect(s.after.live).toBe(r.baseline.live);
          expect((s.after.freed as number) - (s.created.freed as number)).toBe(N);
        }
      });
    }

    it('a client destroyed explicitly and then collected frees nothing twice', () => {
      const s = r.destroyedThenCollected;
      expect(s.valid).toBe(s.expectedValid);
      expect(s.afterDestroy.holders).toBe(r.baseline.holders);
      expect(s.afterDestroy.live).toBe(r.baseline.live);
      expect(s.after).toEqual(s.afterDestroy);
    });

    it('a client dropped with validations in flight answers them all, then is freed', () => {
      expect(r.droppedInFlight.valid).toBe(r.droppedInFlight.total);
      expect(r.droppedInFlight.after.holders).toBe(r.baseline.holders);
      expect(r.droppedInFlight.after.live).toBe(r.baseline.live);
    });

    it('the clients kept alive never lost the library (no runtime released twice)', () => {
      expect(r.keeperStillValid).toBe(4);
      expect(r.end.holders).toBe(0);
      if (addon === 'default') expect(r.end.live).toBe(0);
    });
  });
}
