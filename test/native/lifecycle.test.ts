import { beforeAll, describe, expect, it, vi } from 'vitest';
import { runFixture, type FixtureRun } from './run-fixture.js';

// Child processes on a shared 2-core machine can be slow to start; hangs are still bounded.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

type Verdict = { valid: boolean; code: number; message: string | null; keyMiss?: { kid: string | null } };
interface Outcome {
  doubleDestroy: string | null;
  useAfterDestroySync: string | null;
  useAfterDestroyAsync: string | null;
  setKeysAfterDestroy: string | null;
  destroyDuringFlight: { inFlightAtDestroy: number; inFlightAfter: number; wrong: number; total: number; useAfter: string | null };
  refcount: {
    before: boolean;
    stillValid: Verdict;
    initializedWithLiveClient: boolean;
    afterLastRelease: boolean;
    afterReinit: Verdict;
    version: string;
  };
  keys: Record<'noKeys' | 'noKeysAsync' | 'known' | 'unknownKid' | 'unknownKidAsync' | 'rotatedAway' | 'rotatedIn' | 'afterBrokenSet', Verdict>;
  options: Record<string, number>;
  reinjection: Verdict;
  notInitialised: { sync: Verdict; async: Verdict };
  rotationInFlight: { valid: number; keyMiss: number; other: number; after: Verdict; newKey: Verdict };
}

// Async calls run through the N-API addon when it is built, else through koffi `.async`: both paths.
for (const addon of ['default', 'off'] as const) {
  describe(`native handle lifecycle (child process, addon ${addon})`, () => {
    let run: FixtureRun<Outcome>;
    let r: Outcome;

    beforeAll(async () => {
      run = await runFixture<Outcome>('lifecycle.ts', { env: { GOPHER_AUTH_ADDON: addon === 'off' ? 'off' : undefined } });
      if (!run.result) throw new Error(`lifecycle fixture reported nothing: code=${run.code} signal=${run.signal} ${run.stderr}`);
      r = run.result;
    });

    it('ran to completion without a crash and without output', () => {
      expect(run.signal).toBeNull();
      expect(run.code).toBe(0);
      expect(run.stdout.length).toBe(0);
    });

    it('double destroy is a no-op; every use after destroy is a typed error', () => {
      expect(r.doubleDestroy).toBeNull();
      for (const e of [r.useAfterDestroySync, r.useAfterDestroyAsync, r.setKeysAfterDestroy]) {
        expect(e).toMatch(/^NativeBackendError: native client used after destroy\(\)/);
      }
    });

    it('destroy during 300 in-flight async calls: every call answers correctly, the handle is freed after', () => {
      expect(r.destroyDuringFlight.inFlightAtDestroy).toBe(300);
      expect(r.destroyDuringFlight.total).toBe(300);
      expect(r.destroyDuringFlight.wrong).toBe(0);
      expect(r.destroyDuringFlight.inFlightAfter).toBe(0);
      expect(r.destroyDuringFlight.useAfter).toMatch(/used after destroy/);
    });

    it('init/shutdown are reference-counted: a shutdown never breaks a live client', () => {
      expect(r.refcount.before).toBe(false);
      expect(r.refcount.stillValid).toMatchObject({ valid: true, code: 0 });
      expect(r.refcount.initializedWithLiveClient).toBe(true);
      expect(r.refcount.afterLastRelease).toBe(false);
      expect(r.refcount.afterReinit).toMatchObject({ valid: true, code: 0 });
      expect(r.refcount.version).toBe('1.0.0');
    });

    it('reports keyMiss before keys and for unknown kids; rotation removes keys; a rejected key set trusts nothing old', () => {
      const k = r.keys;
      expect(k.noKeys).toMatchObject({ valid: false, code: -1007, keyMiss: { kid: 'rsa2048' } });
      expect(k.noKeysAsync).toMatchObject({ valid: false, code: -1007, keyMiss: { kid: 'rsa2048' } });
      expect(k.known).toMatchObject({ valid: true, code: 0 });
      expect(k.unknownKid).toMatchObject({ code: -1007, message: 'No key found with kid: rsa2048b', keyMiss: { kid: 'rsa2048b' } });
      expect(k.unknownKidAsync).toMatchObject({ code: -1007, keyMiss: { kid: 'rsa2048b' } });
      expect(k.rotatedAway).toMatchObject({ valid: false, code: -1007, keyMiss: { kid: 'rsa2048' } });
      expect(k.rotatedIn).toMatchObject({ valid: true, code: 0 });
      expect(k.afterBrokenSet).toMatchObject({ valid: false, code: -1007, keyMiss: { kid: 'rsa2048b' } });
    });

    it('per-request audience, scopes, clock skew and algorithm allow-list reach the native call', () => {
      expect(r.options).toEqual({
        audienceOk: 0,
        audienceBad: -1004,
        scopesOk: 0,
        scopesBad: -1005,
        skewExpired: -1001,
        skewWithin: 0,
        disallowedAlg: -1000,
        nulByte: -1000,
      });
    });

    it('key rotation during 400 in-flight async calls: no crash, each answer from the old or the new key set', () => {
      const x = r.rotationInFlight;
      expect(x.valid + x.keyMiss).toBe(400);
      expect(x.other).toBe(0);
      // How many ran before the swap is up to the worker threads; every answer came from one set.
      expect(x.after).toMatchObject({ valid: false, code: -1007, keyMiss: { kid: 'rsa2048' } });
      expect(x.newKey).toMatchObject({ valid: true, code: 0 });
    });

    it('after a process-wide shutdown behind its back, rc -1012 with an untouched struct reads as not initialised', () => {
      expect(r.notInitialised.sync).toMatchObject({ valid: false, code: -1012 });
      expect(r.notInitialised.async).toMatchObject({ valid: false, code: -1012 });
    });

    it('keys are re-injected before the native cache_duration expires them (natively they would fail with -1006)', () => {
      expect(r.reinjection).toMatchObject({ valid: true, code: 0 });
    });
  });
}
