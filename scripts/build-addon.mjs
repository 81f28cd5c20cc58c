#!/usr/bin/env node
// Builds the native addon into prebuilds/<platform>-<arch>/ with prebuildify (node-gyp underneath),
// unless the binary node-gyp-build would load is already newer than every native source.
// The build runs in a scratch copy of the sources and the result is renamed into place, so a
// process loading the addon meanwhile never sees a half-written file.
// Used by `npm test` (pretest), `npm run build:addon` and `npm run prebuild` (`--force`: rebuild even
// when up to date). `--quiet` hides compiler output unless the build fails.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const args = new Set(process.argv.slice(2));
const quiet = args.has('--quiet');

function newestSourceTime() {
  const files = ['binding.gyp', ...readdirSync(path.join(root, 'native')).map((f) => path.join('native', f))];
  return Math.max(...files.map((f) => statSync(path.join(root, f)).mtimeMs));
}

function currentBinary() {
  try {
    return require('node-gyp-build').path(root);
  } catch {
    return null;
  }
}

function currentPrebuild() {
  const dir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
  if (!existsSync(dir)) return null;
  const file = readdirSync(dir).find((f) => f.endsWith('.node'));
  return file ? path.join(dir, file) : null;
}

/** Node headers for node-gyp without a download: npm's nodedir, else the running node's prefix. */
function nodedir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  for (const prefix of [path.resolve(path.dirname(process.execPath), '..'), '/usr', '/usr/local']) {
    if (existsSync(path.join(prefix, 'include', 'node', 'common.gypi'))) return prefix;
  }
  return null;
}

// One build at a time in this checkout (pretest, test files and manual builds share build/).
const lock = path.join(root, '.addon-build.lock');
function acquireLock() {
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      return;
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        // released meanwhile
      }
      if (Date.now() > deadline) throw new Error(`addon build lock ${lock} held for 180 s`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
}
acquireLock();
process.on('exit', () => rmSync(lock, { recursive: true, force: true }));

// The prebuild is what this script is for (the pack test ships it), so a local build/Release from
// the install hook does not count as up to date.
const existing = currentPrebuild();
if (!args.has('--force') && existing && statSync(existing).mtimeMs > newestSourceTime()) {
  if (!quiet) console.log(`addon up to date: ${path.relative(root, existing)}`);
  process.exit(0);
}

const started = Date.now();
const env = { ...process.env };
const dir = nodedir();
if (dir) env.npm_config_nodedir = dir;
const scratch = path.join(lock, 'work');
mkdirSync(scratch, { recursive: true });
for (const entry of ['binding.gyp', 'package.json', 'native']) cpSync(path.join(root, entry), path.join(scratch, entry), { recursive: true });
symlinkSync(path.join(root, 'node_modules'), path.join(scratch, 'node_modules'));
const prebuildify = path.join(path.dirname(require.resolve('prebuildify/package.json')), 'bin.js');
const result = spawnSync(process.execPath, [prebuildify, '--napi', '--strip'], {
  cwd: scratch,
  env,
  encoding: 'utf8',
  stdio: quiet ? 'pipe' : 'inherit',
});
if (result.status !== 0) {
  if (quiet) process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
  console.error(`addon build failed (prebuildify exit ${result.status ?? result.signal})`);
  process.exit(1);
}
const target = `${process.platform}-${process.arch}`;
mkdirSync(path.join(root, 'prebuilds', target), { recursive: true });
for (const file of readdirSync(path.join(scratch, 'prebuilds', target))) {
  renameSync(path.join(scratch, 'prebuilds', target, file), path.join(root, 'prebuilds', target, file));
}
// A stale local build (npm run build:addon:gyp / :cmake) would shadow the fresh prebuild.
const local = path.join(root, 'build', 'Release', 'gopher_auth_addon.node');
if (existsSync(local) && statSync(local).mtimeMs <= newestSourceTime()) rmSync(local, { force: true });
const built = currentBinary();
if (!quiet) console.log(`addon built in ${((Date.now() - started) / 1000).toFixed(1)} s: ${built && path.relative(root, built)}`);
