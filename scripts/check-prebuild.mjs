#!/usr/bin/env node
// prepack: a tarball without prebuilds/linux-x64/gopher-auth.node (it is git-ignored: a fresh
// checkout has none) or with one older than the addon sources still installs — users then compile
// the addon or run the native backend through koffi — so this warns rather than fails (a git
// install runs prepack too, and must not fail). Run `npm run prebuild` before `npm publish`.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const prebuild = path.join(root, 'prebuilds', 'linux-x64', 'gopher-auth.node');
const sources = [path.join(root, 'binding.gyp'), ...readdirSync(path.join(root, 'native')).map((f) => path.join(root, 'native', f))];

function problem() {
  if (!existsSync(prebuild)) return 'is missing';
  const built = statSync(prebuild).mtimeMs;
  const newer = sources.filter((file) => existsSync(file) && statSync(file).mtimeMs > built);
  return newer.length > 0 ? `is older than ${newer.map((file) => path.relative(root, file)).join(', ')}` : null;
}

const found = problem();
if (found !== null) {
  process.stderr.write(`gopher-auth prepack: warning: prebuilds/linux-x64/gopher-auth.node ${found}; the tarball will not carry a current prebuild (run \`npm run prebuild\` first)\n`);
}
