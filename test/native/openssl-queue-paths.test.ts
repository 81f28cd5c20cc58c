/**
 * Hazard "OpenSSL error queue pollution" on every path. Under the isolated (DEEPBIND) load the
 * library uses its bundled libcrypto, so Node's queue is never touched and clearing it proves
 * nothing; on a plain load (macOS, musl, GOPHER_AUTH_NATIVE_LOAD_MODE=plain) the library's OpenSSL
 * calls go to Node's OpenSSL 3 and the containment is `clearNodeOpenSslErrors()` after each koffi
 * call (koffi-only path) or the addon clearing the thread's queue (addon path). openssl-queue.test.ts
 * runs the plain load with the addon only, so removing the koffi-path clearing went unnoticed there.
 */
import { describe, expect, it, vi } from 'vitest';
import { runFixture } from './run-fixture.js';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

interface BackendOutcome {
  codes: number[];
  queueAfter: number;
  crypto: { ok: boolean; error: string | null };
}
interface ClientOutcome extends BackendOutcome {
  answeredBy: string | null;
  error: string | null;
  loadMode: string | null;
  availability: { available: boolean; reason?: string };
}

const addonEnv = (addon: 'default' | 'off'): Record<string, string | undefined> => ({ GOPHER_AUTH_ADDON: addon === 'off' ? 'off' : undefined });

describe.runIf(process.platform === 'linux' && process.arch === 'x64')("Node's OpenSSL error queue on a plain load, every path (child processes)", () => {
  for (const addon of ['default', 'off'] as const) {
    it(`backend, addon ${addon}: queue empty and crypto.sign works after sync and async native failures`, async () => {
      const run = await runFixture<BackendOutcome>('openssl-queue.ts', { env: { GOPHER_AUTH_NATIVE_LOAD_MODE: 'plain', ...addonEnv(addon) } });
      expect(run.signal, run.stderr).toBeNull();
      expect(run.code, run.stderr).toBe(0);
      expect(run.result?.codes).toEqual(Array(10).fill(-1002));
      expect(run.result?.queueAfter).toBe(0);
      expect(run.result?.crypto).toEqual({ ok: true, error: null });
    });

    for (const backend of ['native', 'auto'] as const) {
      it(`GopherAuthClient '${backend}', addon ${addon}: answered natively, queue empty, crypto.sign works`, async () => {
        const run = await runFixture<ClientOutcome>('openssl-queue-client.ts', {
          args: [backend],
          env: { GOPHER_AUTH_NATIVE_LOAD_MODE: 'plain', ...addonEnv(addon) },
        });
        expect(run.signal, run.stderr).toBeNull();
        expect(run.code, run.stderr).toBe(0);
        const r = run.result!;
        expect(r.availability).toEqual({ available: true });
        expect(r.loadMode).toBe('plain');
        expect(r.error).toBeNull();
        // 'auto' would quietly use JS if the self-test found the queue dirty: insist on native.
        expect(r.answeredBy).toBe('native');
        expect(r.codes).toEqual(Array(30).fill(-1002));
        expect(r.queueAfter).toBe(0);
        expect(r.crypto).toEqual({ ok: true, error: null });
      });
    }
  }
});
