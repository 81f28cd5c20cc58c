#!/usr/bin/env node
// npm `install` hook. Never fails the install: a shipped prebuild is used as is; otherwise one
// attempt is made to compile with node-gyp (bundled with npm); if that is impossible the native
// backend falls back to koffi at run time (`gopher-auth doctor` says so).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function note(message) {
  console.log(`gopher-auth: ${message}`);
}

try {
  note(`native addon: using ${path.relative(root, require('node-gyp-build').path(root))}`);
  process.exit(0);
} catch {
  // no prebuild for this platform and no local build yet
}

if (process.env.GOPHER_AUTH_SKIP_ADDON_BUILD || !existsSync(path.join(root, 'binding.gyp'))) process.exit(0);

const nodeGyp = process.env.npm_config_node_gyp;
if (!nodeGyp || !existsSync(nodeGyp)) {
  note('no prebuilt addon and node-gyp not found; the native backend will use koffi');
  process.exit(0);
}
const result = spawnSync(process.execPath, [nodeGyp, 'rebuild'], { cwd: root, stdio: 'pipe', encoding: 'utf8' });
if (result.status === 0) note('native addon compiled with node-gyp');
else note('native addon could not be compiled (no compiler?); the native backend will use koffi');
process.exit(0);
