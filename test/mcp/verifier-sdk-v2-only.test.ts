/**
 * An app with MCP SDK v2 only: without `errors`, the verifier must find `@modelcontextprotocol/server`
 * when `@modelcontextprotocol/sdk` is not installed. Run in a child whose module resolution cannot
 * see SDK v1 (test/mcp/fixtures/hide-sdk-v1.mjs), as in such an app.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { spawnAndCollect } from '../support/child-run.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');

describe('SDK v2 only, no errors option', () => {
  it('refusals are v2 OAuthErrors, so v2 answers 401/403 instead of 500', async () => {
    const run = await spawnAndCollect<Record<string, unknown>>(
      process.execPath,
      ['--import', 'tsx', '--import', path.join(here, 'fixtures', 'hide-sdk-v1.mjs'), path.join(here, 'fixtures', 'sdk-v2-only.ts')],
      { cwd: root, timeoutMs: 60_000 },
    );
    expect(run.stderr).toBe('');
    expect(run.result).toEqual({
      v1Hidden: true,
      refusalIsOAuthError: true,
      refusalCode: 'invalid_token',
      valid: 200,
      garbage: 401,
      expired: 401,
      missingScope: 403,
    });
  });
});
