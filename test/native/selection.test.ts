import { describe, expect, it, vi } from 'vitest';
import { runFixture } from './run-fixture.js';

// Child processes on a shared 2-core machine can be slow to start; hangs are still bounded.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

interface Outcome {
  autoBackend: string;
  infos: { obj: { reason?: string }; msg?: string }[];
  nativeError: { name: string; code: number; message: string } | null;
  /** isInitialized before init, after init, version, after two shutdowns. */
  lifecycle: [boolean, boolean, string, boolean];
}

describe.runIf(process.platform === 'linux' && process.arch === 'x64')('backend selection with the native library', () => {
  it("available: 'auto' and 'native' both use it, nothing is logged", async () => {
    const run = await runFixture<Outcome>('selection.ts', { env: { GOPHER_AUTH_NATIVE_LOAD_MODE: undefined } });
    expect(run.code).toBe(0);
    expect(run.result).toEqual({ autoBackend: 'native', infos: [], nativeError: null, lifecycle: [false, true, '1.0.0', false] });
  });

  it("unavailable: 'auto' uses JS with one info log saying why; 'native' throws saying why and what to do", async () => {
    const run = await runFixture<Outcome>('selection.ts', { env: { GOPHER_AUTH_NATIVE_LOAD_MODE: 'off' } });
    expect(run.code).toBe(0);
    const r = run.result;
    expect(r?.autoBackend).toBe('js');
    expect(r?.infos).toHaveLength(1);
    expect(r?.infos[0]?.obj.reason).toMatch(/disabled by GOPHER_AUTH_NATIVE_LOAD_MODE=off/);
    expect(r?.nativeError?.name).toBe('GopherAuthException');
    expect(r?.nativeError?.code).toBe(-1009);
    expect(r?.nativeError?.message).toMatch(/backend 'native' is unavailable: native loading disabled by GOPHER_AUTH_NATIVE_LOAD_MODE=off; otherwise use backend 'js'/);
    // The library lifecycle functions stay meaningful and harmless without native.
    expect(r?.lifecycle).toEqual([false, true, 'js', false]);
  });
});
