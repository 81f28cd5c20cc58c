import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DESCRIPTIONS } from '../../src/http/errors.js';

const run = promisify(execFile);
const fixture = fileURLToPath(new URL('./fixtures/native-gate.ts', import.meta.url));

interface Seen {
  status: number;
  challenge: string | null;
  body: Record<string, unknown> | null;
}

describe.runIf(process.platform === 'linux' && process.arch === 'x64')('the gate on the native backend (child process)', () => {
  it('answers exactly like the JS backend', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', fixture], { timeout: 45_000 });
    const seen = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, Seen> & { backend: string };
    expect(seen.backend).toBe('native');
    const prm = /resource_metadata="(http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp)"/.exec(seen['anonymous']!.challenge ?? '')?.[1];
    expect(prm).toBeDefined();
    expect(seen['valid']).toMatchObject({ status: 200, body: { before: 'native-user', after: 'native-user', req: 'native-user', scopes: ['mcp:read'] } });
    expect(seen['anonymous']).toMatchObject({ status: 401, challenge: `Bearer resource_metadata="${prm}"` });
    const invalid = `Bearer error="invalid_token", error_description="${DESCRIPTIONS.invalid_token}", resource_metadata="${prm}"`;
    expect(seen['tampered']).toMatchObject({ status: 401, challenge: invalid });
    expect(seen['wrongAudience']).toMatchObject({ status: 401, challenge: invalid });
    expect(seen['expired']).toMatchObject({
      status: 401,
      challenge: `Bearer error="invalid_token", error_description="${DESCRIPTIONS.expired_token}", resource_metadata="${prm}"`,
    });
    expect(seen['stepUp']).toMatchObject({
      status: 403,
      challenge: `Bearer error="insufficient_scope", error_description="${DESCRIPTIONS.insufficient_scope}", scope="mcp:admin mcp:read", resource_metadata="${prm}"`,
    });
  });
});
