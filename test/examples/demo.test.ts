import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runDemo, type StepId } from '../../examples/demo/demo.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STEPS: StepId[] = [
  'unauthenticated', 'discovery', 'registration', 'token-read', 'tools-list', 'get-weather',
  'get-forecast', 'alerts-forbidden', 'step-up', 'alerts-allowed', 'backend',
];

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
}

describe.concurrent('npm run demo', () => {
  it('walks every step in order (in-process, JS backend)', async () => {
    const lines: string[] = [];
    const result = await runDemo({ backend: 'js', print: (l) => lines.push(l) });
    expect(result.steps.map((s) => s.id)).toEqual(STEPS);
    expect(result.steps.filter((s) => !s.ok)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.backend).toBe('js');
    const byId = Object.fromEntries(result.steps.map((s) => [s.id, s.detail]));
    expect(byId['unauthenticated']).toMatchObject({ status: 401 });
    expect(String(byId['unauthenticated']?.['wwwAuthenticate'])).toMatch(/^Bearer resource_metadata="http:\/\/localhost:\d+\/\.well-known\/oauth-protected-resource\/mcp"$/);
    expect(byId['token-read']).toMatchObject({ scope: 'mcp:read' });
    expect(byId['alerts-forbidden']).toMatchObject({ status: 403, scope: 'mcp:admin mcp:read' });
    expect(String(byId['alerts-forbidden']?.['wwwAuthenticate'])).toContain('error="insufficient_scope"');
    expect(byId['step-up']).toMatchObject({ scope: 'mcp:read mcp:admin' });
    expect(byId['alerts-allowed']).toMatchObject({ alerts: ['Storm Watch', 'Wind Advisory'] });
    expect(lines.join('\n')).toContain('Tokens were validated by the js backend');
  });

  it('`npm run demo -- --backend native` exits 0, states the native backend, leaves nothing running', async () => {
    const { code, stdout, stderr, ms } = await run('npm', ['run', '--silent', 'demo', '--', '--backend', 'native']);
    expect({ code, stderr: stderr.replace(/npm warn.*\n/g, '') }).toEqual({ code: 0, stderr: '' });
    for (const marker of [
      '✓ POST /mcp without a token → 401',
      '✓ Discovery',
      '✓ Authorization code + PKCE (S256) → access token for mcp:read',
      '✓ tools/list → get-weather, get-forecast, get-weather-alerts',
      '✓ get-weather London',
      '✓ get-forecast London',
      '✓ get-weather-alerts Texas with mcp:read → 403',
      'scope="mcp:admin mcp:read"',
      '✓ Step-up',
      '✓ get-weather-alerts Texas (mcp:admin)',
      '✓ Tokens were validated by the native backend',
      'Demo complete',
    ]) {
      expect(stdout).toContain(marker);
    }
    expect(stdout).not.toContain('✗');
    // The process exited on its own (no open handles kept it alive past the run).
    expect(ms).toBeLessThan(60_000);
  });

  it('rejects an unknown backend with usage and exit code 2', async () => {
    const { code, stderr } = await run(process.execPath, ['--import', 'tsx', 'examples/demo/run.ts', '--backend', 'wasm']);
    expect(code).toBe(2);
    expect(stderr).toContain('usage: npm run demo');
  });
});
