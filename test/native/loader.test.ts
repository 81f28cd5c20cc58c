import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runFixture } from './run-fixture.js';
import type { SearchAttempt } from '../../src/backends/native/search.js';

// Child processes on a shared 2-core machine can be slow to start; hangs are still bounded.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

interface Outcome {
  attempts: SearchAttempt[];
  path: string | null;
  loadMode: string | null;
  isolation: string[];
  missing: { name: string }[] | null;
  bound: number;
  selfTestPassed: boolean | null;
  availability: { available: boolean; reason?: string };
  location: { path: string; loadMode: string; dlopenFlags: number } | null;
  createError: string | null;
}

const packageLib = path.join(
  path.dirname(createRequire(import.meta.url).resolve('@gopher.security/gopher-orch-linux-x64/package.json')),
  'lib',
);
const scratch = mkdtempSync(path.join(tmpdir(), 'gopher-auth-loader-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const unset = { GOPHER_ORCH_LIBRARY_PATH: undefined, GOPHER_AUTH_LIBRARY_PATH: undefined, GOPHER_AUTH_NATIVE_LOAD_MODE: undefined };

async function load(env: Record<string, string | undefined>): Promise<Outcome> {
  const run = await runFixture<Outcome>('loader.ts', { env: { ...unset, ...env } });
  expect(run.signal).toBeNull();
  expect(run.code).toBe(0);
  expect(run.stdout.length).toBe(0);
  if (!run.result) throw new Error(`loader fixture reported nothing: ${run.stderr}`);
  return run.result;
}

const bySource = (o: Outcome, source: string): SearchAttempt[] => o.attempts.filter((a) => a.source === source);

describe.skipIf(process.platform !== 'linux' || process.arch !== 'x64')('native library search and load (linux-x64)', () => {
  it('default: the platform package, loaded isolated with the copy-relocation repair detected; every attempt recorded', async () => {
    const o = await load({});
    const order = o.attempts.map((a) => a.source).filter((s, i, all) => i === 0 || all[i - 1] !== s);
    expect(order).toEqual(['GOPHER_ORCH_LIBRARY_PATH', 'GOPHER_AUTH_LIBRARY_PATH', 'platform-package', 'dev-path', 'system-path', 'bare-name']);
    expect(bySource(o, 'GOPHER_ORCH_LIBRARY_PATH')[0]?.outcome).toBe('not-set');
    expect(bySource(o, 'platform-package')[0]).toMatchObject({ outcome: 'loaded', target: '@gopher.security/gopher-orch-linux-x64' });
    expect(bySource(o, 'bare-name')[0]?.outcome).toBe('skipped');
    expect(o.loadMode).toBe('deepbind');
    expect(o.location).toEqual({ path: o.path, loadMode: 'deepbind', dlopenFlags: 0x2 | 0x8 });
    expect(o.path).toBe(path.join(packageLib, 'libgopher-orch.so'));
    // The repair is detected from the process, not assumed: this node copy-relocates std::cout.
    expect(o.isolation.some((a) => a.startsWith('_ZSt4cout: constructed'))).toBe(true);
    expect(o.missing).toEqual([]);
    expect(o.selfTestPassed).toBe(true);
    expect(o.availability).toEqual({ available: true });
    expect(o.createError).toBeNull();
  });

  it('control: RTLD_DEEPBIND without the copy-relocation repair crashes in gopher_auth_init', async () => {
    const run = await runFixture<{ rc: number }>('deepbind-unrepaired.ts', {
      env: { LIBRARY_FILE: path.join(packageLib, 'libgopher-orch.so') },
    });
    expect(run.result).toBeNull();
    expect(run.signal).toBe('SIGSEGV');
  });

  it('GOPHER_ORCH_LIBRARY_PATH as a directory wins over the platform package', async () => {
    const o = await load({ GOPHER_ORCH_LIBRARY_PATH: packageLib });
    expect(bySource(o, 'GOPHER_ORCH_LIBRARY_PATH')[0]).toMatchObject({
      outcome: 'loaded',
      candidate: path.join(packageLib, 'libgopher-orch.so'),
    });
    expect(bySource(o, 'platform-package')[0]?.outcome).toBe('skipped');
  });

  it('GOPHER_AUTH_LIBRARY_PATH as a versioned file name', async () => {
    const file = path.join(packageLib, 'libgopher-orch.so.0.1.39');
    const o = await load({ GOPHER_AUTH_LIBRARY_PATH: file });
    expect(bySource(o, 'GOPHER_AUTH_LIBRARY_PATH')[0]).toMatchObject({ outcome: 'loaded', candidate: file });
    expect(o.availability.available).toBe(true);
  });

  it('a directory holding only a versioned name is searched for it', async () => {
    const dir = mkdtempSync(path.join(scratch, 'versioned-'));
    symlinkSync(path.join(packageLib, 'libgopher-orch.so.0.1.39'), path.join(dir, 'libgopher-orch.so.0.1.39'));
    const o = await load({ GOPHER_ORCH_LIBRARY_PATH: dir });
    expect(bySource(o, 'GOPHER_ORCH_LIBRARY_PATH')[0]).toMatchObject({
      outcome: 'loaded',
      candidate: path.join(dir, 'libgopher-orch.so.0.1.39'),
    });
    expect(o.availability.available).toBe(true);
  });

  it('a missing path and a file that is not a library are recorded, and the search goes on', async () => {
    const notALibrary = path.join(scratch, 'libgopher-orch.so');
    writeFileSync(notALibrary, 'not an ELF file');
    const o = await load({ GOPHER_ORCH_LIBRARY_PATH: path.join(scratch, 'nope'), GOPHER_AUTH_LIBRARY_PATH: notALibrary });
    expect(bySource(o, 'GOPHER_ORCH_LIBRARY_PATH')[0]).toMatchObject({ outcome: 'not-found', detail: 'no such file or directory' });
    const failed = bySource(o, 'GOPHER_AUTH_LIBRARY_PATH')[0];
    expect(failed?.outcome).toBe('load-failed');
    expect(failed?.detail).toBeTruthy();
    expect(bySource(o, 'platform-package')[0]?.outcome).toBe('loaded');
    expect(o.availability.available).toBe(true);
  });

  it('plain load mode (forced) still passes the self-test', async () => {
    const o = await load({ GOPHER_AUTH_NATIVE_LOAD_MODE: 'plain' });
    expect(o.loadMode).toBe('plain');
    expect(o.location?.dlopenFlags).toBe(0x2);
    expect(o.selfTestPassed).toBe(true);
  });

  it('disabled: unavailable with a reason that says what to do; createClient throws it', async () => {
    const o = await load({ GOPHER_AUTH_NATIVE_LOAD_MODE: 'off' });
    expect(o.availability.available).toBe(false);
    expect(o.availability.reason).toMatch(/disabled by GOPHER_AUTH_NATIVE_LOAD_MODE=off/);
    // The platform package is installed here: the advice is not to install it again.
    expect(o.availability.reason).toBe("native loading disabled by GOPHER_AUTH_NATIVE_LOAD_MODE=off; otherwise use backend 'js'");
    expect(o.createError).toMatch(/^NativeBackendError: native backend unavailable: native loading disabled by GOPHER_AUTH_NATIVE_LOAD_MODE=off/);
    expect(o.location).toBeNull();
  });
});

const compiler = ['cc', 'gcc'].find((cc) => spawnSync(cc, ['--version'], { stdio: 'ignore' }).status === 0);
if (!compiler) console.warn('fake-library loader tests skipped: no C compiler (cc/gcc) to build the stand-in library');

describe.runIf(process.platform === 'linux' && compiler !== undefined)('a library that is not the real one', () => {
  const source = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'fake-library.c');
  const build = (name: string, defines: string[] = []): string => {
    const dir = mkdtempSync(path.join(scratch, `${name}-`));
    const out = spawnSync(compiler!, ['-shared', '-fPIC', ...defines, '-o', path.join(dir, 'libgopher-orch.so'), source], { encoding: 'utf8' });
    if (out.status !== 0) throw new Error(`building the stand-in library failed: ${out.stderr}`);
    return dir;
  };

  it('one that accepts every token fails the startup self-test and is not used', async () => {
    const o = await load({ GOPHER_ORCH_LIBRARY_PATH: build('accepts-all') });
    expect(bySource(o, 'GOPHER_ORCH_LIBRARY_PATH')[0]?.outcome).toBe('loaded');
    expect(o.selfTestPassed).toBe(false);
    expect(o.availability.available).toBe(false);
    expect(o.availability.reason).toMatch(/native self-test failed \(bad signature: valid=true code=0/);
    expect(o.createError).toMatch(/native backend unavailable/);
  });

  it('one that lacks a required function is reported with its symbol coverage', async () => {
    const o = await load({ GOPHER_ORCH_LIBRARY_PATH: build('no-validate', ['-DOMIT_VALIDATE']) });
    expect(o.availability.available).toBe(false);
    expect(o.availability.reason).toMatch(/lacks required functions: gopher_auth_validate_token/);
    // It says which file, how it was chosen and what to do about it.
    expect(o.availability.reason).toMatch(/libgopher-orch\.so \(found through GOPHER_ORCH_LIBRARY_PATH\) is not a usable libgopher-orch; point GOPHER_ORCH_LIBRARY_PATH at libgopher-orch\.so or unset it/);
    expect(o.missing?.map((m) => m.name)).toContain('gopher_auth_validate_token');
    // Optional functions are missing too; each is disabled on its own.
    expect(o.missing?.map((m) => m.name)).toContain('gopher_auth_client_refresh_jwks');
    expect(o.bound).toBeGreaterThan(10);
  });
});
