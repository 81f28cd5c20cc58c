/** Makes sure the addon binary exists before an addon test runs (parallel test files share a lock). */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const LOCK = path.join(REPO_ROOT, '.addon-build.lock');

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function ensureAddonBuilt(): void {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`addon build lock ${LOCK} held for 120 s`);
      sleep(100);
    }
  }
  try {
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts/build-addon.mjs'), '--quiet'], {
      cwd: REPO_ROOT,
      stdio: 'pipe',
    });
  } finally {
    rmdirSync(LOCK);
  }
}
