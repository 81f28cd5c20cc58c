/**
 * How close the native backend's sequential path comes to the library itself: the same RS256-2048
 * tokens validated one at a time by (1) a C++ program that only loads libgopher-orch and calls
 * gopher_auth_validate_token in a loop (bench/c/library-loop.cc, no Node), (2) the same with the
 * addon's key cache installed (native/key_cache.cc), (3) the native backend's sync call (addon, or
 * koffi with GOPHER_AUTH_ADDON=off), (4) GopherAuthClient 'native' (adds the JS re-check), each
 * against the single-thread crypto.verify floor measured just before and after it.
 * Needs a C++ compiler (g++ or c++) on the PATH.
 * Run: npx tsx bench/native-ceiling.ts [seconds-per-measurement] [rounds]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNativeClient, nativeDiagnostics } from '../src/backends/native/index.js';
import { addonStatus } from '../src/backends/native/addon.js';
import type { ValidationRequest } from '../src/backends/types.js';
import { GopherAuthClient } from '../src/core/client.js';
import { startBenchJwksServer } from './lib/jwks-server.js';
import { benchKey, floorVerify, mintTokens } from './lib/keys.js';
import { median, measureSync } from './lib/measure.js';
import { formatOps, formatRatio, loadNote, machineInfo, pad } from './lib/report.js';

const SECONDS = Number(process.argv[2] ?? 1);
const ROUNDS = Number(process.argv[3] ?? 3);
const ISSUER = 'https://issuer.bench';
const AUDIENCE = 'api';

const { info, availability } = nativeDiagnostics();
if (!availability.available || info.path === null) throw new Error(`native backend unavailable: ${availability.reason ?? ''}`);

const dir = mkdtempSync(path.join(tmpdir(), 'gopher-native-ceiling-'));
const source = fileURLToPath(new URL('./c/library-loop.cc', import.meta.url));
const program = path.join(dir, 'library-loop');
const compiler = ['g++', 'c++'].find((cc) => {
  try {
    execFileSync(cc, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});
if (compiler === undefined) throw new Error('no C++ compiler (g++ or c++) on the PATH');
const keyCacheSource = fileURLToPath(new URL('../native/key_cache.cc', import.meta.url));
execFileSync(compiler, ['-O2', '-std=c++17', '-o', program, source, keyCacheSource, '-ldl', '-pthread']);

const key = benchKey('RS256', 'bench');
const jwks = { keys: [key.jwk] };
const tokens = mintTokens(key, { issuer: ISSUER, audience: AUDIENCE }, 2000);
writeFileSync(path.join(dir, 'jwks.json'), JSON.stringify(jwks));
writeFileSync(path.join(dir, 'tokens.txt'), tokens.join('\n'));

const backend = createNativeClient({ jwksUri: 'http://127.0.0.1:9/never', issuer: ISSUER });
backend.setKeys({ keys: jwks.keys, json: JSON.stringify(jwks), fetchedAt: Date.now(), version: 1 });
const request: ValidationRequest = { issuer: ISSUER, audience: AUDIENCE, clockSkew: 60, algorithms: ['RS256'] };
const jwksServer = await startBenchJwksServer(jwks.keys);
const client = new GopherAuthClient(jwksServer.url, ISSUER, { backend: 'native' });
await client.ready();
const floor = floorVerify(key);

function libraryAlone(keyCache: boolean): number {
  const args = [info.path as string, path.join(dir, 'jwks.json'), path.join(dir, 'tokens.txt'), ISSUER, AUDIENCE, String(SECONDS)];
  const out = execFileSync(program, keyCache ? [...args, 'key-cache'] : args, { encoding: 'utf8' });
  const result = JSON.parse(out) as { opsPerSecond: number; invalid: number };
  if (result.invalid !== 0) throw new Error(`the library rejected ${result.invalid} valid tokens`);
  return result.opsPerSecond;
}

const runs: [string, () => number][] = [
  ['libgopher-orch alone (C++ loop, no Node)', () => libraryAlone(false)],
  ['libgopher-orch alone + key cache', () => libraryAlone(true)],
  [`native backend, sync (${addonStatus().loaded ? 'addon' : 'koffi'})`, () => measureSync('backend', tokens, (t) => backend.validateSync(t, request).valid, SECONDS)],
  ["GopherAuthClient 'native', sync", () => measureSync('client', tokens, (t) => client.validateTokenSync(t, { audience: AUDIENCE }).valid, SECONDS)],
];
const attachInfo = addonStatus().attach;
const floorRun = (): number => measureSync('floor', tokens, floor, SECONDS);

floorRun();
for (const [, run] of runs) run(); // warm-up

const ratios: number[][] = runs.map(() => []);
const rates: number[][] = runs.map(() => []);
const floors: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  runs.forEach(([, run], i) => {
    // The floor right before and after each measurement: the host's speed drifts within seconds.
    const before = floorRun();
    const rate = run();
    const after = floorRun();
    floors.push(before, after);
    rates[i]?.push(rate);
    ratios[i]?.push(rate / ((before + after) / 2));
  });
}

const machine = machineInfo();
console.log(`RS256-2048, ${tokens.length} distinct tokens, one at a time, ${SECONDS}s x ${ROUNDS} rounds (median), ${machine.cpus} CPUs, Node ${process.version}`);
console.log(`library ${info.path} loaded '${info.loadMode ?? ''}'`);
console.log(loadNote());
console.log('');
console.log(`${pad('floor: crypto.verify, 1 thread', 44)} ${formatOps(median(floors))}   1.00x floor`);
runs.forEach(([label], i) => {
  console.log(`${pad(label, 44)} ${formatOps(median(rates[i] ?? []))}   ${formatRatio(median(ratios[i] ?? []))} floor`);
});
const library = median(ratios[0] ?? []);
const libraryCached = median(ratios[1] ?? []);
const viaBackend = median(ratios[2] ?? []);
const viaClient = median(ratios[3] ?? []);
const cached = attachInfo?.keyCache === true;
const reference = cached ? libraryCached : library;
console.log('');
console.log(`key cache in the backend: ${cached ? 'on' : `off (${attachInfo?.keyCacheReason ?? 'no addon'})`}; key cache alone: ${(libraryCached / library).toFixed(2)}x the library's speed`);
console.log(`native backend sync ÷ library alone${cached ? ' + key cache' : ''}: ${(viaBackend / reference).toFixed(2)}x   client ÷ the same: ${(viaClient / reference).toFixed(2)}x`);

backend.destroy();
client.destroy();
await jwksServer.close();
rmSync(dir, { recursive: true, force: true });
