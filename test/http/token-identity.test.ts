import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GopherAuthClient } from '../../src/core/client.js';
import { GopherAuthError } from '../../src/core/errors.js';
import type { ValidationResult } from '../../src/core/result.js';
import { gopherAuth, type GopherAuth } from '../../src/http/gopher-auth.js';
import type { AuthInfo } from '../../src/http/auth-info.js';
import type { TokenClient } from '../../src/http/config.js';
import { TestIssuer } from '../support/issuer.js';

const ISSUER = 'https://issuer.test/realms/identity';
const RESOURCE = 'https://mcp.example/mcp';
const issuer = new TestIssuer(ISSUER);

/** A real client's answers, with decoding counted and verdicts switchable per token. */
class CountingClient implements TokenClient {
  readonly #inner = new GopherAuthClient('https://unused.example/jwks', ISSUER, { backend: 'js' });
  decodes = 0;
  readonly revoked = new Set<string>();

  async validateToken(token: string): Promise<ValidationResult> {
    if (this.revoked.has(token)) return { valid: false, errorCode: GopherAuthError.INVALID_SIGNATURE, errorMessage: 'Invalid signature' };
    return { valid: true, errorCode: GopherAuthError.SUCCESS, errorMessage: null };
  }

  extractPayload(token: string) {
    this.decodes++;
    return this.#inner.extractPayload(token);
  }

  destroy(): void {
    this.#inner.destroy();
  }
}

let client: CountingClient;
let auth: GopherAuth;

beforeAll(() => {
  client = new CountingClient();
  auth = gopherAuth({ resource: RESOURCE, issuer: ISSUER, client, toolScopes: { 'get-weather': ['mcp:read'] } });
});
afterEach(() => {
  client.revoked.clear();
});

const request = (token: string) =>
  new Request(RESOURCE, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get-weather', arguments: {} } }),
  });

async function gate(token: string): Promise<AuthInfo | Response> {
  return auth.gate(request(token));
}

describe('AuthInfo identity per token', () => {
  it('decodes a token once, and hands every request the same frozen claims and scopes', async () => {
    const token = issuer.sign({ claims: { aud: RESOURCE, scope: 'mcp:read mcp:write mcp:read', client_id: 'app-1', profile: { team: 'a' } } });
    const before = client.decodes;
    const first = (await gate(token)) as AuthInfo;
    const second = (await gate(token)) as AuthInfo;
    expect(client.decodes - before).toBe(1);
    expect(first.clientId).toBe('app-1');
    expect(first.scopes).toEqual(['mcp:read', 'mcp:write']);
    expect(second.extra).toBe(first.extra);
    expect(Object.isFrozen(first.extra)).toBe(true);
    expect(Object.isFrozen((first.extra as { profile: object }).profile)).toBe(true);
    expect(Object.isFrozen(first.scopes)).toBe(true);
    // Per request: its own AuthInfo and resource URL.
    expect(second).not.toBe(first);
    expect(second.resource).not.toBe(first.resource);
  });

  it('still asks for a verdict on every request: a token refused later is refused', async () => {
    const token = issuer.sign({ claims: { aud: RESOURCE, scope: 'mcp:read' } });
    expect(await gate(token)).not.toBeInstanceOf(Response);
    client.revoked.add(token);
    const refused = await gate(token);
    expect(refused).toBeInstanceOf(Response);
    expect((refused as Response).status).toBe(401);
  });

  it('keeps a bounded number of tokens and stays correct past the bound', async () => {
    const tokens = Array.from({ length: 1100 }, (_, i) => issuer.sign({ claims: { aud: RESOURCE, scope: 'mcp:read', sub: `user-${i}` } }));
    for (const [i, t] of tokens.entries()) expect(((await gate(t)) as AuthInfo).extra?.['sub']).toBe(`user-${i}`);
    const before = client.decodes;
    // The first ones were forgotten (decoded again), the last ones are remembered.
    expect(((await gate(tokens[0] as string)) as AuthInfo).extra?.['sub']).toBe('user-0');
    expect(((await gate(tokens[1099] as string)) as AuthInfo).extra?.['sub']).toBe('user-1099');
    expect(client.decodes - before).toBe(1);
  });
});

describe('scopes in AuthInfo', () => {
  it('are read from the claims as validation reads them: an scp entry with a space is one (unusable) scope, not two', async () => {
    const joined = issuer.sign({ claims: { scp: ['mcp:read mcp:admin'] } });
    const refused = await gate(joined);
    expect(refused).toBeInstanceOf(Response);
    expect((refused as Response).status).toBe(403);
    const granted = await gate(issuer.sign({ claims: { scp: ['mcp:read', 'mcp:admin'] } }));
    expect((granted as AuthInfo).scopes).toEqual(['mcp:read', 'mcp:admin']);
    // One claim decides: an scp beside a scope claim grants nothing (as validation reads it).
    const sideClaim = await gate(issuer.sign({ claims: { scope: 'openid', scp: ['mcp:read', 'mcp:admin'] } }));
    expect(sideClaim).toBeInstanceOf(Response);
    expect((sideClaim as Response).status).toBe(403);
  });
});

describe('claims the gate cannot walk do not crash it', () => {
  it('a valid token with claims nested 7,900 deep, on a small stack: AuthInfo frozen all the way down', async () => {
    const root = path.resolve(import.meta.dirname, '../..');
    const fixture = path.join(root, 'test/http/fixtures/deep-claims.ts');
    const { stdout } = await promisify(execFile)(process.execPath, ['--stack-size=400', '--import', 'tsx', fixture], { cwd: root, timeout: 60_000 });
    expect(JSON.parse(stdout.trim())).toEqual({ answer: 'authInfo', depth: 7900, frozen: true });
  }, 90_000);

  it('a client whose extractPayload throws: a 500 answer, not a rejection', async () => {
    const throwing: TokenClient = {
      validateToken: async () => ({ valid: true, errorCode: 0, errorMessage: null }),
      extractPayload: () => {
        throw new Error('boom');
      },
    };
    const gateOf = gopherAuth({ resource: RESOURCE, issuer: ISSUER, client: throwing });
    try {
      const answer = await gateOf.gate(request(issuer.sign()));
      expect(answer).toBeInstanceOf(Response);
      expect((answer as Response).status).toBe(500);
    } finally {
      gateOf.close();
    }
  });
});
