/**
 * `npm run bench` — every validation path side by side in one run, against the physical floor
 * (single-thread `crypto.verify` with a pre-imported key) and ceiling (callback `crypto.verify`,
 * 100 in flight) measured in the same run, and against the peers on the same tokens. Then the
 * event-loop delay while validating at full load and while the JWKS endpoint is slow or down.
 *
 *   npx tsx bench/run.ts [--quick] [--alg RS256,ES256,EdDSA] [--seconds N] [--rounds N] [--loop-only]
 *
 * Prints a table and the target checks; writes JSON to bench/results/. See bench/README.md.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { BENCH_ALGS, benchKey, callbackVerify, floorVerify, mintTokens, type BenchAlg, type BenchKey } from './lib/keys.js';
import { FreeThreads } from './lib/free-threads.js';
import { startBenchJwksServer, type BenchJwksServer } from './lib/jwks-server.js';
import { loopDelayDuring, sustain, type LoopDelay } from './lib/loop-delay.js';
import { measureAsync, measureSync, median, type Cursor } from './lib/measure.js';
import { createOurClients, type OurClients } from './lib/ours.js';
import { check, formatOps, formatRatio, loadNote, machineInfo, pad, printChecks, writeResults, type TargetCheck } from './lib/report.js';
import { PEERS, type PeerVerify } from './peers/index.js';
import { GopherAuthClient } from '../src/core/client.js';

const ISSUER = 'https://issuer.bench/realms/mcp';
const AUDIENCE = 'https://mcp.bench/mcp';
const IN_FLIGHT = 64;
const CEILING_IN_FLIGHT = 100;

type Tokens = 'distinct' | 'repeated';
type Group = 'reference' | 'ours' | 'peer';
type InFlight = 'sync' | number;

interface Case {
  alg: BenchAlg;
  group: Group;
  /** Stable identifier, e.g. 'js' or 'jose 6 (local JWKS)'. */
  subject: string;
  name: string;
  tokens: Tokens;
  inFlight: InFlight;
  run: (seconds: number) => Promise<number>;
}

interface Row {
  alg: BenchAlg;
  group: Group;
  subject: string;
  name: string;
  tokens: Tokens;
  inFlight: InFlight;
  opsPerSec: number | null;
  samples: number[];
  /** CPU time of the whole process (every thread) per op, µs: steadier than ops/s on a shared machine. */
  cpuUsPerOp: number | null;
  /** Per round: ops ÷ the floor measured just before and just after this figure (geometric mean). */
  floorRatios: number[];
  vsFloor: number | null;
  /** Ours: ops ÷ jose (local JWKS) at the same tokens and concurrency. Peers: ours ('auto') ÷ peer. */
  vsJose?: number | null;
  oursOverPeer?: number | null;
  note?: string;
}

function parseArgs(argv: readonly string[]): { quick: boolean; loopOnly: boolean; algs: BenchAlg[]; seconds: number; rounds: number; warm: number; tokens: number } {
  const quick = argv.includes('--quick');
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
  };
  const algs = (value('--alg')?.split(',') ?? [...BENCH_ALGS]) as BenchAlg[];
  for (const alg of algs) if (!BENCH_ALGS.includes(alg)) throw new Error(`unknown --alg ${alg}; use ${BENCH_ALGS.join(',')}`);
  return {
    quick,
    loopOnly: argv.includes('--loop-only'),
    algs,
    seconds: Number(value('--seconds') ?? (quick ? 0.25 : 1.5)),
    rounds: Number(value('--rounds') ?? (quick ? 1 : 3)),
    warm: quick ? 0.1 : 0.4,
    tokens: quick ? 2000 : 4000,
  };
}

const sub = (inFlight: InFlight): string => (inFlight === 'sync' ? 'sync' : inFlight === 1 ? 'sequential' : `${inFlight} in flight`);

function ourCases(alg: BenchAlg, ours: OurClients, distinct: string[], repeated: string[], nativeAlg: boolean): Case[] {
  const opts = ours.options;
  const cases: Case[] = [];
  const add = (subject: string, label: string, tokens: Tokens, client: GopherAuthClient, modes: readonly InFlight[]): void => {
    const inputs = tokens === 'distinct' ? distinct : repeated;
    for (const inFlight of modes) {
      const name = `${label}, ${sub(inFlight)}`;
      const cursor: Cursor = { next: 0 };
      const run =
        inFlight === 'sync'
          ? (s: number) => Promise.resolve(measureSync(name, inputs, (t) => client.validateTokenSync(t, opts).valid, s))
          : (s: number) => measureAsync(name, inputs, async (t) => (await client.validateToken(t, opts)).valid, inFlight, s, cursor);
      cases.push({ alg, group: 'ours', subject, name, tokens, inFlight, run });
    }
  };
  const all: InFlight[] = ['sync', 1, IN_FLIGHT];
  add('js', 'js', 'distinct', ours.js, all);
  if (nativeAlg && ours.native) add('native', ours.nativeAsyncPath === 'addon' ? 'native (addon)' : 'native (sync: koffi, async: koffi .async)', 'distinct', ours.native, all);
  const backend = ours.nativeBackend;
  if (nativeAlg && backend) {
    const label = `native backend alone (${ours.nativeAsyncPath === 'addon' ? 'addon' : 'koffi'}, no JS re-check)`;
    const request = ours.nativeRequest;
    for (const inFlight of ['sync', IN_FLIGHT] as const) {
      const name = `${label}, ${sub(inFlight)}`;
      const run =
        inFlight === 'sync'
          ? (s: number) => Promise.resolve(measureSync(name, distinct, (t) => backend.validateSync(t, request).valid, s))
          : (s: number) => measureAsync(name, distinct, async (t) => (await backend.validate(t, request)).valid, inFlight, s);
      cases.push({ alg, group: 'ours', subject: 'native backend', name, tokens: 'distinct', inFlight, run });
    }
  }
  add('auto', "'auto'", 'distinct', ours.auto, all);
  add('js+cache miss', 'js + cache, every call a miss', 'distinct', ours.jsCacheMisses, [IN_FLIGHT]);
  add('js+cache', 'js + cache', 'repeated', ours.jsCached, all);
  if (nativeAlg && ours.nativeCached) add('native+cache', 'native + cache', 'repeated', ours.nativeCached, [1, IN_FLIGHT]);
  add('auto+cache', "'auto' + cache", 'repeated', ours.autoCached, all);
  return cases;
}

async function peerCases(alg: BenchAlg, server: BenchJwksServer, jwks: { keys: object[] }, distinct: string[], repeated: string[]): Promise<{ cases: Case[]; unsupported: Row[] }> {
  const cases: Case[] = [];
  const unsupported: Row[] = [];
  for (const tokens of ['distinct', 'repeated'] as const) {
    for (const peer of PEERS) {
      const context = { alg, issuer: ISSUER, audience: AUDIENCE, jwks, jwksUrl: server.url, origin: server.origin, cache: tokens === 'repeated' };
      const created = await peer.create(context);
      for (const inFlight of [1, IN_FLIGHT] as const) {
        const name = `${peer.name}${context.cache && peer.name.startsWith('fast-jwt') ? ' (its cache on)' : ''}, ${sub(inFlight)}`;
        if (typeof created !== 'function') {
          unsupported.push({ alg, group: 'peer', subject: peer.name, name, tokens, inFlight, opsPerSec: null, samples: [], cpuUsPerOp: null, floorRatios: [], vsFloor: null, note: created.unsupported });
          continue;
        }
        const verify: PeerVerify = created;
        const inputs = tokens === 'distinct' ? distinct : repeated;
        await verify(inputs[0] as string); // fetch keys before timing
        cases.push({ alg, group: 'peer', subject: peer.name, name, tokens, inFlight, run: (s) => measureAsync(name, inputs, verify, inFlight, s) });
      }
    }
  }
  return { cases, unsupported };
}

function referenceCases(alg: BenchAlg, key: BenchKey, distinct: string[], freeThreads: FreeThreads): Case[] {
  const floor = floorVerify(key);
  const ceiling = callbackVerify(key);
  return [
    { alg, group: 'reference', subject: 'floor', name: 'floor: crypto.verify, pre-imported key, 1 thread', tokens: 'distinct', inFlight: 'sync', run: async (s) => measureSync('floor', distinct, floor, s) },
    {
      alg,
      group: 'reference',
      subject: 'free threads',
      name: `crypto.verify, ${freeThreads.threads} free threads (what the cores give now)`,
      tokens: 'distinct',
      inFlight: freeThreads.threads,
      run: async (s) => (await freeThreads.run(s)).opsPerSecond,
    },
    {
      alg,
      group: 'reference',
      subject: 'ceiling',
      name: `ceiling: callback crypto.verify, ${CEILING_IN_FLIGHT} in flight`,
      tokens: 'distinct',
      inFlight: CEILING_IN_FLIGHT,
      run: (s) => measureAsync('ceiling', distinct, ceiling, CEILING_IN_FLIGHT, s),
    },
  ];
}

/**
 * Fills the ratio columns. × floor is the median of the per-round ratios to the floor measured right
 * before and right after the figure: on a shared host the speed of a core drifts by a third within
 * seconds, and a floor measured a minute away (the floor row's own median) would carry that drift
 * into every ratio. Ratios between two rows (× jose, ours ÷ peer) divide their × floor figures.
 */
function computeRatios(rows: Row[]): void {
  for (const row of rows) row.vsFloor = row.opsPerSec !== null && row.floorRatios.length > 0 ? median(row.floorRatios) : null;
  const find = (alg: BenchAlg, subject: string, tokens: Tokens, inFlight: InFlight): number | null =>
    rows.find((r) => r.alg === alg && r.subject === subject && r.tokens === tokens && r.inFlight === inFlight)?.vsFloor ?? null;
  for (const row of rows) {
    const concurrency = row.inFlight === 'sync' ? 1 : row.inFlight;
    if (row.group === 'ours') {
      const jose = find(row.alg, 'jose 6 (local JWKS)', row.tokens, concurrency);
      row.vsJose = row.vsFloor !== null && jose ? row.vsFloor / jose : null;
    } else if (row.group === 'peer') {
      const ours = find(row.alg, row.tokens === 'repeated' ? 'auto+cache' : 'auto', row.tokens, concurrency);
      row.oursOverPeer = row.vsFloor !== null && ours !== null ? ours / row.vsFloor : null;
    }
  }
}

function printTable(rows: readonly Row[], labels: Record<string, string>): void {
  const width = Math.max(...rows.map((r) => r.name.length)) + 2;
  for (const alg of [...new Set(rows.map((r) => r.alg))]) {
    console.log(`\n${labels[alg] ?? alg}`);
    console.log(`  ${pad('', width)}${pad('ops/s', 12, true)}${pad('× floor', 10, true)}${pad('× jose', 10, true)}${pad('ours ÷ peer', 13, true)}${pad('CPU µs/op', 11, true)}`);
    for (const tokens of ['distinct', 'repeated'] as const) {
      console.log(`  -- ${tokens === 'distinct' ? 'distinct tokens (no cache unless named)' : 'one repeated token'}`);
      for (const r of rows.filter((x) => x.alg === alg && x.tokens === tokens)) {
        const extra = r.note ? `  (${r.note})` : '';
        console.log(
          `  ${pad(r.name, width)}${pad(formatOps(r.opsPerSec), 12, true)}${pad(formatRatio(r.vsFloor), 10, true)}${pad(formatRatio(r.vsJose), 10, true)}${pad(formatRatio(r.oursOverPeer), 13, true)}${pad(r.cpuUsPerOp === null ? '' : r.cpuUsPerOp.toFixed(r.cpuUsPerOp < 10 ? 2 : 1), 11, true)}${extra}`,
        );
      }
    }
  }
}

function targetChecks(rows: readonly Row[]): TargetCheck[] {
  const ratio = (alg: BenchAlg, subject: string, tokens: Tokens, inFlight: InFlight): number | null =>
    rows.find((r) => r.alg === alg && r.subject === subject && r.tokens === tokens && r.inFlight === inFlight)?.vsFloor ?? null;
  const checks = [
    check('RS256 js, sequential (await) vs floor', ratio('RS256', 'js', 'distinct', 1), 0.8),
    check('RS256 js, sync vs floor', ratio('RS256', 'js', 'distinct', 'sync'), 0.8),
    check(`RS256 js, ${IN_FLIGHT} in flight vs floor`, ratio('RS256', 'js', 'distinct', IN_FLIGHT), 1.5),
    check("RS256 client 'native', sync vs floor", ratio('RS256', 'native', 'distinct', 'sync'), 0.6),
    check("RS256 client 'native', sequential (await) vs floor", ratio('RS256', 'native', 'distinct', 1), 0.6),
    check(`RS256 client 'native', ${IN_FLIGHT} in flight vs floor`, ratio('RS256', 'native', 'distinct', IN_FLIGHT), 0.9),
    check('RS256 native backend alone, sync vs floor', ratio('RS256', 'native backend', 'distinct', 'sync'), 0.6),
    check(`RS256 native backend alone, ${IN_FLIGHT} in flight vs floor`, ratio('RS256', 'native backend', 'distinct', IN_FLIGHT), 0.9),
    check('RS256 cache hit, sequential (await) vs floor', ratio('RS256', 'js+cache', 'repeated', 1), 50),
    check('RS256 cache hit, sync vs floor', ratio('RS256', 'js+cache', 'repeated', 'sync'), 50),
  ];
  for (const alg of ['ES256', 'EdDSA'] as const) {
    checks.push(check(`${alg} js, ${IN_FLIGHT} in flight vs floor`, ratio(alg, 'js', 'distinct', IN_FLIGHT), 1.3));
    checks.push(check(`${alg} 'auto', ${IN_FLIGHT} in flight vs floor`, ratio(alg, 'auto', 'distinct', IN_FLIGHT), 1.3));
  }
  const ours = rows.filter((r) => r.alg === 'RS256' && r.group === 'ours' && r.vsJose !== null && r.vsJose !== undefined && r.subject !== 'js+cache miss');
  const worst = ours.reduce<Row | null>((w, r) => (w === null || (r.vsJose as number) < (w.vsJose as number) ? r : w), null);
  checks.push(check(`RS256 every mode vs jose (worst: ${worst?.name ?? 'n/a'}, ${worst?.tokens ?? ''})`, worst?.vsJose ?? null, 2.5));
  return checks.filter((c) => rows.some((r) => c.target.startsWith(r.alg)));
}

interface LoopScenario {
  name: string;
  delay: LoopDelay;
  completed: number;
}

/**
 * Event-loop delay p99 while 64 validations stay in flight, each followed by a return to the event
 * loop as a server's request would be: at full load per backend, and with the JWKS endpoint slow or
 * down while tokens with unknown kids keep asking for refetches.
 */
async function loopScenarios(server: BenchJwksServer, ours: OurClients, key: BenchKey, distinct: string[], seconds: number): Promise<LoopScenario[]> {
  const opts = ours.options;
  const asRequest = (client: GopherAuthClient) => async (t: string) => {
    await client.validateToken(t, opts);
    await yieldToLoop();
  };
  const scenarios: LoopScenario[] = [];
  const measure = async (name: string, client: GopherAuthClient, inputs: readonly string[]): Promise<void> => {
    // Steady state, not start-up: with --loop-only nothing has run yet (JIT, verify worker start).
    await sustain(inputs, asRequest(client), IN_FLIGHT, Math.min(0.5, seconds / 2));
    let completed = 0;
    const delay = await loopDelayDuring(async () => {
      completed = await sustain(inputs, asRequest(client), IN_FLIGHT, seconds);
    });
    scenarios.push({ name, delay, completed });
  };
  await measure('js, distinct tokens', ours.js, distinct);
  if (ours.native) await measure('native, distinct tokens', ours.native, distinct);
  await measure("'auto' + cache, one repeated token", ours.autoCached, distinct.slice(0, 1));

  // Keys expire every second and unknown kids ask for refetches, against an endpoint that is slow, then down.
  const unknownKid = mintTokens({ ...key, kid: 'rotated-away' }, { issuer: ISSUER, audience: AUDIENCE }, 64);
  const mixed = distinct.slice(0, 448).flatMap((t, i) => (i % 7 === 6 ? [t, unknownKid[i % 64] as string] : [t]));
  for (const [label, mode] of [
    ['JWKS endpoint slow (3 s per answer)', { kind: 'slow', ms: 3000 }],
    ['JWKS endpoint down (503)', { kind: 'down' }],
  ] as const) {
    const client = new GopherAuthClient(server.url, ISSUER, {
      backend: 'auto',
      tokenCache: true,
      jwks: { minCacheDuration: 1, unknownKidCooldown: 1 },
      cacheDuration: 1,
    });
    await client.ready();
    server.setMode(mode);
    try {
      await measure(`'auto' + cache, ${label}, 1 in 8 tokens with an unknown kid`, client, mixed);
    } finally {
      server.setMode({ kind: 'ok' });
      client.destroy();
    }
  }
  return scenarios;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const keys = new Map(args.algs.map((alg) => [alg, benchKey(alg)] as const));
  const jwks = { keys: [...keys.values()].map((k) => k.jwk) };
  const server = await startBenchJwksServer(jwks.keys);
  const ours = await createOurClients(server.url, ISSUER, AUDIENCE, Math.floor(args.tokens / 4));

  console.log(`gopher-auth bench (${args.quick ? 'quick' : 'full'}): ${args.seconds}s per figure, ${args.rounds} round(s), median; ${args.tokens} distinct tokens per algorithm`);
  console.log(`Node ${process.version}; native async path: ${ours.nativeAsyncPath}`);
  console.log(`${loadNote()}\n`);

  const cases: Case[] = [];
  const toClose: FreeThreads[] = [];
  /** The floor of each algorithm, also measured between every two figures (see computeRatios). */
  const floors = new Map<BenchAlg, Case>();
  const rows: Row[] = [];
  const labels: Record<string, string> = {};
  const tokensByAlg = new Map<BenchAlg, string[]>();
  for (const [alg, key] of keys) {
    labels[alg] = key.label;
    const distinct = mintTokens(key, { issuer: ISSUER, audience: AUDIENCE }, args.tokens);
    const repeated = [distinct[0] as string];
    tokensByAlg.set(alg, distinct);
    if (args.loopOnly) continue;
    const freeThreads = await FreeThreads.start(key, distinct);
    toClose.push(freeThreads);
    const references = referenceCases(alg, key, distinct, freeThreads);
    floors.set(alg, references[0] as Case);
    cases.push(...references);
    cases.push(...ourCases(alg, ours, distinct, repeated, alg === 'RS256'));
    const peers = await peerCases(alg, server, jwks, distinct, repeated);
    cases.push(...peers.cases);
    rows.push(...peers.unsupported);
  }

  for (const c of cases) await c.run(args.warm);
  const samples = new Map<Case, number[]>(cases.map((c) => [c, []]));
  const cpu = new Map<Case, number[]>(cases.map((c) => [c, []]));
  const floorRatios = new Map<Case, number[]>(cases.map((c) => [c, []]));
  const floorSlice = args.quick ? 0.1 : Math.min(0.5, args.seconds / 2);
  for (let round = 0; round < args.rounds; round++) {
    // floor, case, floor, case, …: each case sits between two floor samples of its algorithm.
    const floorNow = (alg: BenchAlg): Promise<number> => (floors.get(alg) as Case).run(floorSlice);
    let last: { alg: BenchAlg; ops: number } | null = null;
    for (const c of cases) {
      const before = last !== null && last.alg === c.alg ? last.ops : await floorNow(c.alg);
      const cpuBefore = process.cpuUsage();
      const t0 = performance.now();
      const ops = await c.run(args.seconds);
      const used = process.cpuUsage(cpuBefore);
      const seconds = (performance.now() - t0) / 1000;
      const after = await floorNow(c.alg);
      last = { alg: c.alg, ops: after };
      samples.get(c)?.push(ops);
      // CPU over the figure's own time only (before, the floor sample after it was in the divisor too).
      cpu.get(c)?.push((used.user + used.system) / (ops * seconds));
      floorRatios.get(c)?.push(ops / Math.sqrt(before * after));
    }
    if (!args.quick) process.stderr.write(`round ${round + 1}/${args.rounds} done\n`);
  }
  for (const c of cases) {
    const values = samples.get(c) ?? [];
    rows.push({
      alg: c.alg,
      group: c.group,
      subject: c.subject,
      name: c.name,
      tokens: c.tokens,
      inFlight: c.inFlight,
      opsPerSec: median(values),
      samples: values,
      cpuUsPerOp: median(cpu.get(c) ?? []),
      floorRatios: floorRatios.get(c) ?? [],
      vsFloor: null,
    });
  }
  const order = (r: Row): number => ['reference', 'ours', 'peer'].indexOf(r.group);
  rows.sort((a, b) => args.algs.indexOf(a.alg) - args.algs.indexOf(b.alg) || order(a) - order(b));
  computeRatios(rows);
  const cacheStats = { jsCached: ours.jsCached.stats().tokenCache, jsCacheMisses: ours.jsCacheMisses.stats().tokenCache };
  const missRowHits = cacheStats.jsCacheMisses?.hits ?? 0;
  // A warning, not a throw: losing a whole run's figures to one contaminated row helps nobody.
  if (missRowHits > 0) console.warn(`warning: the cache-miss client hit its cache ${missRowHits} times; its row understates the miss cost`);

  const checks: TargetCheck[] = [];
  if (!args.loopOnly) {
    printTable(rows, labels);
    console.log('\nTargets (ratios measured in this run)');
    checks.push(...targetChecks(rows));
    printChecks(checks);
  }

  let loop: LoopScenario[] = [];
  const rsKey = keys.get('RS256');
  const rsTokens = tokensByAlg.get('RS256');
  if (rsKey && rsTokens) {
    const heapMb = process.memoryUsage().heapUsed / 2 ** 20;
    loop = await loopScenarios(server, ours, rsKey, rsTokens, args.quick ? 1.5 : 4);
    console.log(`\nEvent-loop delay (monitorEventLoopDelay, 1 ms resolution), RS256, ${IN_FLIGHT} validations in flight, each as one request`);
    console.log(`  (JS heap in use when the scenarios began: ${heapMb.toFixed(0)} MB)`);
    const width = Math.max(...loop.map((s) => s.name.length)) + 2;
    for (const s of loop) {
      const gcShare = s.delay.samples === 0 ? 0 : s.delay.scavenges / s.delay.samples;
      const gc = `scavenges in ${(100 * gcShare).toFixed(1)} % of samples, median ${s.delay.scavengeP50Ms.toFixed(2)} ms`;
      console.log(`  ${pad(s.name, width)} p50 ${s.delay.p50Ms.toFixed(2)} ms  p99 ${s.delay.p99Ms.toFixed(2)} ms  max ${s.delay.maxMs.toFixed(1)} ms  (${formatOps(s.completed)} validations; ${gc})`);
    }
    console.log('  (a scavenge pauses the loop: where they fall in over ~1 % of the samples, the p99 is about the idle 1.07 ms plus one)');
    const worst = Math.max(...loop.map((s) => s.delay.p99Ms));
    const loopCheck = check('event-loop delay p99, worst scenario', worst, 2, 'max', 'ms');
    printChecks([loopCheck]);
    checks.push(loopCheck);
  }

  const file = writeResults(args.quick ? 'bench-quick' : 'bench', {
    machine: machineInfo(),
    settings: { ...args, inFlight: IN_FLIGHT, ceilingInFlight: CEILING_IN_FLIGHT, nativeAsyncPath: ours.nativeAsyncPath },
    rows,
    checks,
    loopDelay: loop,
    cacheStats,
    elapsedSeconds: (performance.now() - started) / 1000,
  });
  console.log(`\n${loadNote()}`);
  console.log(`JSON: ${file}  (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  ours.destroy();
  await Promise.all(toClose.map((threads) => threads.close()));
  await server.close();
}

await main();
