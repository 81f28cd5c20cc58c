/**
 * The N-API addon against koffi, as ratios to single-thread `crypto.verify` measured in the same
 * run (RS256-2048, keys injected, distinct tokens). Rows:
 *   - raw: the addon's own API and koffi on a bare client handle;
 *   - backend: the native BackendClient with the addon (this process) and without it (a child
 *     process with GOPHER_AUTH_ADDON=0, so async goes through koffi `.async`).
 * Run: npx tsx bench/addon.ts [seconds-per-measurement] [rounds]
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { addonStatus, adoptClient } from '../src/backends/native/addon.js';
import { createNativeClient } from '../src/backends/native/index.js';
import { loadNativeLibrary } from '../src/backends/native/loader.js';
import { acquireNativeRuntime } from '../src/backends/native/runtime.js';
import type { ValidationRequest } from '../src/backends/types.js';
import { benchKey, floorVerify, mintTokens } from './lib/keys.js';
import { measureAsync as sharedMeasureAsync, measureSync as sharedMeasureSync } from './lib/measure.js';

const SECONDS = Number(process.argv[2] ?? 2);
const ROUNDS = Number(process.argv[3] ?? 3);
const CHILD = process.argv.includes('--child');
const TOKENS = 4000;
const IN_FLIGHT = 64;
const ISSUER = 'https://issuer.bench';

const key = benchKey('RS256', 'bench');
const jwk = key.jwk;
const jwksJson = JSON.stringify({ keys: [jwk] });
const tokens = mintTokens(key, { issuer: ISSUER, audience: 'api' }, TOKENS);
const request: ValidationRequest = { issuer: ISSUER, audience: 'api', clockSkew: 60, algorithms: ['RS256'] };

/** The shared loops (bench/lib/measure.ts) over this bench's tokens. */
const measureAsync = (concurrency: number, op: (token: string) => Promise<boolean>): Promise<number> =>
  sharedMeasureAsync('addon bench', tokens, op, concurrency, SECONDS);
const measureSync = (op: (token: string) => boolean): number => sharedMeasureSync('addon bench', tokens, op, SECONDS);

function rawClient(): bigint {
  const { library } = loadNativeLibrary();
  if (!library) throw new Error('native library unavailable');
  acquireNativeRuntime(library);
  const out = Buffer.alloc(8);
  library.api.fn('gopher_auth_client_create')(out, 'http://127.0.0.1:9/never', ISSUER);
  const handle = out.readBigUInt64LE(0);
  library.api.fn('gopher_auth_client_set_option')(handle, 'auto_refresh', 'false');
  library.api.fn('gopher_auth_client_set_option')(handle, 'cache_duration', '86400');
  library.api.fn('gopher_auth_client_set_jwks_json')(handle, jwksJson);
  library.clearNodeOpenSslErrors();
  return handle;
}

type Runs = [string, () => Promise<number> | number][];

async function medians(runs: Runs): Promise<Map<string, number>> {
  for (const [, run] of runs) await run(); // warm-up
  const samples = new Map<string, number[]>();
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, run] of runs) samples.set(name, [...(samples.get(name) ?? []), await run()]);
  }
  const result = new Map<string, number>();
  for (const [name, xs] of samples) result.set(name, [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!);
  return result;
}

const FLOOR = 'floor: crypto.verify, 1 thread';
const floor = floorVerify(key);
const backend = createNativeClient({ jwksUri: 'http://127.0.0.1:9/never', issuer: ISSUER });
backend.setKeys({ keys: [jwk], json: jwksJson, fetchedAt: Date.now(), version: 1 });
const backendRuns: Runs = [
  [`backend, ${IN_FLIGHT} in flight`, () => measureAsync(IN_FLIGHT, async (t) => (await backend.validate(t, request)).valid)],
  ['backend, sequential (validateSync)', () => measureSync((t) => backend.validateSync(t, request).valid)],
  ['backend, sequential (async, 1 in flight)', () => measureAsync(1, async (t) => (await backend.validate(t, request)).valid)],
];

if (CHILD) {
  const results = await medians([[FLOOR, () => measureSync(floor)], ...backendRuns]);
  process.stdout.write(JSON.stringify({ addon: addonStatus(), results: Object.fromEntries(results) }));
  backend.destroy();
  process.exit(0);
}

const status = addonStatus();
if (!status.loaded) throw new Error(`addon not loaded: ${status.reason ?? ''} (npm run build:addon)`);
const addon = adoptClient(rawClient())!;
const koffiHandle = rawClient();
const { library } = loadNativeLibrary();
const validateFn = library!.api.fn('gopher_auth_validate_token');
const koffiAsync = (token: string): Promise<boolean> =>
  new Promise((resolve, reject) => {
    const result = Buffer.alloc(16);
    validateFn.async(koffiHandle, token, null, result, (err: unknown) => {
      library!.clearNodeOpenSslErrors();
      if (err) reject(err as Error);
      else resolve(result.readUInt8(0) !== 0);
    });
  });
const koffiSync = (token: string): boolean => {
  const result = Buffer.alloc(16);
  validateFn(koffiHandle, token, null, result);
  library!.clearNodeOpenSslErrors();
  return result.readUInt8(0) !== 0;
};

const results = await medians([
  [FLOOR, () => measureSync(floor)],
  [`raw addon, ${IN_FLIGHT} in flight`, () => measureAsync(IN_FLIGHT, async (t) => (await addon.validate(t, '', null, 60)).valid)],
  ['raw addon, sequential (validateSync)', () => measureSync((t) => addon.validateSync(t, '', null, 60).valid)],
  ['raw addon, sequential (async, 1 in flight)', () => measureAsync(1, async (t) => (await addon.validate(t, '', null, 60)).valid)],
  [`raw koffi .async, ${IN_FLIGHT} in flight`, () => measureAsync(IN_FLIGHT, koffiAsync)],
  ['raw koffi, sequential (sync)', () => measureSync(koffiSync)],
  ...backendRuns.map(([name, run]): [string, () => Promise<number> | number] => [`${name} [addon]`, run]),
]);
backend.destroy();
addon.destroy();

const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), String(SECONDS), String(ROUNDS), '--child'], {
  env: { ...process.env, GOPHER_AUTH_ADDON: '0' },
  encoding: 'utf8',
  maxBuffer: 1 << 20,
});
const without = JSON.parse(child.stdout) as { addon: { loaded: boolean; reason: string }; results: Record<string, number> };

const floorOps = results.get(FLOOR)!;
const row = (name: string, ops: number, base: number): string =>
  `${name.padEnd(46)} ${Math.round(ops).toString().padStart(8)} ops/s   ${(ops / base).toFixed(2)}x floor`;
console.log(
  `RS256-2048, ${TOKENS} distinct tokens, ${SECONDS}s x ${ROUNDS} rounds (median), ${availableParallelism()} CPUs, ` +
    `Node ${process.version}, load average ${loadavg()[0]!.toFixed(1)}`,
);
console.log(`addon ${status.path ?? '?'}; library ${status.attach?.path ?? '?'} (deep=${String(status.attach?.deep)})`);
console.log('CPUs are shared with other processes; compare ratios within a run.\n');
for (const [name, ops] of results) console.log(row(name, ops, floorOps));
console.log(`\nwithout the addon (child, ${without.addon.reason}):`);
const childFloor = without.results[FLOOR]!;
for (const [name, ops] of Object.entries(without.results)) console.log(row(`${name} [koffi]`, ops, childFloor));

const inFlight = results.get(`backend, ${IN_FLIGHT} in flight [addon]`)! / floorOps;
const sequential = results.get('backend, sequential (validateSync) [addon]')! / floorOps;
console.log(`\ntargets: ${IN_FLIGHT} in flight ${inFlight.toFixed(2)}x (>= 0.9x: ${inFlight >= 0.9 ? 'met' : 'NOT met'}), ` +
  `sequential ${sequential.toFixed(2)}x (>= 0.6x: ${sequential >= 0.6 ? 'met' : 'NOT met'})`);
