/**
 * The machine's own two-core (n-core) ceiling: the floor loop (`crypto.verify` with a pre-imported key)
 * on every core at once, in worker threads that share nothing. Its ratio to the single-thread floor
 * is what the host's cores deliver right now (a VM's neighbours take a share of the second core):
 * no concurrent validation can exceed it, so targets above 1x the floor read against it.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { verifySignature, type BenchKey } from './keys.js';

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createPublicKey, verify } = require('node:crypto');
const { readFileSync } = require('node:fs');
const key = createPublicKey(workerData.pem);
const tokens = workerData.tokens;
const inputs = tokens.map((t) => Buffer.from(t.slice(0, t.lastIndexOf('.'))));
const sigs = workerData.signatures;
function cpuUs() {
  try { return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1000; } catch { return NaN; }
}
let next = 0;
function loop(ms) {
  const c0 = cpuUs();
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < ms) {
    const i = next++ % tokens.length;
    if (!verify(workerData.hash, inputs[i], key, sigs[i])) throw new Error('a valid token was rejected');
    n++;
  }
  return { n, cpu: cpuUs() - c0 };
}
loop(100);
parentPort.on('message', (ms) => parentPort.postMessage(loop(ms)));
parentPort.postMessage('ready');
`;

export class FreeThreads {
  readonly #workers: Worker[];

  private constructor(workers: Worker[]) {
    this.#workers = workers;
  }

  static async start(key: BenchKey, tokens: readonly string[], threads = availableParallelism()): Promise<FreeThreads> {
    const pem = key.publicKey.export({ type: 'spki', format: 'pem' });
    const some = tokens.slice(0, 1000);
    // Decoded here as the floor decodes them (ES256 as DER: see verifySignature).
    const signatures = some.map((t) => verifySignature(key, t.slice(t.lastIndexOf('.') + 1)));
    const workerData = { pem, hash: key.hash, tokens: some, signatures };
    const workers = Array.from({ length: threads }, () => new Worker(WORKER, { eval: true, workerData }));
    await Promise.all(workers.map((w) => new Promise<void>((resolve, reject) => {
      w.once('message', () => resolve());
      w.once('error', reject);
    })));
    return new FreeThreads(workers);
  }

  get threads(): number {
    return this.#workers.length;
  }

  /** Every thread runs the floor loop for `seconds` at once: total ops/s, and CPU µs per op (NaN off Linux). */
  async run(seconds: number): Promise<{ opsPerSecond: number; cpuUsPerOp: number }> {
    const results = await Promise.all(
      this.#workers.map((w) => new Promise<{ n: number; cpu: number }>((resolve) => {
        w.once('message', resolve);
        w.postMessage(seconds * 1000);
      })),
    );
    const n = results.reduce((sum, r) => sum + r.n, 0);
    const cpu = results.reduce((sum, r) => sum + r.cpu, 0);
    return { opsPerSecond: n / seconds, cpuUsPerOp: cpu / n };
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}
