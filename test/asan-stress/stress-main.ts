/**
 * ASan stress, main thread + workers: random validate / validateBatch / validateSync / setJwks /
 * destroy on a pool of adopted clients, the logger switched (capture with sink, capture without
 * sink, drop) and background priority toggled meanwhile, worker threads doing the same and being
 * terminated or exiting without cleanup; ends with process.exit() while calls are in flight.
 */
import { isMainThread, Worker, workerData, parentPort } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { nativeAddon, adoptClient, setAddonLogger, addonStats } from '../../src/backends/native/addon.js';
import { nativeLibrary, rawClient } from '../addon/fixtures.js';
import { makeSigner, oddTokens } from './common.js';

const SECONDS = Number(process.env.SECONDS ?? 20);
const library = nativeLibrary();
const binding = nativeAddon();
if (!binding) throw new Error('addon not loaded');
const signer = makeSigner();
const other = makeSigner('other');
const tokens = oddTokens(signer);
const scopesList = ['', 'read', 'read write', 'admin', 's'.repeat(5000), 'a\u0000b'];
const audList = [null, 'https://api.test.example', 'https://other', 'x\u0000y', 'z'.repeat(5000)];
const pick = <T>(a: T[]): T => a[Math.floor(Math.random() * a.length)] as T;
let settled = 0;
let rejected = 0;

type H = ReturnType<typeof adoptClient> & {};
const clients: H[] = [];
function fresh(): H {
  const c = adoptClient(rawClient(library, signer.jwksJson));
  if (!c) throw new Error('no addon');
  return c;
}
for (let i = 0; i < 6; i++) clients.push(fresh());

function fire(): void {
  const idx = Math.floor(Math.random() * clients.length);
  const c = clients[idx]!;
  const r = Math.random();
  const done = () => settled++;
  const fail = () => rejected++;
  if (r < 0.35) void c.validate(pick(tokens), pick(scopesList), pick(audList), pick([60, 0, 5, 1e12, NaN, -1])).then(done, fail);
  else if (r < 0.6) void c.validateBatch(Array.from({ length: 1 + Math.floor(Math.random() * 40) }, () => pick(tokens)), pick(scopesList), pick(audList), 60).then(done, fail);
  else if (r < 0.7) {
    try { c.validateSync(pick(tokens), pick(scopesList), pick(audList), 60); settled++; } catch { rejected++; }
  } else if (r < 0.8) {
    try { c.setJwks(pick([signer.jwksJson, other.jwksJson, '{"keys":[]}', 'not json', '{"keys":[{"kty":"RSA"}]}'])); } catch { rejected++; }
  } else if (r < 0.86) {
    c.destroy();
    c.destroy();
    clients[idx] = fresh();
  }
}

const mode = isMainThread ? 'main' : (workerData as { mode: string }).mode;
const lines: number[] = [0];
function switchLogger(): void {
  const r = Math.random();
  if (r < 0.4) setAddonLogger({ debug: () => void lines[0]!++ });
  else if (r < 0.6) binding!.setLogCapture('capture');
  else setAddonLogger(null);
}

if (isMainThread) {
  const tsxApi = createRequire(import.meta.url).resolve('tsx/cjs/api');
  const self = fileURLToPath(import.meta.url);
  let workers = 0;
  const spawnWorker = (): void => {
    const w = new Worker(`require(${JSON.stringify(tsxApi)}).require(${JSON.stringify(self)}, __filename);`, { eval: true, workerData: { mode: 'worker' } });
    workers++;
    w.on('error', () => {});
    const kind = Math.random();
    if (kind < 0.7) setTimeout(() => void w.terminate(), 50 + Math.random() * 800);
    // else: the worker exits by itself after a while without destroying its clients
  };
  const start = Date.now();
  const loop = (): void => {
    for (let i = 0; i < 40; i++) fire();
    if (Math.random() < 0.05) switchLogger();
    if (Math.random() < 0.02) binding.setBackgroundPriority(pick([0, 10, 19, 3]));
    if (Math.random() < 0.03 && workers < 60) spawnWorker();
    if (Date.now() - start > SECONDS * 1000) {
      console.error(JSON.stringify({ settled, rejected, workers, lines: lines[0], stats: addonStats() }));
      for (let i = 0; i < 200; i++) fire();
      process.exit(0); // calls in flight on the pool
    }
    setImmediate(loop);
  };
  loop();
} else {
  const end = Date.now() + 200 + Math.random() * 1500;
  const loop = (): void => {
    for (let i = 0; i < 20; i++) fire();
    if (Math.random() < 0.1) switchLogger();
    if (Date.now() > end) {
      for (let i = 0; i < 50; i++) fire();
      process.exit(0); // worker's process.exit: ends this thread only, calls in flight
    }
    setImmediate(loop);
  };
  loop();
  void mode;
  void parentPort;
}
