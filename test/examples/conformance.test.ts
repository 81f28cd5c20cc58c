import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SCENARIOS } from '../../examples/conformance/conformance.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('@modelcontextprotocol/conformance against the example server (Node 22 CLI)', () => {
  it('npm run conformance: applicable server scenarios pass with auth off and with auth on', { timeout: 150_000 }, async () => {
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn('npm', ['run', '--silent', 'conformance'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
    });
    expect({ code, failures: stderr.replace(/npm warn.*\n/g, '') }).toEqual({ code: 0, failures: '' });
    for (const mode of ['auth off', 'auth on']) {
      for (const scenario of SCENARIOS) expect(stdout).toMatch(new RegExp(`✓ \\[${mode}\\] ${scenario}: (\\d+)/\\1`));
    }
    expect(stdout).toContain('✓ [auth on] without the token → HTTP 401');
    expect(stdout).not.toContain('✗');
  });
});
