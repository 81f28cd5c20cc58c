import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { describeThreadPriority } from '../../src/backends/thread-priority.js';
import { ensureAddonBuilt } from '../addon/build.js';

// Child processes on a shared 2-core machine can be slow to start; hangs are still bounded.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function doctor(args: string[], env: Record<string, string | undefined> = {}, entry: 'bin' | 'source' = 'bin') {
  const argv = entry === 'bin' ? ['bin/gopher-auth.js', 'doctor', ...args] : ['--import', 'tsx', 'src/cli/doctor.ts', ...args];
  const run = spawnSync(process.execPath, argv, {
    cwd: root,
    env: { ...process.env, GOPHER_ORCH_LIBRARY_PATH: undefined, GOPHER_AUTH_LIBRARY_PATH: undefined, GOPHER_AUTH_NATIVE_LOAD_MODE: undefined, ...env },
    encoding: 'utf8',
    timeout: 80_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe.skipIf(process.platform !== 'linux' || process.arch !== 'x64')('gopher-auth doctor', () => {
  it('prints platform, node, every search attempt, the library, load mode, symbols, self-test and the auto pick', () => {
    const { code, stdout } = doctor(['--require-native'], {}, 'source');
    expect(code).toBe(0);
    expect(stdout).toContain(`linux-x64 (glibc `);
    expect(stdout).toContain(process.version);
    for (const source of ['GOPHER_ORCH_LIBRARY_PATH', 'GOPHER_AUTH_LIBRARY_PATH', 'platform-package', 'dev-path', 'system-path', 'bare-name']) {
      expect(stdout).toContain(source);
    }
    expect(stdout).toMatch(/library\s+\/.*libgopher-orch\.so\n/);
    expect(stdout).toMatch(/load mode\s+isolated \(RTLD_NOW \| RTLD_DEEPBIND\)/);
    expect(stdout).toMatch(/symbols\s+31\/31 bound/);
    expect(stdout).toMatch(/self-test\s+passed/);
    expect(stdout).toMatch(/backend 'auto'\s+native/);
    expect(stdout).toMatch(/async path\s+(N-API addon \(\/.*\.node\)|koffi \.async \(addon not in use: .+\))/);
    expect(doctor([], { GOPHER_AUTH_ADDON: 'off' }, 'source').stdout).toMatch(/async path\s+koffi \.async \(addon not in use: disabled by GOPHER_AUTH_ADDON\)/);
  });

  it('says whether the addon\'s key cache is on, and why not when switched off', () => {
    ensureAddonBuilt();
    const { stdout } = doctor([], {}, 'source');
    expect(stdout).toMatch(/async path\s+N-API addon/);
    expect(stdout).toMatch(/key cache\s+on \(each key parsed once, not on every validation; up to 256 keys\)/);
    expect(doctor([], { GOPHER_AUTH_NATIVE_KEY_CACHE: '8' }, 'source').stdout).toMatch(/key cache\s+on \(.*up to 8 keys\)/);
    expect(doctor([], { GOPHER_AUTH_NATIVE_KEY_CACHE: 'off' }, 'source').stdout).toMatch(/key cache\s+off: disabled by GOPHER_AUTH_NATIVE_KEY_CACHE/);
  });

  it('the gopher-auth bin runs (dist/ when built, else the TypeScript sources)', () => {
    const { code, stdout } = doctor(['--require-native']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/self-test\s+passed/);
    expect(stdout).toMatch(/backend 'auto'\s+native/);
  });

  it('--require-native exits non-zero when native is unavailable; auto then picks js', () => {
    const { code, stdout, stderr } = doctor(['--require-native'], { GOPHER_AUTH_NATIVE_LOAD_MODE: 'off' });
    expect(code).toBe(1);
    expect(stdout).toMatch(/native backend\s+unavailable: native loading disabled/);
    expect(stdout).toMatch(/backend 'auto'\s+js/);
    expect(stderr).toContain('--require-native: the native backend is unavailable');
    expect(doctor([], { GOPHER_AUTH_NATIVE_LOAD_MODE: 'off' }).code).toBe(0);
    // With --json, stdout is one JSON document a CI script can parse, whatever the exit code.
    const json = doctor(['--json', '--require-native'], { GOPHER_AUTH_NATIVE_LOAD_MODE: 'off' });
    expect(json.code).toBe(1);
    expect((JSON.parse(json.stdout) as { native: { available: boolean } }).native.available).toBe(false);
    expect(json.stderr).toContain('--require-native: the native backend is unavailable');
  });

  it('without koffi (npm install --omit=optional): one line saying what to do, and nothing claimed found', () => {
    const hide = path.join(root, 'test/native/fixtures/hide-koffi.cjs');
    const { code, stdout } = doctor(['--json'], { NODE_OPTIONS: `--require ${hide}` }, 'source');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { autoBackend: string; native: { available: boolean; reason: string }; searchAttempts: { source: string; outcome: string }[] };
    expect(report.autoBackend).toBe('js');
    expect(report.native.available).toBe(false);
    expect(report.native.reason).toBe(
      "koffi (an optional dependency of gopher-auth) is not installed: reinstall without --omit=optional, or npm install koffi; otherwise use backend 'js'",
    );
    expect(report.searchAttempts.find((a) => a.source === 'bare-name')?.outcome).toBe('not-tried');
    expect(report.searchAttempts.some((a) => a.outcome === 'found')).toBe(false);
  });

  it('--json through the TypeScript entry point; unknown arguments exit 2', () => {
    const { code, stdout } = doctor(['--json'], {}, 'source');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { autoBackend: string; loadMode: string; selfTest: { passed: boolean }; jsWorkers: { size: number; script: string } };
    expect(report).toMatchObject({ autoBackend: 'native', loadMode: 'deepbind', selfTest: { passed: true } });
    expect(report.jsWorkers.size).toBeGreaterThan(0);
    expect(report.jsWorkers.script).toMatch(/verify-worker\.(ts|js)$/);
    const bogus = doctor(['--bogus']);
    expect(bogus.code).toBe(2);
    expect(bogus.stdout).toBe('');
    expect(bogus.stderr).toMatch(/unknown argument: --bogus\nusage: gopher-auth doctor/);
    const help = doctor(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: gopher-auth doctor \[--require-native\] \[--json\]\n  --json/);
    expect(doctor([], { GOPHER_AUTH_JS_WORKERS: '0' }, 'source').stdout).toMatch(/JS workers\s+0 .*off: overlapping validations verify on the libuv pool/);
  });

  it('says how far below the event loop background threads run', () => {
    expect(doctor([], {}, 'source').stdout).toMatch(/thread priority\s+verify workers and the addon's native batches run 10 nice levels below the event loop/);
    expect(doctor([], { GOPHER_AUTH_THREAD_NICE: '0' }, 'source').stdout).toMatch(/thread priority\s+unchanged \(GOPHER_AUTH_THREAD_NICE=0\)/);
    expect(describeThreadPriority({}, 'darwin')).toMatch(/^unchanged/);
  });
});
