/**
 * CMakeLists.txt (cmake-js) builds the same sources as binding.gyp (node-gyp, which `npm test`'s
 * pretest and the addon tests already use through prebuildify); the CMake binary must work too.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './build.js';
import { runChild } from './child.js';

const out = mkdtempSync(path.join(tmpdir(), 'gopher-addon-cmake-'));
/** Node's headers without a download, found as scripts/build-addon.mjs finds them: npm's nodedir, else the running Node's prefix. */
const nodedir =
  process.env.npm_config_nodedir ??
  [path.resolve(path.dirname(process.execPath), '..'), '/usr', '/usr/local'].find((prefix) => existsSync(path.join(prefix, 'include', 'node', 'common.gypi'))) ??
  '/usr';
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('addon build systems', () => {
  it('cmake-js builds CMakeLists.txt into a working addon', async () => {
    const cmakeJs = path.join(REPO_ROOT, 'node_modules/cmake-js/bin/cmake-js');
    execFileSync(process.execPath, [cmakeJs, 'compile', '-O', out, '--log-level', 'error'], {
      cwd: REPO_ROOT,
      stdio: 'pipe',
      env: { ...process.env, npm_config_nodedir: nodedir },
    });
    const file = path.join(out, 'Release', 'gopher_auth_addon.node');
    expect(existsSync(file)).toBe(true);
    const outcome = await runChild<{
      attach: { version: string; captureAvailable: boolean };
      answers: { name: string; ok: boolean }[];
      stats: { validations: number; freedHandles: number };
    }>('addon-file.ts', { ADDON_FILE: file });
    expect(outcome.stderr.toString()).toBe('');
    expect(outcome.code).toBe(0);
    const r = outcome.report!;
    expect(r.attach.version).toBe('1.0.0');
    expect(r.attach.captureAvailable).toBe(true);
    expect(r.answers.filter((a) => !a.ok)).toEqual([]);
    expect(r.answers.length).toBeGreaterThanOrEqual(9);
    expect(r.stats).toMatchObject({ freedHandles: 1 });
  }, 120_000);
});
