/**
 * Hazard "crashes on misuse" (docs/native.md): double destroy of a client is a double native free.
 * lifecycle.test.ts destroys its only client twice, after which the library has been shut down and
 * `client_destroy` frees nothing, so that test would pass without the JS guard. Here another holder
 * (a live client, an explicit init, a live GopherAuthClient) keeps the library initialised, so a
 * second native free would abort the child (glibc: "double free detected").
 */
import { describe, expect, it, vi } from 'vitest';
import { runFixture } from './run-fixture.js';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

interface Outcome {
  secondDestroy: string | null;
  thirdDestroy: string | null;
  useAfterDestroy: string | null;
  setKeysAfterDestroy: string | null;
  backendFreed: number | null;
  inFlight: { wrong: number; freed: number | null };
  underExplicitInit: string | null;
  initializedAfter: boolean;
  doomedBackend: string;
  doomedValid: boolean;
  clientSecondDestroy: string | null;
  clientUseAfterDestroy: string | null;
  liveAfter: { valid: boolean; bad: number; sync: boolean };
  addon: boolean;
}

describe.runIf(process.platform === 'linux' && process.arch === 'x64')('double destroy with the library still held (child process)', () => {
  for (const addon of ['default', 'off'] as const) {
    it(`addon ${addon}: no crash, one native free per client, typed errors after destroy, other holders unaffected`, async () => {
      const run = await runFixture<Outcome>('misuse-held.ts', { env: { GOPHER_AUTH_ADDON: addon === 'off' ? 'off' : undefined } });
      expect(run.signal, run.stderr).toBeNull();
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout.length).toBe(0);
      const r = run.result!;
      expect(r.addon).toBe(addon === 'default');
      expect(r.secondDestroy).toBeNull();
      expect(r.thirdDestroy).toBeNull();
      expect(r.underExplicitInit).toBeNull();
      expect(r.clientSecondDestroy).toBeNull();
      expect(r.useAfterDestroy).toMatch(/^NativeBackendError: native client used after destroy\(\)/);
      expect(r.setKeysAfterDestroy).toMatch(/^NativeBackendError: native client used after destroy\(\)/);
      expect(r.clientUseAfterDestroy).toMatch(/used after destroy/);
      expect(r.inFlight.wrong).toBe(0);
      if (addon === 'default') {
        // Exactly one native free per destroyed client, counted by the addon's handle table.
        expect(r.backendFreed).toBe(1);
        expect(r.inFlight.freed).toBe(1);
      }
      expect(r.initializedAfter).toBe(true);
      expect(r.doomedBackend).toBe('native');
      expect(r.doomedValid).toBe(true);
      expect(r.liveAfter).toEqual({ valid: true, bad: -1002, sync: true });
    });
  }
});
