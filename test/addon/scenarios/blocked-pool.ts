/**
 * Child scenario (run with UV_THREADPOOL_SIZE=1): the only libuv pool thread is stuck opening a FIFO
 * nobody writes to, and batches of validations are sent meanwhile. Reports whether they were
 * answered, and how many helper threads took them.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, open, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { addonStats, adoptClient } from '../../../src/backends/native/addon.js';
import { AUDIENCE, baseClaims, makeSigner, mint, nativeLibrary, rawClient } from '../fixtures.js';
import { report } from './report.js';

const signer = makeSigner();
const client = adoptClient(rawClient(nativeLibrary(), signer.jwksJson))!;
const tokens = Array.from({ length: 64 }, (_, i) => mint(signer, baseClaims({ jti: `t${i}` })));

const dir = mkdtempSync(path.join(tmpdir(), 'gopher-blocked-pool-'));
const fifo = path.join(dir, 'fifo');
execFileSync('mkfifo', [fifo]);
let poolFreed = false;
// open(2) on a FIFO waits for a writer: this holds the pool's one thread until the writer below.
open(fifo, 'r', (error, fd) => {
  poolFreed = true;
  if (!error) closeSync(fd);
});

const answered = await Promise.race([
  (async () => {
    for (let round = 0; round < 5; round++) {
      const batches = Array.from({ length: 8 }, (_, i) => client.validateBatch(tokens.slice(i * 8, i * 8 + 8), '', AUDIENCE, 60));
      const results = (await Promise.all(batches)).flat();
      if (results.filter((r) => r.valid).length !== 64) return 'wrong verdicts';
    }
    return 'answered';
  })(),
  new Promise<string>((resolve) => setTimeout(() => resolve('timed out'), 10_000).unref()),
]);
const helpers = (addonStats().backgroundThreads ?? []).length;
const poolWasBlocked = !poolFreed;
closeSync(openSync(fifo, 'w'));
while (!poolFreed) await new Promise((resolve) => setTimeout(resolve, 10));
rmSync(dir, { recursive: true, force: true });
client.destroy();
report({ answered, helpers, poolWasBlocked });
