/**
 * Validation state handed to the verify worker dies young: with 64 validations in flight the main
 * thread's old space grows by little per scavenge. (A Map of in-flight batches once kept every
 * batch's entries, promises and awaiting frames reachable into old space: ~170 KB per scavenge
 * here, and scavenges several times longer, which the event loop felt as delay.)
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnAndCollect } from '../support/child-run.js';

const root = path.resolve(import.meta.dirname, '../..');

interface PromotionReport {
  perScavengeBytes: number;
  scavenges: number;
  fullGcs: number;
  workerValidated: number;
  attempts: number;
}

describe('verify worker: in-flight state is not promoted', () => {
  it('64 in flight: the old space grows by under 80 KB per scavenge (no full GC in between)', async () => {
    const run = await spawnAndCollect<PromotionReport>(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', path.join(root, 'test/js/fixtures/verify-pool-promotion.ts')],
      { cwd: root, timeoutMs: 120_000 },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = run.result as PromotionReport;
    expect(report.fullGcs).toBe(0);
    expect(report.workerValidated).toBeGreaterThan(1_000);
    expect(report.scavenges).toBeGreaterThanOrEqual(3);
    expect(report.perScavengeBytes).toBeLessThan(80_000);
  }, 150_000);
});
