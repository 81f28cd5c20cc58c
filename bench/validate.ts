/**
 * RS256-2048 validation throughput: the JS backend (sequential, 64 and 4 in flight) and jose 6 on the
 * same distinct tokens, against the single-thread `crypto.verify` floor measured in the same run.
 * Run: npx tsx bench/validate.ts [seconds-per-measurement] [rounds]
 */
import { publicDecrypt } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { nativeBackend } from '../src/backends/native/index.js';
import { GopherAuthClient } from '../src/core/client.js';
import { rawRsaKey } from '../src/backends/js/raw-rsa-key.js';
import { FreeThreads } from './lib/free-threads.js';
import { benchKey, callbackVerify, floorVerify, mintTokens } from './lib/keys.js';
import { formatChecked } from './lib/report.js';

const SECONDS = Number(process.argv[2] ?? 2);
const ROUNDS = Number(process.argv[3] ?? 5);
const TOKENS = 4000;
const IN_FLIGHT = 64;
/** A few at once, as a lightly loaded server sees them: never slower than one at a time. */
const FEW_IN_FLIGHT = 4;
const ISSUER = 'https://issuer.bench';

const key = benchKey('RS256', 'bench');
const jwk = key.jwk;
const jwks = { keys: [jwk] };

/** CPU time (all threads of this process) per operation in the last `measure`, in µs. */
let lastCpuUsPerOp = 0;

/** Runs `op` over the tokens for `seconds`, `concurrency` at a time; returns ops/s. */
async function measure(concurrency: number, op: (token: string) => unknown, seconds = SECONDS): Promise<number> {
  let next = 0;
  let done = 0;
  const deadline = performance.now() + seconds * 1000;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  async function worker(): Promise<void> {
    while (performance.now() < deadline) {
      const token = tokens[next++ % tokens.length] as string;
      const outcome = await op(token);
      if (outcome === false) throw new Error('a valid token was rejected');
      done++;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const cpu = process.cpuUsage(cpuStart);
  lastCpuUsPerOp = (cpu.user + cpu.system) / done;
  return done / ((performance.now() - start) / 1000);
}

const tokens = mintTokens(key, { issuer: ISSUER, audience: 'api' }, TOKENS);

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;

  const client = new GopherAuthClient(url, ISSUER, { backend: 'js' });
  await client.ready();
  // The native backend (koffi sync) and 'auto', when the native library is available (see bench/native.ts).
  const nativeClient = nativeBackend.availability().available ? new GopherAuthClient(url, ISSUER, { backend: 'native' }) : null;
  const autoClient = new GopherAuthClient(url, ISSUER, { backend: 'auto' });
  await Promise.all([nativeClient?.ready(), autoClient.ready()]);
  const keySet = createLocalJWKSet(jwks);
  const floor = floorVerify(key);
  // The RSA operation alone (s^e mod n, no hashing or padding check): what any RS256 path in Node pays
  // at least, so the rest of each figure's CPU per op is that path's own work.
  // The key as the JS backend passes it (raw-rsa-key.ts): the cheapest form on every Node version.
  const rsaKey = rawRsaKey(key.publicKey, 256);
  const rsaOnly = (t: string) => publicDecrypt(rsaKey, Buffer.from(t.slice(t.lastIndexOf('.') + 1), 'base64url')).length > 0;
  const ours = async (t: string) => (await client.validateToken(t, { audience: 'api' })).valid;
  const jose = async (t: string) => {
    await jwtVerify(t, keySet, { issuer: ISSUER, audience: 'api', algorithms: ['RS256'] });
    return true;
  };

  const rounds = ROUNDS;
  const results: Record<string, number[]> = {};
  const cpuPerOp: Record<string, number[]> = {};
  /** Per round, each figure ÷ the floor measured right before and right after it (geometric mean). */
  const floorRatios: Record<string, number[]> = {};
  const floorAsync = callbackVerify(key);
  const FLOOR = 'floor: crypto.verify, 1 thread';
  const freeThreads = await FreeThreads.start(key, tokens);
  const FREE = `crypto.verify, ${freeThreads.threads} free threads`;
  /** A figure: its name and how to measure it for `seconds` (ops/s; sets lastCpuUsPerOp). */
  type Figure = [name: string, run: (seconds: number) => Promise<number>];
  const measured = (concurrency: number, op: (t: string) => unknown) => (seconds: number) => measure(concurrency, op, seconds);
  const figures: Figure[] = [
    [FREE, async (seconds) => {
      const { opsPerSecond, cpuUsPerOp } = await freeThreads.run(seconds);
      lastCpuUsPerOp = cpuUsPerOp;
      return opsPerSecond;
    }],
    [`crypto.verify async, ${IN_FLIGHT} in flight`, measured(IN_FLIGHT, floorAsync)],
    ['RSA public-key op alone, 1 thread', measured(1, rsaOnly)],
    ['gopher-auth js, sequential', measured(1, ours)],
    ['gopher-auth js, sync', measured(1, (t) => client.validateTokenSync(t, { audience: 'api' }).valid)],
    [`gopher-auth js, ${IN_FLIGHT} in flight`, measured(IN_FLIGHT, ours)],
    [`gopher-auth js, ${FEW_IN_FLIGHT} in flight`, measured(FEW_IN_FLIGHT, ours)],
    ...(nativeClient ? [['gopher-auth native, sync', measured(1, (t) => nativeClient.validateTokenSync(t, { audience: 'api' }).valid)] as Figure] : []),
    [`gopher-auth auto, ${IN_FLIGHT} in flight`, measured(IN_FLIGHT, async (t) => (await autoClient.validateToken(t, { audience: 'api' })).valid)],
    ['jose 6, sequential', measured(1, jose)],
    [`jose 6, ${IN_FLIGHT} in flight`, measured(IN_FLIGHT, jose)],
  ];
  // Warm up every figure as it is measured (its concurrency too): the first in-flight figure would
  // otherwise also time the verify worker's start and its JIT warm-up.
  for (const run of [floor, ours, jose]) await measure(1, run, 0.3);
  for (const [, run] of figures) await run(0.5);
  const floorSlice = Math.min(0.5, SECONDS / 2);
  for (let r = 0; r < rounds; r++) {
    // floor, figure, floor, figure, …: the host's speed drifts within seconds, so each figure is
    // compared with the floor measured next to it.
    let before = await measure(1, floor, floorSlice);
    for (const [name, run] of figures) {
      const ops = await run(SECONDS);
      (results[name] ??= []).push(ops);
      (cpuPerOp[name] ??= []).push(lastCpuUsPerOp);
      const after = await measure(1, floor, floorSlice);
      (results[FLOOR] ??= []).push(after);
      (cpuPerOp[FLOOR] ??= []).push(lastCpuUsPerOp);
      (floorRatios[name] ??= []).push(ops / Math.sqrt(before * after));
      before = after;
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const m = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]));
  const ratio = (name: string): number => (name === FLOOR ? 1 : median(floorRatios[name] as number[]));

  console.log(`RS256-2048, ${TOKENS} distinct tokens, ${SECONDS}s x ${rounds} rounds (median), ${availableParallelism()} CPUs, Node ${process.version}`);
  console.log(`Load average before: ${loadBefore.map((l) => l.toFixed(2)).join(' ')}; after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log('Other processes share the CPUs: each x floor is the median of per-round ratios to the floor');
  console.log(`measured (${floorSlice}s) right before and after that figure. CPU µs/op counts every thread of this process.\n`);
  for (const name of [FLOOR, ...figures.map(([n]) => n)]) {
    const cpu = median(cpuPerOp[name] ?? [0]);
    console.log(`${name.padEnd(34)} ${Math.round(m[name] as number).toString().padStart(8)} ops/s   ${ratio(name).toFixed(2)}x floor   ${cpu.toFixed(1).padStart(6)} CPU µs/op`);
  }
  const seq = ratio('gopher-auth js, sequential');
  const par = ratio(`gopher-auth js, ${IN_FLIGHT} in flight`);
  const joseSeq = ratio('jose 6, sequential');
  const joseInFlight = ratio(`jose 6, ${IN_FLIGHT} in flight`);
  console.log('\nTargets');
  const check = (label: string, value: number, target: number) =>
    console.log(`${label.padEnd(44)} ${formatChecked(value, target)}x (target >= ${target}x) ${value >= target ? 'met' : 'NOT met'}`);
  check('sequential vs floor', seq, 0.8);
  check(`${IN_FLIGHT} in flight vs floor`, par, 1.5);
  const poolFloor = ratio(`crypto.verify async, ${IN_FLIGHT} in flight`);
  console.log(`${`${IN_FLIGHT} in flight vs bare async crypto.verify`.padEnd(44)} ${(par / poolFloor).toFixed(2)}x`);
  console.log(`${`${IN_FLIGHT} in flight vs ${FREE}`.padEnd(44)} ${(par / ratio(FREE)).toFixed(2)}x (the cores this machine gave: ${ratio(FREE).toFixed(2)}x the floor)`);
  const few = ratio(`gopher-auth js, ${FEW_IN_FLIGHT} in flight`);
  console.log(`${`${FEW_IN_FLIGHT} in flight vs sequential`.padEnd(44)} ${(few / seq).toFixed(2)}x (a few at once: not slower than one at a time)`);
  check('sequential vs jose', seq / joseSeq, 2.5);
  check(`${IN_FLIGHT} in flight vs jose`, par / joseInFlight, 2.5);
  // Ops/s ratio = CPU-per-validation ratio × how much more of the cores ours keeps busy than jose does.
  const cpu = (name: string) => median(cpuPerOp[name] ?? [Number.NaN]);
  const oursPar = `gopher-auth js, ${IN_FLIGHT} in flight`;
  const josePar = `jose 6, ${IN_FLIGHT} in flight`;
  const busy = (name: string) => ((cpu(name) * (m[name] as number)) / 1e6).toFixed(2);
  console.log(
    `${`${IN_FLIGHT} in flight vs jose, CPU per validation`.padEnd(44)} ${(cpu(josePar) / cpu(oursPar)).toFixed(2)}x (jose's CPU µs/op ÷ ours; cores kept busy: ours ${busy(oursPar)}, jose ${busy(josePar)})`,
  );

  await freeThreads.close();
  client.destroy();
  nativeClient?.destroy();
  autoClient.destroy();
  server.close();
}

await main();
