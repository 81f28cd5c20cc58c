/**
 * The published tarball, made the way `npm publish` makes it: `npm pack` with scripts enabled in a
 * scratch copy of the sources (prepack builds dist/ there; the repository's dist/ is never touched).
 * Packing prints nothing but its JSON and runs no compiler. Then the tarball is installed into
 * temporary projects offline:
 * - with --ignore-scripts and no compiler on PATH: the addon loads from prebuilds/ and validates;
 * - without prebuilds/ and without a compiler (scripts enabled): the install succeeds, there is no
 *   addon, and the install script says what node-gyp reported;
 * - without prebuilds/ but with a compiler, no configured nodedir and no cached headers: the install
 *   script compiles the shipped sources and `gopher-auth doctor --json` finds the addon in build/.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, ensureAddonBuilt } from './build.js';

const COMPILERS = ['cc', 'gcc', 'g++', 'c++', 'clang', 'clang++', 'make', 'python', 'python3'];
/** What `npm pack` needs from the sources (package.json `files` plus the build inputs of prepack). */
const SOURCES = ['package.json', 'tsup.config.ts', 'tsconfig.json', 'src', 'bin', 'docs', 'README.md', 'LICENSE', 'native', 'binding.gyp', 'CMakeLists.txt', 'scripts', 'prebuilds'];
let work: string;
let bin: string;
let shims: string;
let compilerLog: string;
let stage: string;
let tarball: string;
let npmCli: string;
let dryRun: { status: number | null; stdout: string; stderr: string };

function findOnPath(name: string, pathValue: string): string | null {
  for (const dir of pathValue.split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, name))) return path.join(dir, name);
  }
  return null;
}

/**
 * npm with a PATH holding nothing but `node`, `npm` and `sh` (no compiler, no python, no make) unless told
 * otherwise, a user config of its own (not this machine's ~/.npmrc, which may set nodedir) and an
 * empty node-gyp devdir (no cached Node headers).
 */
function npm(args: string[], cwd: string, pathValue = bin): { status: number | null; stdout: string; stderr: string; output: string } {
  const env: NodeJS.ProcessEnv = {
    HOME: process.env.HOME,
    PATH: pathValue,
    npm_config_userconfig: path.join(work, 'npmrc'),
    XDG_CACHE_HOME: path.join(work, 'cache'), // node-gyp's devdir: <XDG_CACHE_HOME>/node-gyp
    npm_config_update_notifier: 'false',
  };
  const r = spawnSync(process.execPath, [npmCli, ...args], { cwd, env, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, output: `${r.stdout}${r.stderr}` };
}

/** A consumer project with the package's runtime dependencies already in its node_modules (seedDependencies). */
function project(name: string): string {
  const dir = path.join(work, name);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }));
  seedDependencies(dir);
  return dir;
}

/**
 * Copies the package's dependencies (and theirs; optional ones where this platform has them) from
 * this checkout's node_modules into `dir`, so the offline install finds them installed. Otherwise npm
 * must resolve their version ranges from registry metadata in its cache, which `npm ci` (how CI
 * installs) never downloads — it fetches tarballs only — so on a fresh machine the install failed
 * with ENOTCACHED before the package under test was even looked at.
 */
function seedDependencies(dir: string): void {
  const manifestOf = (packageDir: string): { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> } =>
    JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
  const namesOf = (packageDir: string): string[] => {
    const manifest = manifestOf(packageDir);
    return [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.optionalDependencies ?? {})];
  };
  const queue = namesOf(REPO_ROOT);
  const seen = new Set<string>();
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    if (seen.has(name)) continue;
    seen.add(name);
    const from = path.join(REPO_ROOT, 'node_modules', name);
    if (!existsSync(from)) continue; // an optional dependency for another platform
    cpSync(from, path.join(dir, 'node_modules', name), { recursive: true });
    queue.push(...namesOf(from));
  }
}

const variants = new Map<string, string>();
/** The tarball, unpacked, changed by `change(packageDir)` and packed again (memoised by name). */
function tarballVariant(name: string, change: (packageDir: string) => void): string {
  const known = variants.get(name);
  if (known) return known;
  const unpacked = path.join(work, name);
  mkdirSync(unpacked);
  execFileSync('tar', ['-xzf', tarball, '-C', unpacked]);
  change(path.join(unpacked, 'package'));
  const repacked = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', unpacked], path.join(unpacked, 'package'));
  expect(repacked.status).toBe(0);
  const file = path.join(unpacked, (JSON.parse(repacked.stdout) as { filename: string }[])[0]!.filename);
  variants.set(name, file);
  return file;
}

/** The same tarball with prebuilds/ taken out (a platform the package has no prebuild for). */
const tarballWithoutPrebuilds = (): string => tarballVariant('no-prebuilds', (dir) => rmSync(path.join(dir, 'prebuilds'), { recursive: true }));

beforeAll(() => {
  ensureAddonBuilt();
  work = mkdtempSync(path.join(tmpdir(), 'gopher-addon-pack-'));
  writeFileSync(path.join(work, 'npmrc'), 'fund=false\naudit=false\nupdate-notifier=false\n');
  mkdirSync(path.join(work, 'cache'));
  bin = path.join(work, 'bin');
  mkdirSync(bin);
  symlinkSync(process.execPath, path.join(bin, 'node'));
  symlinkSync('/bin/sh', path.join(bin, 'sh')); // npm runs lifecycle scripts through sh
  // Stand-ins for every compiler and build tool: each records that it was called, then fails.
  shims = path.join(work, 'shims');
  mkdirSync(shims);
  compilerLog = path.join(work, 'compiler-calls.log');
  for (const tool of COMPILERS) {
    writeFileSync(path.join(shims, tool), `#!/bin/sh\necho "${tool} $*" >> '${compilerLog}'\nexit 1\n`);
    chmodSync(path.join(shims, tool), 0o755);
  }
  const npmOnPath = findOnPath('npm', process.env.PATH ?? '');
  if (!npmOnPath) throw new Error('npm not found on PATH');
  npmCli = realpathSync(npmOnPath);
  symlinkSync(npmCli, path.join(bin, 'npm')); // for scripts that run `npm run …`

  stage = path.join(work, 'source');
  mkdirSync(stage);
  for (const entry of SOURCES) cpSync(path.join(REPO_ROOT, entry), path.join(stage, entry), { recursive: true });
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(stage, 'node_modules'));
  // As `npm publish` packs: lifecycle scripts on (prepack builds dist/ here).
  dryRun = npm(['pack', '--dry-run', '--json'], stage, `${shims}${path.delimiter}${bin}`);
  const packed = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], stage);
  if (packed.status !== 0) throw new Error(`npm pack failed: ${packed.output}`);
  tarball = path.join(work, (JSON.parse(packed.stdout) as { filename: string }[])[0]!.filename);
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('packed package', () => {
  it('npm pack --dry-run --json with scripts enabled prints only the JSON and compiles nothing', () => {
    expect(dryRun.stderr).not.toMatch(/npm error/);
    expect(dryRun.status).toBe(0);
    expect(dryRun.stdout.trimStart().startsWith('[')).toBe(true);
    const [report] = JSON.parse(dryRun.stdout) as { files: { path: string }[] }[];
    expect(report!.files.map((f) => f.path)).toContain('dist/index.js');
    expect(`${dryRun.stdout}${dryRun.stderr}`).not.toMatch(/prebuildify|gyp info|make: /);
    expect(existsSync(compilerLog) ? readFileSync(compilerLog, 'utf8') : '').toBe('');
  });

  it('ships the prebuild, the addon sources, the licence and the runtime bundles; not build/, maps of sources or unused declarations', () => {
    const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n');
    expect(listing).toContain('package/prebuilds/linux-x64/gopher-auth.node');
    expect(listing).toContain('package/binding.gyp');
    expect(listing).toContain('package/CMakeLists.txt');
    expect(listing).toContain('package/native/addon.cc');
    expect(listing).toContain('package/scripts/install-addon.mjs');
    expect(listing).toContain('package/LICENSE');
    for (const file of ['index.js', 'index.cjs', 'index.d.ts', 'index.d.cts', 'cli.js', 'verify-worker.js']) {
      expect(listing).toContain(`package/dist/${file}`);
    }
    // Both bundles' workers run the ESM verify-worker.js: a CJS copy would be dead weight.
    expect(listing.filter((f) => f.startsWith('package/dist/verify-worker.cjs'))).toEqual([]);
    // Every runtime dependency a consumer installs is one the shipped code uses (jose was not): the
    // bundles, the install hook, or the addon build (node-addon-api's headers).
    const shippedFiles = [
      ...readdirSync(path.join(stage, 'dist')).filter((f) => /\.c?js$/.test(f)).map((f) => path.join(stage, 'dist', f)),
      path.join(stage, 'scripts/install-addon.mjs'),
      path.join(stage, 'binding.gyp'),
    ];
    const shipped = shippedFiles.map((file) => readFileSync(file, 'utf8')).join('\n');
    const manifest = JSON.parse(readFileSync(path.join(stage, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const name of Object.keys(manifest.dependencies ?? {})) {
      expect(shipped.includes(`"${name}"`) || shipped.includes(`'${name}'`), `dependency ${name} is never imported by dist/`).toBe(true);
    }
    expect(listing.filter((f) => /^package\/dist\/(cli|verify-worker)\.d\.c?ts$/.test(f))).toEqual([]);
    expect(listing.filter((f) => f.startsWith('package/build/'))).toEqual([]);
    const maps = readdirSync(path.join(stage, 'dist')).filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    for (const map of maps) {
      expect(JSON.parse(readFileSync(path.join(stage, 'dist', map), 'utf8')), map).not.toHaveProperty('sourcesContent');
    }
  });

  it('installs with --ignore-scripts --offline and no compiler; the addon loads from prebuilds/ and validates', () => {
    for (const tool of COMPILERS) expect(findOnPath(tool, bin)).toBeNull();
    const dir = project('consumer');
    const install = npm(['install', '--ignore-scripts', '--offline', '--no-audit', '--no-fund', tarball], dir);
    expect(install.output).not.toMatch(/ERR!/);
    expect(install.status).toBe(0);
    expect(existsSync(path.join(dir, 'node_modules/gopher-auth/build'))).toBe(false);

    copyFileSync(path.join(REPO_ROOT, 'test/addon/scenarios/pack-probe.cjs'), path.join(dir, 'probe.cjs'));
    const reportFile = path.join(dir, 'report.json');
    const run = spawnSync(process.execPath, ['probe.cjs', reportFile], { cwd: dir, env: { PATH: bin }, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const r = JSON.parse(readFileSync(reportFile, 'utf8')) as {
      file: string;
      pkgDir: string;
      abiVersion: number;
      attach: { version: string; keyCache: boolean; keyCacheReason: string };
      result: { valid: boolean; code: number };
      bad: { valid: boolean; code: number; message: string };
      stats: { validations: number; freedHandles: number };
    };
    expect(r.file).toBe(path.join(r.pkgDir, 'prebuilds/linux-x64/gopher-auth.node'));
    expect(r.pkgDir).toBe(realpathSync(path.join(dir, 'node_modules/gopher-auth')));
    expect(r.abiVersion).toBe(5);
    expect(r.attach.version).toBe('1.0.0');
    // A plain koffi load binds the library to Node's OpenSSL: the key cache stays out of it.
    expect(r.attach).toMatchObject({ keyCache: false, keyCacheReason: 'the library is not loaded with its own OpenSSL' });
    expect(r.result).toMatchObject({ valid: true, code: 0 });
    expect(r.bad).toMatchObject({ valid: false, code: -1002, message: 'JWT signature verification failed' });
    expect(r.stats).toMatchObject({ validations: 2, freedHandles: 1 });
  }, 60_000);

  it('without a prebuild and without a compiler, install (scripts enabled) still succeeds and says why there is no addon', () => {
    const dir = project('consumer-no-prebuild');
    const install = npm(['install', '--offline', '--no-audit', '--no-fund', '--foreground-scripts', tarballWithoutPrebuilds()], dir);
    expect(install.output).not.toMatch(/npm error/);
    expect(install.status).toBe(0);
    // npm 11 ran the dependency's install script here; it tried, gave node-gyp's reason and the remedy, and did not fail.
    expect(install.output).toMatch(/gopher-auth: no prebuilt addon for this platform and compiling it with node-gyp failed; the native backend will use koffi/);
    expect(install.output).toMatch(/node-gyp said \(full log: [^)]*build\/node-gyp\.log\):\n( {2}\| .*\n)* {2}\| .*Could not find any Python installation/);
    expect(install.output).toMatch(/install a C\+\+17 compiler, make and Python 3, then run `npm rebuild gopher-auth --foreground-scripts`/);
    expect(install.output).not.toMatch(/no compiler\?/);
    const probe = spawnSync(
      process.execPath,
      ['-e', "try { require('node-gyp-build').path(require('path').dirname(require.resolve('gopher-auth/package.json'))); console.log('found') } catch { console.log('none') }"],
      { cwd: dir, env: { PATH: bin }, encoding: 'utf8' },
    );
    expect(probe.stdout.trim()).toBe('none');
  }, 60_000);

  it('without a prebuild but with a compiler, install compiles the shipped sources offline and the addon loads from build/', () => {
    for (const tool of ['c++', 'make', 'python3']) expect(findOnPath(tool, process.env.PATH ?? ''), tool).not.toBeNull();
    const dir = project('consumer-source-build');
    const install = npm(
      ['install', '--offline', '--no-audit', '--no-fund', '--foreground-scripts', tarballWithoutPrebuilds()],
      dir,
      `${bin}${path.delimiter}${process.env.PATH ?? ''}`,
    );
    expect(install.output).not.toMatch(/npm error/);
    expect(install.status).toBe(0);
    expect(install.output).toMatch(/gopher-auth: native addon compiled with node-gyp: build\/Release\/gopher_auth_addon\.node/);
    expect(existsSync(path.join(work, 'cache', 'node-gyp'))).toBe(false); // headers came from the running Node, not a download

    const doctor = spawnSync(process.execPath, [path.join(dir, 'node_modules/gopher-auth/bin/gopher-auth.js'), 'doctor', '--json'], {
      cwd: dir,
      env: { PATH: bin },
      encoding: 'utf8',
    });
    expect(doctor.stderr).toBe('');
    const report = JSON.parse(doctor.stdout) as { addon: { loaded: boolean; path: string; reason: string | null; attach: { version: string } } | null };
    expect(report.addon).toMatchObject({ loaded: true, reason: null, attach: { version: '1.0.0' } });
    expect(report.addon!.path).toBe(realpathSync(path.join(dir, 'node_modules/gopher-auth/build/Release/gopher_auth_addon.node')));
  }, 180_000);

  it('with a prebuild that does not load here (as on a glibc older than it needs) and a compiler, install compiles the shipped sources', () => {
    const unloadable = tarballVariant('unloadable-prebuild', (dir) => writeFileSync(path.join(dir, 'prebuilds/linux-x64/gopher-auth.node'), 'not an ELF object'));
    const dir = project('consumer-unloadable-prebuild');
    const install = npm(['install', '--offline', '--no-audit', '--no-fund', '--foreground-scripts', unloadable], dir, `${bin}${path.delimiter}${process.env.PATH ?? ''}`);
    expect(install.status).toBe(0);
    expect(install.output).toMatch(/gopher-auth: native addon prebuilds\/linux-x64\/gopher-auth\.node does not load on this system \(.+\); compiling it from the shipped sources/);
    expect(install.output).toMatch(/gopher-auth: native addon compiled with node-gyp: build\/Release\/gopher_auth_addon\.node/);
    const doctor = spawnSync(process.execPath, [path.join(dir, 'node_modules/gopher-auth/bin/gopher-auth.js'), 'doctor', '--json'], { cwd: dir, env: { PATH: bin }, encoding: 'utf8' });
    const report = JSON.parse(doctor.stdout) as { addon: { loaded: boolean; path: string } | null };
    expect(report.addon).toMatchObject({ loaded: true, path: realpathSync(path.join(dir, 'node_modules/gopher-auth/build/Release/gopher_auth_addon.node')) });
  }, 180_000);
});
