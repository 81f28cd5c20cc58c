/**
 * npm pack → install the tarball into a temporary project with --ignore-scripts --offline and no
 * compiler on PATH → the addon loads from prebuilds/ and validates. Also: a tarball without
 * prebuilds installs fine (scripts enabled, no compiler) and simply has no addon.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, ensureAddonBuilt } from './build.js';

const COMPILERS = ['cc', 'gcc', 'g++', 'c++', 'clang', 'make'];
let work: string;
let bin: string;
let tarball: string;
let npmCli: string;

function findOnPath(name: string, pathValue: string): string | null {
  for (const dir of pathValue.split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, name))) return path.join(dir, name);
  }
  return null;
}

/** npm with a PATH holding nothing but `node` and `sh` (no compiler, no python, no make). */
function npm(args: string[], cwd: string): { status: number | null; output: string } {
  const env: NodeJS.ProcessEnv = { HOME: process.env.HOME, PATH: bin, npm_config_update_notifier: 'false' };
  const r = spawnSync(process.execPath, [npmCli, ...args], { cwd, env, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

function project(name: string): string {
  const dir = path.join(work, name);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }));
  return dir;
}

beforeAll(() => {
  ensureAddonBuilt();
  work = mkdtempSync(path.join(tmpdir(), 'gopher-addon-pack-'));
  bin = path.join(work, 'bin');
  mkdirSync(bin);
  symlinkSync(process.execPath, path.join(bin, 'node'));
  symlinkSync('/bin/sh', path.join(bin, 'sh')); // npm runs lifecycle scripts through sh
  const npmOnPath = findOnPath('npm', process.env.PATH ?? '');
  if (!npmOnPath) throw new Error('npm not found on PATH');
  npmCli = realpathSync(npmOnPath);
  const packed = execFileSync(process.execPath, [npmCli, 'pack', '--ignore-scripts', '--json', '--pack-destination', work], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  tarball = path.join(work, (JSON.parse(packed) as { filename: string }[])[0]!.filename);
}, 60_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('packed package', () => {
  it('ships the prebuild and the addon sources, not the build directory', () => {
    const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n');
    expect(listing).toContain('package/prebuilds/linux-x64/gopher-auth.node');
    expect(listing).toContain('package/binding.gyp');
    expect(listing).toContain('package/CMakeLists.txt');
    expect(listing).toContain('package/native/addon.cc');
    expect(listing).toContain('package/scripts/install-addon.mjs');
    expect(listing.filter((f) => f.startsWith('package/build/'))).toEqual([]);
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
      attach: { version: string };
      result: { valid: boolean; code: number };
      bad: { valid: boolean; code: number; message: string };
      stats: { validations: number; freedHandles: number };
    };
    expect(r.file).toBe(path.join(r.pkgDir, 'prebuilds/linux-x64/gopher-auth.node'));
    expect(r.pkgDir).toBe(realpathSync(path.join(dir, 'node_modules/gopher-auth')));
    expect(r.abiVersion).toBe(4);
    expect(r.attach.version).toBe('1.0.0');
    expect(r.result).toMatchObject({ valid: true, code: 0 });
    expect(r.bad).toMatchObject({ valid: false, code: -1002, message: 'JWT signature verification failed' });
    expect(r.stats).toMatchObject({ validations: 2, freedHandles: 1 });
  }, 60_000);

  it('without a prebuild and without a compiler, install (scripts enabled) still succeeds', () => {
    const unpacked = path.join(work, 'unpacked');
    mkdirSync(unpacked);
    execFileSync('tar', ['-xzf', tarball, '-C', unpacked]);
    rmSync(path.join(unpacked, 'package/prebuilds'), { recursive: true });
    const repacked = execFileSync(process.execPath, [npmCli, 'pack', '--ignore-scripts', '--json', '--pack-destination', unpacked], {
      cwd: path.join(unpacked, 'package'),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const noPrebuild = path.join(unpacked, (JSON.parse(repacked) as { filename: string }[])[0]!.filename);
    const dir = project('consumer-no-prebuild');
    const install = npm(['install', '--offline', '--no-audit', '--no-fund', '--foreground-scripts', noPrebuild], dir);
    expect(install.output).not.toMatch(/npm error/);
    expect(install.status).toBe(0);
    // npm 11 ran the dependency's install script here; it tried and gave up without failing.
    expect(install.output).toMatch(/gopher-auth: (native addon could not be compiled|no prebuilt addon and node-gyp not found)/);
    const probe = spawnSync(
      process.execPath,
      ['-e', "try { require('node-gyp-build').path(require('path').dirname(require.resolve('gopher-auth/package.json'))); console.log('found') } catch { console.log('none') }"],
      { cwd: dir, env: { PATH: bin }, encoding: 'utf8' },
    );
    expect(probe.stdout.trim()).toBe('none');
  }, 60_000);
});
