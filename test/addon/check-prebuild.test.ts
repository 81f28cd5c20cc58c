/** prepack's prebuild check: warns (never fails) when the tarball would carry no current prebuild. */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const pkg = mkdtempSync(path.join(tmpdir(), 'gopher-check-prebuild-'));
afterAll(() => rmSync(pkg, { recursive: true, force: true }));

mkdirSync(path.join(pkg, 'scripts'));
mkdirSync(path.join(pkg, 'native'));
copyFileSync(path.join(ROOT, 'scripts/check-prebuild.mjs'), path.join(pkg, 'scripts/check-prebuild.mjs'));
writeFileSync(path.join(pkg, 'binding.gyp'), '{}\n');
writeFileSync(path.join(pkg, 'native/addon.cc'), '// source\n');
const prebuild = path.join(pkg, 'prebuilds/linux-x64/gopher-auth.node');
const run = () => spawnSync(process.execPath, [path.join(pkg, 'scripts/check-prebuild.mjs')], { encoding: 'utf8' });

describe('scripts/check-prebuild.mjs (prepack)', () => {
  it('missing, stale, current: a warning naming the cause, then none; always exit 0', () => {
    const missing = run();
    expect(missing.status).toBe(0);
    expect(missing.stderr).toMatch(/gopher-auth\.node is missing; .*npm run prebuild/);

    mkdirSync(path.dirname(prebuild), { recursive: true });
    writeFileSync(prebuild, 'binary');
    const past = new Date(Date.now() - 3_600_000);
    utimesSync(prebuild, past, past);
    const stale = run();
    expect(stale.status).toBe(0);
    expect(stale.stderr).toMatch(/is older than .*native\/addon\.cc/);

    const now = new Date(Date.now() + 1000);
    utimesSync(prebuild, now, now);
    const current = run();
    expect(current.status).toBe(0);
    expect(current.stderr).toBe('');
  });
});
