/**
 * The install hook must never fail the install, also when the shipped prebuild kills whatever
 * loads it (a damaged file: SIGBUS; here a library whose constructor raises SIGSEGV). It tries the
 * prebuild in a child process, reports it, and moves it out of the runtime loader's way.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const compiler = ['cc', 'gcc'].find((cc) => spawnSync(cc, ['--version'], { stdio: 'ignore' }).status === 0);
if (!compiler) console.warn('broken-prebuild install test skipped: no C compiler (cc/gcc) to build the crashing stand-in');

const pkg = mkdtempSync(path.join(tmpdir(), 'gopher-install-broken-'));
afterAll(() => rmSync(pkg, { recursive: true, force: true }));

describe.runIf(process.platform === 'linux' && process.arch === 'x64' && compiler !== undefined)('a prebuild that kills the process loading it', () => {
  it('leaves the install at exit 0, says why, and renames the prebuild so the runtime loader skips it', () => {
    mkdirSync(path.join(pkg, 'scripts'));
    copyFileSync(path.join(ROOT, 'scripts/install-addon.mjs'), path.join(pkg, 'scripts/install-addon.mjs'));
    writeFileSync(path.join(pkg, 'binding.gyp'), '{ "targets": [] }\n');
    // node-gyp-build beside the hook (as in an install), node-gyp nowhere: the compile attempt ends at once.
    mkdirSync(path.join(pkg, 'node_modules'));
    const nodeGypBuild = path.dirname(createRequire(import.meta.url).resolve('node-gyp-build/package.json'));
    symlinkSync(nodeGypBuild, path.join(pkg, 'node_modules', 'node-gyp-build'));
    const prebuilds = path.join(pkg, 'prebuilds', 'linux-x64');
    mkdirSync(prebuilds, { recursive: true });
    const source = path.join(pkg, 'crash.c');
    writeFileSync(source, '#include <signal.h>\n__attribute__((constructor)) static void crash(void) { raise(SIGSEGV); }\n');
    const prebuild = path.join(prebuilds, 'gopher-auth.node');
    const built = spawnSync(compiler!, ['-shared', '-fPIC', '-o', prebuild, source], { encoding: 'utf8' });
    expect(built.status, built.stderr).toBe(0);

    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.npm_config_node_gyp;
    delete env.GOPHER_AUTH_SKIP_ADDON_BUILD;
    const hook = spawnSync(process.execPath, [path.join(pkg, 'scripts/install-addon.mjs')], { cwd: pkg, env, encoding: 'utf8' });
    expect(hook.signal).toBeNull();
    expect(hook.status).toBe(0);
    expect(hook.stdout).toMatch(/prebuilds\/linux-x64\/gopher-auth\.node does not load on this system \(loading it killed the process with SIGSEGV\)/);
    expect(hook.stdout).toMatch(/node-gyp was not found/);
    expect(existsSync(prebuild)).toBe(false);
    expect(existsSync(`${prebuild}.broken`)).toBe(true);
    // What the runtime loader would now find: nothing, so the native backend uses koffi instead of dying.
    const lookup = spawnSync(process.execPath, ['-e', `try { require('node-gyp-build').path(${JSON.stringify(pkg)}); console.log('found') } catch { console.log('none') }`], { cwd: pkg, encoding: 'utf8' });
    expect(lookup.stdout.trim()).toBe('none');
  });
});
