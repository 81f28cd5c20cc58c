/**
 * A client dropped without destroy() is garbage, not a background job: its refresh timer must not
 * keep it (and its JWKS fetches) alive forever. destroy() stays the documented way to let go.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnAndCollect } from '../support/child-run.js';

const root = path.resolve(import.meta.dirname, '../..');

describe('a GopherAuthClient dropped without destroy()', () => {
  it('is collected, and its background refreshes stop', async () => {
    const run = await spawnAndCollect<{ count: number; reachable: number; refetchesAfterDrop: number }>(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', path.join(root, 'test/core/fixtures/abandoned-clients.ts')],
      { cwd: root, timeoutMs: 60_000 },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.result).toEqual({ count: 40, reachable: 0, refetchesAfterDrop: 0 });
  }, 90_000);
});
