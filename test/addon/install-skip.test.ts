/**
 * The install hook's opt-out: GOPHER_AUTH_SKIP_ADDON_BUILD=1/true/yes skips the compile attempt,
 * while 0, false or empty do not (a user writing `=0` means "do build").
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
// A package with the hook and a binding.gyp but no prebuild, node-gyp-build or node-gyp: the
// attempt, when made, ends at once with "node-gyp was not found".
const pkg = mkdtempSync(path.join(tmpdir(), 'gopher-install-skip-'));
mkdirSync(path.join(pkg, 'scripts'));
copyFileSync(path.join(ROOT, 'scripts/install-addon.mjs'), path.join(pkg, 'scripts/install-addon.mjs'));
writeFileSync(path.join(pkg, 'binding.gyp'), '{ "targets": [] }\n');
afterAll(() => rmSync(pkg, { recursive: true, force: true }));

function runHook(skip: string | undefined): { status: number | null; stdout: string } {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.npm_config_node_gyp;
  delete env.GOPHER_AUTH_SKIP_ADDON_BUILD;
  if (skip !== undefined) env.GOPHER_AUTH_SKIP_ADDON_BUILD = skip;
  const result = spawnSync(process.execPath, [path.join(pkg, 'scripts/install-addon.mjs')], { cwd: pkg, env, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout };
}

describe('GOPHER_AUTH_SKIP_ADDON_BUILD', () => {
  it.each(['1', 'true', 'YES'])('%s skips the compile attempt silently', (value) => {
    const { status, stdout } = runHook(value);
    expect(status).toBe(0);
    expect(stdout).toBe('');
  });

  it.each([undefined, '', '0', 'false'])('%s still attempts it (and never fails the install)', (value) => {
    const { status, stdout } = runHook(value);
    expect(status).toBe(0);
    expect(stdout).toMatch(/no prebuilt addon for this platform and node-gyp was not found/);
  });
});
