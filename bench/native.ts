/**
 * Native backend throughput (RS256-2048, keys injected, distinct tokens) against the single-thread
 * `crypto.verify` floor measured in the same run: the backend alone (sync and async, through the
 * N-API addon when it is loaded, else koffi and koffi `.async`) and GopherAuthClient with backend 'native' and 'auto'
 * (which adds the JS re-check of every accepted token).
 * Run: npx tsx bench/native.ts [seconds-per-measurement]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { createNativeClient, nativeDiagnostics } from '../src/backends/native/index.js';
import type { ValidationRequest } from '../src/backends/types.js';
import { benchKey, floorVerify, mintTokens } from './lib/keys.js';
import { GopherAuthClient } from '../src/core/client.js';
import { measureAsync, measureSync as sharedMeasureSync } from './lib/measure.js';

const SECONDS = Number(process.argv[2] ?? 2);
const TOKENS = 4000;
const IN_FLIGHT = 64;
const ISSUER = 'https://issuer.bench';

const key = benchKey('RS256', 'bench');
const jwk = key.jwk;
const jwks = { keys: [jwk] };
const tokens = mintTokens(key, { issuer: ISSUER, audience: 'api' }, TOKENS);

/** The shared loops (bench/lib/measure.ts) over this bench's tokens. */
const measure = (concurrency: number, op: (token: string) => Promise<boolean>): Promise<number> =>
  measureAsync('native bench', tokens, op, concurrency, SECONDS);
const measureSync = (op: (token: string) => boolean): number => sharedMeasureSync('native bench', tokens, op, SECONDS);

async function main(): Promise<void> {
  const { info, availability } = nativeDiagnostics();
  if (!availability.available) throw new Error(`native backend unavailable: ${availability.reason ?? ''}`);
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;

  const backend = createNativeClient({ jwksUri: url, issuer: ISSUER });
  backend.setKeys({ keys: jwks.keys, json: JSON.stringify(jwks), fetchedAt: Date.now(), version: 1 });
  const request: ValidationRequest = { issuer: ISSUER, audience: 'api', clockSkew: 60, algorithms: ['RS256'] };
  const native = new GopherAuthClient(url, ISSUER, { backend: 'native' });
  const auto = new GopherAuthClient(url, ISSUER, { backend: 'auto' });
  await Promise.all([native.ready(), auto.ready()]);
  const floor = floorVerify(key);

  const runs: [string, () => Promise<number> | number][] = [
    ['floor: crypto.verify, 1 thread', () => measureSync(floor)],
    ['native backend, sync', () => measureSync((t) => backend.validateSync(t, request).valid)],
    ['native backend, async sequential', () => measure(1, async (t) => (await backend.validate(t, request)).valid)],
    [`native backend, async ${IN_FLIGHT} in flight`, () => measure(IN_FLIGHT, async (t) => (await backend.validate(t, request)).valid)],
    ["client 'native', sync", () => measureSync((t) => native.validateTokenSync(t, { audience: 'api' }).valid)],
    ["client 'native', async sequential", () => measure(1, async (t) => (await native.validateToken(t, { audience: 'api' })).valid)],
    [`client 'native', ${IN_FLIGHT} in flight`, () => measure(IN_FLIGHT, async (t) => (await native.validateToken(t, { audience: 'api' })).valid)],
    ["client 'auto', sync", () => measureSync((t) => auto.validateTokenSync(t, { audience: 'api' }).valid)],
    [`client 'auto', ${IN_FLIGHT} in flight`, () => measure(IN_FLIGHT, async (t) => (await auto.validateToken(t, { audience: 'api' })).valid)],
  ];
  for (const [, run] of runs) {
    await run(); // warm-up
  }
  const rounds = 3;
  const results = new Map<string, number[]>();
  for (let r = 0; r < rounds; r++) {
    for (const [name, run] of runs) results.set(name, [...(results.get(name) ?? []), await run()]);
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const floorOps = median(results.get('floor: crypto.verify, 1 thread') ?? [1]);

  console.log(`RS256-2048, ${TOKENS} distinct tokens, ${SECONDS}s x ${rounds} rounds (median), ${availableParallelism()} CPUs, Node ${process.version}`);
  console.log(`library ${info.path ?? '?'} loaded '${info.loadMode ?? '?'}'`);
  console.log('Note: other processes on the machine share the CPUs; compare ratios, not absolute numbers.\n');
  for (const [name, values] of results) {
    const ops = median(values);
    console.log(`${name.padEnd(38)} ${Math.round(ops).toString().padStart(8)} ops/s   ${(ops / floorOps).toFixed(2)}x floor`);
  }
  // Both readings of "sequential native validation": the library call as this package makes it, and
  // GopherAuthClient({ backend: 'native' }), which also re-checks every accepted token in JS.
  const verdict = (x: number): string => `${x.toFixed(2)}x (target >= 0.55x) ${x >= 0.55 ? 'met' : 'NOT met'}`;
  const backendSeq = median(results.get('native backend, sync') ?? [0]) / floorOps;
  const clientSeq = median(results.get("client 'native', sync") ?? [0]) / floorOps;
  console.log(`\nsequential native (sync), native backend alone vs floor: ${verdict(backendSeq)}`);
  console.log(`sequential native (sync), client 'native' vs floor:      ${verdict(clientSeq)}`);

  backend.destroy();
  native.destroy();
  auto.destroy();
  server.close();
}

await main();
