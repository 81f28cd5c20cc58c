/**
 * A shared object cut short (an interrupted install, a full disk) is mapped by dlopen all the same,
 * and touching a page past the end of the file kills the process with SIGBUS — under the default
 * 'auto' backend and in `gopher-auth doctor` alike. The library (with the siblings beside it) and the
 * addon are checked before they are loaded: a damaged one is recorded and skipped.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { truncatedElf } from '../../src/backends/native/elf-check.js';
import type { SearchAttempt } from '../../src/backends/native/search.js';
import { runFixture } from './run-fixture.js';

vi.setConfig({ testTimeout: 90_000 });

const root = path.resolve(import.meta.dirname, '../..');
const packageLib = path.join(path.dirname(createRequire(import.meta.url).resolve('@gopher.security/gopher-orch-linux-x64/package.json')), 'lib');
const LIBRARY = 'libgopher-orch.so.0.1.39';
const scratch = mkdtempSync(path.join(tmpdir(), 'gopher-auth-damaged-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A directory beside the package's: every file linked, except those given, written cut to `bytes`. */
function libraryDir(name: string, truncated: Record<string, number>, copies: string[] = []): string {
  const dir = path.join(scratch, name);
  mkdirSync(dir);
  for (const file of readdirSync(packageLib)) {
    const source = path.join(packageLib, file);
    if (truncated[file] !== undefined) writeFileSync(path.join(dir, file), readFileSync(source).subarray(0, truncated[file]));
    else if (copies.includes(file)) copyFileSync(source, path.join(dir, file));
    else symlinkSync(source, path.join(dir, file));
  }
  return path.join(dir, LIBRARY);
}

interface LoaderOutcome {
  attempts: SearchAttempt[];
  availability: { available: boolean };
}

const unset = { GOPHER_ORCH_LIBRARY_PATH: undefined, GOPHER_AUTH_LIBRARY_PATH: undefined, GOPHER_AUTH_NATIVE_LOAD_MODE: undefined };

describe.skipIf(process.platform !== 'linux' || process.arch !== 'x64')('damaged shared objects are never loaded (linux-x64)', () => {
  it('truncatedElf: a cut copy is named with where its segment ends; the intact file and non-ELF files pass', () => {
    const cut = path.join(scratch, 'cut.so');
    writeFileSync(cut, readFileSync(path.join(packageLib, LIBRARY)).subarray(0, 100_000));
    expect(truncatedElf(cut)).toMatch(/^a loaded segment ends at byte \d+ of a 100000-byte file$/);
    const header = path.join(scratch, 'header.so');
    writeFileSync(header, readFileSync(path.join(packageLib, LIBRARY)).subarray(0, 40));
    expect(truncatedElf(header)).toBe('the ELF header is cut short (40 bytes)');
    expect(truncatedElf(path.join(packageLib, LIBRARY))).toBeNull();
    expect(truncatedElf(path.join(root, 'package.json'))).toBeNull();
    expect(truncatedElf(path.join(scratch, 'missing.so'))).toBeNull();
  });

  it('a cut library, and an intact one beside a cut sibling: recorded as damaged, the search goes on to the platform package', async () => {
    for (const [name, file] of [
      ['cut-library', libraryDir('cut-library', { [LIBRARY]: 100_000 })],
      ['cut-sibling', libraryDir('cut-sibling', { 'libcrypto.so.1.1': 1_000_000 }, [LIBRARY])],
    ] as const) {
      const run = await runFixture<LoaderOutcome>('loader.ts', { env: { ...unset, GOPHER_AUTH_LIBRARY_PATH: file } });
      expect(run.signal, `${name}: ${run.stderr}`).toBeNull();
      const attempts = run.result?.attempts ?? [];
      const mine = attempts.find((a) => a.source === 'GOPHER_AUTH_LIBRARY_PATH');
      expect(mine?.outcome, name).toBe('load-failed');
      expect(mine?.detail, name).toMatch(name === 'cut-library' ? /^damaged, not loaded .*libgopher-orch\.so\.0\.1\.39: a loaded segment ends/ : /libcrypto\.so\.1\.1 \(beside it\): a loaded segment ends/);
      expect(attempts.find((a) => a.source === 'platform-package')?.outcome, name).toBe('loaded');
      expect(run.result?.availability.available, name).toBe(true);
    }
  });

  // The addon is found beside the package's package.json: a scratch copy of the package holds a cut one.
  it('a cut addon: not loaded, said why, and validation runs through koffi', async () => {
    const pkg = path.join(scratch, 'pkg');
    mkdirSync(path.join(pkg, 'build', 'Release'), { recursive: true });
    copyFileSync(path.join(root, 'package.json'), path.join(pkg, 'package.json'));
    cpSync(path.join(root, 'src'), path.join(pkg, 'src'), { recursive: true });
    symlinkSync(path.join(root, 'node_modules'), path.join(pkg, 'node_modules'));
    const addon = readFileSync(path.join(root, 'build', 'Release', 'gopher_auth_addon.node'));
    writeFileSync(path.join(pkg, 'build', 'Release', 'gopher_auth_addon.node'), addon.subarray(0, Math.floor(addon.length / 2)));
    const script = path.join(pkg, 'probe.ts');
    writeFileSync(
      script,
      `import { addonStatus } from './src/backends/native/addon.js';
       import { nativeDiagnostics } from './src/backends/native/index.js';
       const { availability } = nativeDiagnostics();
       process.stdout.write(JSON.stringify({ addon: addonStatus(), available: availability.available }));`,
    );
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], { cwd: pkg, encoding: 'utf8' });
    const result = JSON.parse(stdout) as { addon: { loaded: boolean; reason: string }; available: boolean };
    expect(result.addon.loaded).toBe(false);
    expect(result.addon.reason).toMatch(/^addon file is damaged \(a loaded segment ends at byte \d+ of a \d+-byte file\), not loaded: reinstall gopher-auth or rebuild it/);
    expect(result.available).toBe(true);
  });
});
