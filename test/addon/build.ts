/** Makes sure the addon binary exists before an addon test runs (the build script serialises builds). */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function ensureAddonBuilt(): void {
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts/build-addon.mjs'), '--quiet'], {
    cwd: REPO_ROOT,
    stdio: 'pipe',
  });
}
