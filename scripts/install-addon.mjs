#!/usr/bin/env node
// npm `install` hook. Never fails the install: a shipped prebuild that loads is used as is; otherwise
// one attempt is made to compile with node-gyp (bundled with npm), with Node's headers taken from the
// running Node so no download is needed; if that fails the native backend falls back to koffi at
// run time (`gopher-auth doctor` says so) and this prints node-gyp's own reason and what to do.
// npm shows this output only with --foreground-scripts; the full node-gyp log is kept in
// build/node-gyp.log. GOPHER_AUTH_SKIP_ADDON_BUILD=1 (or true) skips the attempt.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const FALLBACK = 'the native backend will use koffi (it works; the addon only adds throughput and log capture)';
const REMEDY =
  'to build it later: install a C++17 compiler, make and Python 3, then run `npm rebuild gopher-auth --foreground-scripts`';

function note(message) {
  console.log(`gopher-auth: ${message}`);
}

// Whatever goes wrong below, the install goes on (the native backend then uses koffi).
process.on('uncaughtException', (error) => {
  note(`addon step skipped (${String(error?.message ?? error).split('\n')[0]}); ${FALLBACK}`);
  process.exit(0);
});

let found = null;
try {
  found = require('node-gyp-build').path(root);
} catch {
  // no prebuild for this platform and no local build yet
}
if (found) {
  // A prebuild can be there and still not load (built against a newer glibc/libstdc++ than this
  // system has): then a build from the shipped sources is the remedy. It is tried in a child
  // process: a damaged file can kill the process that loads it (SIGBUS), which no catch survives.
  const trial = spawnSync(process.execPath, ['-e', 'require(process.argv[1])', found], { encoding: 'utf8', timeout: 60_000 });
  if (trial.status === 0) {
    note(`native addon: using ${path.relative(root, found)}`);
    process.exit(0);
  }
  const reason = trial.signal
    ? `loading it killed the process with ${trial.signal}`
    : ((trial.stderr ?? '').split('\n').find((line) => /Error/.test(line)) ?? `exit ${trial.status}`).trim();
  if (trial.signal) {
    // Out of the runtime loader's way too, or every process using the package would die the same way.
    try {
      renameSync(found, `${found}.broken`);
    } catch {
      // a read-only install: the runtime loader meets it; GOPHER_AUTH_ADDON=0 turns the addon off
    }
  }
  note(`native addon ${path.relative(root, found)} does not load on this system (${reason}); compiling it from the shipped sources`);
}

const missing = found ? `${path.relative(root, found)} does not load` : 'no prebuilt addon for this platform';
const skipBuild = /^(1|true|yes)$/i.test(process.env.GOPHER_AUTH_SKIP_ADDON_BUILD ?? '');
if (skipBuild || !existsSync(path.join(root, 'binding.gyp'))) process.exit(0);

/** npm's bundled node-gyp (npm sets npm_config_node_gyp for scripts), else one installed beside us. */
function findNodeGyp() {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) return fromNpm;
  try {
    return require.resolve('node-gyp/bin/node-gyp.js');
  } catch {
    return null;
  }
}

/** Node headers for node-gyp without a download: npm's nodedir, else the running node's prefix (as scripts/build-addon.mjs). */
function nodedir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  for (const prefix of [path.resolve(path.dirname(process.execPath), '..'), '/usr', '/usr/local']) {
    if (existsSync(path.join(prefix, 'include', 'node', 'common.gypi'))) return prefix;
  }
  return null;
}

/**
 * The lines of node-gyp's output that say what went wrong: its last few lines without the progress
 * (`gyp info`), the boilerplate (`gyp ERR! command|cwd|node -v|…`) and stack frames, plus the first
 * compiler or module error if that scrolled out of them.
 */
function meaningfulLines(output, count = 4) {
  const boilerplate = [
    /^gyp (info|http|verb|sill)\b/,
    /^gyp ERR! (System|command|cwd|node -v|node-gyp -v|not ok)\b/,
    /^gyp ERR! \$npm_/,
    /^gyp ERR! stack\s+at /,
    /^\s+at /,
    /^make(\[\d+\])?: (Entering|Leaving) directory/,
    /^(Require stack:|- \/|Node\.js v|\s*throw err;|\s*\^+\s*$|node:internal\/)/,
    /^\s*[{}]\s*$/,
    /^\s+(code|requireStack): /,
  ];
  const lines = output
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '' && !boilerplate.some((re) => re.test(line)))
    .map((line) => (line.length > 240 ? `${line.slice(0, 237)}...` : line));
  const last = lines.slice(-count);
  const first = lines.find((line) => /(fatal error|error):|Error:|not found|[Cc]annot /.test(line));
  return first !== undefined && !last.includes(first) ? [first, ...last] : last;
}

function explain(headline, output) {
  const lines = output === undefined ? [] : meaningfulLines(output);
  const details = lines.map((line) => `\n  | ${line}`).join('');
  let log = '';
  if (output !== undefined) {
    try {
      mkdirSync(path.join(root, 'build'), { recursive: true });
      writeFileSync(path.join(root, 'build', 'node-gyp.log'), output);
      log = ` (full log: ${path.join(root, 'build', 'node-gyp.log')})`;
    } catch {
      // a read-only install: the lines above are all there is
    }
  }
  note(`${headline}; ${FALLBACK}.${details ? `\nnode-gyp said${log}:${details}` : ''}\n${REMEDY}.`);
}

const nodeGyp = findNodeGyp();
if (!nodeGyp) {
  explain(`${missing} and node-gyp was not found, so the addon was not compiled`);
  process.exit(0);
}
const env = { ...process.env };
const dir = nodedir();
if (dir) env.npm_config_nodedir = dir;
const result = spawnSync(process.execPath, [nodeGyp, 'rebuild'], { cwd: root, env, stdio: 'pipe', encoding: 'utf8' });
if (result.status === 0) {
  note(`native addon compiled with node-gyp: ${path.relative(root, require('node-gyp-build').path(root))}`);
} else {
  const why = result.error ? `${result.error.message}\n` : '';
  explain(`${missing} and compiling it with node-gyp failed`, `${why}${result.stdout ?? ''}${result.stderr ?? ''}`);
}
process.exit(0);
