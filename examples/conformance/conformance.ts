/**
 * Runs the `@modelcontextprotocol/conformance` server scenarios that apply to the example server,
 * once with auth off and once with auth on (through a proxy that adds a valid token). The package
 * needs Node 22: it runs under tools/node22 (scripts/node22.sh), the example servers under this Node.
 *
 * Not run: tools-call-* (they call the suite's own test tools, e.g. test_simple_text, which a weather
 * server does not have; two of them "pass" vacuously on the unknown-tool error text), resources-*,
 * prompts-*, logging, completion, sampling, elicitation, SSE polling (features this server lacks).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startDevAuthorizationServer } from '../dev-authorization-server/index.js';
import { buildConfig, type BackendChoice } from '../auth-mcp-server/config.js';
import { startAuthMcpServer } from '../auth-mcp-server/server.js';
import { startBearerProxy } from './header-proxy.js';

export const SCENARIOS = ['server-initialize', 'ping', 'tools-list', 'dns-rebinding-protection'] as const;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = 'node_modules/@modelcontextprotocol/conformance/dist/index.js';

export interface ScenarioResult {
  mode: 'auth off' | 'auth on';
  scenario: string;
  passed: number;
  total: number;
  ok: boolean;
  output: string;
}

function runScenario(url: string, scenario: string): Promise<{ passed: number; total: number; output: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['scripts/node22.sh', CLI, 'server', '--url', url, '--scenario', scenario], { cwd: ROOT, timeout: 60_000 }, (_error, stdout, stderr) => {
      const output = `${stdout}${stderr}`;
      const match = /Passed: (\d+)\/(\d+), (\d+) failed/.exec(output);
      resolve({ passed: Number(match?.[1] ?? 0), total: Number(match?.[2] ?? -1), output });
    });
  });
}

export async function runConformance(options: { backend?: BackendChoice; print?: (line: string) => void } = {}): Promise<{ ok: boolean; results: ScenarioResult[] }> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const results: ScenarioResult[] = [];
  const runAll = async (mode: ScenarioResult['mode'], url: string): Promise<void> => {
    // Concurrently: each scenario is a separate Node 22 process that mostly waits on startup.
    const outcomes = await Promise.all(SCENARIOS.map((scenario) => runScenario(url, scenario)));
    outcomes.forEach(({ passed, total, output }, i) => {
      const scenario = SCENARIOS[i] as string;
      const ok = total > 0 && passed === total;
      results.push({ mode, scenario, passed, total, ok, output });
      print(`${ok ? '✓' : '✗'} [${mode}] ${scenario}: ${passed}/${total}`);
    });
  };

  const open = await startAuthMcpServer(buildConfig({ host: '127.0.0.1', port: '0', auth_disabled: 'true' }), { warn: () => {} });
  try {
    await runAll('auth off', open.mcpUrl);
  } finally {
    await open.close();
  }

  const as = await startDevAuthorizationServer();
  const guarded = await startAuthMcpServer(
    buildConfig({ host: '127.0.0.1', port: '0', auth_server_url: as.issuer, backend: options.backend ?? 'auto' }),
  );
  const token = await as.issueToken({ subject: 'conformance', scope: 'mcp:read mcp:admin', audience: guarded.mcpUrl, clientId: 'conformance' });
  const proxy = await startBearerProxy(guarded.url, token);
  try {
    print(`  (auth on: ${guarded.backend} backend, token injected by a loopback proxy)`);
    // Without the proxy the same server must refuse: otherwise "auth on" would prove nothing.
    const bare = await fetch(guarded.mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    await bare.body?.cancel();
    const refused = bare.status === 401;
    results.push({ mode: 'auth on', scenario: 'no-token-refused', passed: refused ? 1 : 0, total: 1, ok: refused, output: `HTTP ${bare.status}` });
    print(`${refused ? '✓' : '✗'} [auth on] without the token → HTTP ${bare.status}`);
    await runAll('auth on', `${proxy.url}/mcp`);
  } finally {
    await proxy.close();
    await guarded.close();
    await as.close();
  }
  return { ok: results.every((r) => r.ok), results };
}
