/**
 * `npm run bench:http` — end to end on loopback: `tools/call get-forecast` driven by autocannon
 * (64 connections) against the example's MCP endpoint and tools behind each gate in the same run —
 * none, `gopherAuth()` (JS and native backends, verified-token cache on by default; JS with it off),
 * and the MCP SDK's `requireBearerAuth` with a jose verifier — and against the example server itself
 * with auth off and on. Each server runs in its own child process (autocannon keeps this one busy)
 * and reports its event-loop delay and CPU time.
 *
 *   npx tsx bench/http.ts [--quick] [--seconds N] [--rounds N] [--modes gate-none,gate-js,...]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { benchKey, mintTokens } from './lib/keys.js';
import { startBenchJwksServer } from './lib/jwks-server.js';
import { median } from './lib/measure.js';
import { check, formatOps, formatRatio, loadNote, machineInfo, pad, printChecks, writeResults } from './lib/report.js';
import { serveMode, type ServeMode } from './lib/http-server.js';
import { measureGateCosts } from './lib/gate-cost.js';

const ISSUER = 'https://issuer.bench/realms/mcp';
const CONNECTIONS = 64;

interface Autocannon {
  (options: Record<string, unknown>): Promise<AutocannonResult>;
}
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/**
 * One row per measured setup. `row` names it (and `--modes` picks by it), `mode` is the server that
 * runs, `token` whether the requests carry the bearer token. The bare endpoint is driven twice: with
 * the very requests the gates get (token sent and ignored), which is the baseline a middleware's cost
 * is measured against, and without a token, for reference.
 */
const MODES: ReadonlyArray<{ row: string; mode: ServeMode; label: string; token: boolean }> = [
  { row: 'gate-none', mode: 'gate-none', label: 'MCP endpoint, no auth (express.json only), no token', token: false },
  { row: 'gate-none-token', mode: 'gate-none', label: 'MCP endpoint, no auth, same requests as the gates', token: true },
  { row: 'gate-js', mode: 'gate-js', label: 'MCP endpoint + gopherAuth(), js, cache on (default)', token: true },
  { row: 'gate-native', mode: 'gate-native', label: 'MCP endpoint + gopherAuth(), native, cache on (default)', token: true },
  { row: 'gate-js-nocache', mode: 'gate-js-nocache', label: 'MCP endpoint + gopherAuth(), js, cache off', token: true },
  { row: 'gate-js-noctx', mode: 'gate-js-noctx', label: 'MCP endpoint + gopherAuth(), js, cache on, asyncContext off', token: true },
  { row: 'sdk-jose', mode: 'sdk-jose', label: 'MCP endpoint + SDK requireBearerAuth + jose', token: true },
  { row: 'example-none', mode: 'example-none', label: 'example server, --no-auth', token: false },
  { row: 'example-js', mode: 'example-js', label: 'example server, auth on, js backend', token: true },
  { row: 'example-native', mode: 'example-native', label: 'example server, auth on, native backend', token: true },
];
type Setup = (typeof MODES)[number];

interface ServerHandle {
  setup: Setup;
  child: ChildProcess;
  mcpUrl: string;
  request<T>(message: { type: string }): Promise<T>;
}

interface LoopReport {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  cpuSeconds: number;
}

async function startChild(setup: Setup, jwksUrl: string): Promise<ServerHandle> {
  const { mode } = setup;
  const child = fork(fileURLToPath(import.meta.url), ['--serve', mode, '--jwks', jwksUrl, '--issuer', ISSUER], {
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_HTTP_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_HTTP_CPU_PROF}`] : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<{ mcpUrl: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { mcpUrl: string }));
    child.once('exit', (code) => reject(new Error(`server '${mode}' exited with ${String(code)} before it was ready`)));
  });
  return {
    setup,
    child,
    mcpUrl: ready.mcpUrl,
    request: <T>(message: { type: string }) =>
      new Promise<T>((resolve) => {
        child.once('message', (m) => resolve(m as T));
        child.send(message);
      }),
  };
}

function mcpHeaders(token: string | null, session?: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': '2025-06-18',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...(session ? { 'mcp-session-id': session } : {}),
  };
}

/** initialize → notifications/initialized → one checked tools/call; returns the session id. */
async function openSession(mcpUrl: string, token: string | null): Promise<string> {
  const init = await fetch(mcpUrl, {
    method: 'POST',
    headers: mcpHeaders(token),
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } },
    }),
  });
  const session = init.headers.get('mcp-session-id');
  if (!init.ok || !session) throw new Error(`initialize failed: ${init.status} ${await init.text()}`);
  await init.text();
  const notified = await fetch(mcpUrl, { method: 'POST', headers: mcpHeaders(token, session), body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
  await notified.text();
  const call = await fetch(mcpUrl, { method: 'POST', headers: mcpHeaders(token, session), body: toolCall(1) });
  const text = await call.text();
  if (call.status !== 200 || !text.includes('Tomorrow')) throw new Error(`tools/call check failed: ${call.status} ${text.slice(0, 200)}`);
  return session;
}

function toolCall(id: number): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'get-forecast', arguments: { city: 'London' } } });
}

async function drive(mcpUrl: string, token: string | null, session: string, seconds: number): Promise<AutocannonResult> {
  let id = 1;
  return autocannon({
    url: mcpUrl,
    connections: CONNECTIONS,
    duration: seconds,
    method: 'POST',
    headers: mcpHeaders(token, session),
    // Distinct JSON-RPC ids: the SDK transport routes responses by id.
    requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, body: toolCall(++id) }) }],
  });
}

interface Row {
  row: string;
  /** Server process CPU time per request (µs): steadier than req/s on a shared machine. */
  cpuUsPerRequest: number;
  label: string;
  samples: number[];
  reqPerSec: number;
  vsNoAuth: number | null;
  p99LatencyMs: number[];
  loop: LoopReport[];
  failures: number;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const seconds = Number(value('--seconds') ?? (quick ? 3 : 8));
  const rounds = Number(value('--rounds') ?? (quick ? 1 : 3));
  const warm = quick ? 1 : 2;
  const picked = value('--modes')?.split(',') ?? MODES.map((m) => m.row);
  const started = performance.now();

  const key = benchKey('RS256');
  const jwks = await startBenchJwksServer([key.jwk]);
  console.log(`gopher-auth HTTP bench (${quick ? 'quick' : 'full'}): tools/call get-forecast, ${CONNECTIONS} connections, ${seconds}s x ${rounds} round(s), median`);
  console.log(`${loadNote()}\n`);

  const servers: ServerHandle[] = [];
  try {
    for (const setup of MODES.filter((m) => picked.includes(m.row))) servers.push(await startChild(setup, jwks.url));
    const sessions = new Map<ServerHandle, { token: string | null; session: string }>();
    for (const server of servers) {
      const token = !server.setup.token ? null : (mintTokens(key, { issuer: ISSUER, audience: server.mcpUrl, scope: 'mcp:read' }, 1)[0] as string);
      sessions.set(server, { token, session: await openSession(server.mcpUrl, token) });
      if (!server.setup.mode.endsWith('-none')) {
        // The same request without a token must be refused: the gate is really in the path.
        const refused = await fetch(server.mcpUrl, { method: 'POST', headers: mcpHeaders(null, sessions.get(server)?.session), body: toolCall(2) });
        await refused.text();
        if (refused.status !== 401) throw new Error(`${server.setup.row}: a request without a token got ${refused.status}, not 401`);
      }
    }
    const rows = new Map<ServerHandle, Row>(
      servers.map((s) => [s, { row: s.setup.row, cpuUsPerRequest: 0, label: s.setup.label, samples: [], reqPerSec: 0, vsNoAuth: null, p99LatencyMs: [], loop: [], failures: 0 }]),
    );
    for (let round = 0; round < rounds; round++) {
      for (const server of servers) {
        const { token, session } = sessions.get(server) as { token: string | null; session: string };
        await drive(server.mcpUrl, token, session, warm);
        await server.request({ type: 'loop-start' });
        const result = await drive(server.mcpUrl, token, session, seconds);
        const loop = await server.request<LoopReport>({ type: 'loop-stop' });
        const row = rows.get(server) as Row;
        row.samples.push(result.requests.average);
        row.p99LatencyMs.push(result.latency.p99);
        row.loop.push(loop);
        row.failures += result.non2xx + result.errors + result.timeouts;
      }
    }
    const list = [...rows.values()];
    for (const row of list) {
      row.reqPerSec = median(row.samples);
      row.cpuUsPerRequest = median(row.samples.map((rate, i) => ((row.loop[i]?.cpuSeconds ?? 0) * 1e6) / (rate * seconds)));
    }
    // Gates compare with the bare endpoint given the same requests (else the one without a token);
    // the example with auth with the example without.
    const get = (id: string): Row | undefined => list.find((r) => r.row === id);
    const gateBaseline = get('gate-none-token') ?? get('gate-none');
    const baseline = (id: string): number | null => (id.startsWith('example-') ? get('example-none') : gateBaseline)?.reqPerSec ?? null;
    for (const row of list) {
      const base = baseline(row.row);
      row.vsNoAuth = base ? row.reqPerSec / base : null;
    }

    const width = Math.max(...list.map((r) => r.label.length)) + 2;
    console.log(`  ${pad('', width)}${pad('req/s', 10, true)}${pad('× no auth', 11, true)}${pad('p99 latency', 13, true)}${pad('loop p99', 10, true)}${pad('server CPU µs/req', 19, true)}`);
    for (const row of list) {
      const failures = row.failures > 0 ? `  (${row.failures} non-2xx/errors: figure invalid)` : '';
      console.log(
        `  ${pad(row.label, width)}${pad(formatOps(row.reqPerSec), 10, true)}${pad(formatRatio(row.vsNoAuth), 11, true)}${pad(`${median(row.p99LatencyMs)} ms`, 13, true)}${pad(`${median(row.loop.map((l) => l.p99Ms)).toFixed(2)} ms`, 10, true)}${pad(row.cpuUsPerRequest.toFixed(0), 19, true)}${failures}`,
      );
    }
    const sdk = get('sdk-jose')?.reqPerSec ?? null;
    const checks = [
      check('gopherAuth (js, cache on) ÷ no auth', get('gate-js')?.vsNoAuth ?? null, 0.9),
      check('gopherAuth (native, cache on) ÷ no auth', get('gate-native')?.vsNoAuth ?? null, 0.9),
      check('gopherAuth (js, cache on, asyncContext off) ÷ no auth', get('gate-js-noctx')?.vsNoAuth ?? null, 0.9),
      check('gopherAuth (js, cache on) ÷ SDK + jose', sdk && get('gate-js') ? (get('gate-js')?.reqPerSec ?? 0) / sdk : null, 1),
      check('gopherAuth (native, cache on) ÷ SDK + jose', sdk && get('gate-native') ? (get('gate-native')?.reqPerSec ?? 0) / sdk : null, 1),
    ];
    // The gates' own CPU per request, without HTTP: steadier than req/s on a shared machine.
    const gateCosts = await measureGateCosts({
      jwksUri: jwks.url,
      issuer: ISSUER,
      resource: 'http://127.0.0.1:1/mcp',
      token: mintTokens(key, { issuer: ISSUER, audience: 'http://127.0.0.1:1/mcp', scope: 'mcp:read' }, 1)[0] as string,
      calls: quick ? 5000 : 20000,
    });
    const bare = gateBaseline?.cpuUsPerRequest ?? null;
    console.log(`\nEach gate's own CPU per request (in process, no HTTP), and as a share of the bare endpoint's ${bare === null ? '?' : bare.toFixed(0)} µs/request`);
    for (const cost of gateCosts) {
      console.log(`  ${pad(cost.name, 56)}${pad(`${cost.cpuUsPerRequest.toFixed(1)} µs`, 11, true)}${pad(bare ? `${((100 * cost.cpuUsPerRequest) / bare).toFixed(1)} %` : '', 9, true)}`);
    }
    const ourShare = bare ? (gateCosts.find((c) => c.name.includes('js, cache on'))?.cpuUsPerRequest ?? 0) / bare : null;
    checks.push(check('gopherAuth (js, cache on) own CPU ÷ bare endpoint CPU', ourShare, 0.1, 'max', 'x'));
    console.log('\nTargets (same run)');
    printChecks(checks);
    const tokenless = get('gate-none')?.reqPerSec;
    if (tokenless && gateBaseline?.row === 'gate-none-token') {
      const named: Array<[string, string]> = [['no auth with the token', 'gate-none-token'], ['js', 'gate-js'], ['native', 'gate-native'], ['js, asyncContext off', 'gate-js-noctx']];
      const shares = named.flatMap(([name, id]) => {
        const row = get(id);
        return row ? [`${name} ${formatRatio(row.reqPerSec / tokenless)}`] : [];
      });
      console.log(`For reference, against the bare endpoint without a token: ${shares.join(', ')}.`);
    }
    console.log(
      `\n× no auth: gate rows against the bare endpoint given the same requests (${gateBaseline?.label ?? 'not run'}),`,
      'example rows against the example with --no-auth (the example with auth also mounts its OAuth routes',
      'and session binding). Servers run saturated, so their event-loop delay mostly measures the MCP SDK',
      'work per loop turn; the validation-only loop-delay target is checked by `npm run bench`. Server CPU',
      'µs/req is the steadiest column on a shared machine.',
    );
    if (list.some((r) => r.failures > 0)) process.exitCode = 1;
    const file = writeResults(quick ? 'http-quick' : 'http', { machine: machineInfo(), settings: { quick, seconds, rounds, warm, connections: CONNECTIONS }, rows: list, gateCosts, checks });
    console.log(`\n${loadNote()}`);
    console.log(`JSON: ${file}  (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  } finally {
    for (const server of servers) server.child.kill();
    await jwks.close();
  }
}

/** Child side: serve one mode, report readiness and event-loop delay over IPC. */
async function serve(argv: readonly string[]): Promise<void> {
  const arg = (flag: string): string => argv[argv.indexOf(flag) + 1] as string;
  const running = await serveMode(arg('--serve') as ServeMode, { jwksUri: arg('--jwks'), issuer: arg('--issuer') });
  const { monitorEventLoopDelay } = await import('node:perf_hooks');
  let histogram: ReturnType<typeof monitorEventLoopDelay> | null = null;
  let cpu = process.cpuUsage();
  process.on('message', (message: { type: string }) => {
    if (message.type === 'loop-start') {
      histogram = monitorEventLoopDelay({ resolution: 1 });
      histogram.enable();
      cpu = process.cpuUsage();
      process.send?.({ type: 'ok' });
    } else if (message.type === 'loop-stop' && histogram) {
      histogram.disable();
      const used = process.cpuUsage(cpu);
      process.send?.({ p50Ms: histogram.percentile(50) / 1e6, p99Ms: histogram.percentile(99) / 1e6, maxMs: histogram.max / 1e6, cpuSeconds: (used.user + used.system) / 1e6 });
    }
  });
  const stop = (): void => {
    void running.close().finally(() => process.exit(0));
  };
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
  process.send?.({ mcpUrl: running.mcpUrl });
}

if (process.argv.includes('--serve')) await serve(process.argv.slice(2));
else await main();
