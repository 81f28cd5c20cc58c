import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { hasAllScopes } from '../../src/core/scopes.js';
import { GopherAuthClient } from '../../src/core/client.js';
import { GopherAuthError, GopherAuthException } from '../../src/core/errors.js';
import { JwksManager } from '../../src/core/jwks/manager.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';

const issuer = new TestIssuer('https://issuer.test/flow');
let server: JwksServer;
const clients: GopherAuthClient[] = [];

function newClient(options: ConstructorParameters<typeof GopherAuthClient>[2] = {}): GopherAuthClient {
  const client = new GopherAuthClient(server.url, issuer.issuer, { backend: 'js', ...options });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  server = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
});
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
  server.setFault(null);
  server.setJwks(issuer.jwks(['rsa2048']));
  server.resetCounts();
});
afterAll(async () => {
  await server.close();
});

describe('key loading', () => {
  it('loads keys lazily on the first validation', async () => {
    const client = newClient();
    expect(await client.validateToken(issuer.sign())).toEqual({ valid: true, errorCode: 0, errorMessage: null });
    expect(server.fetchCount).toBe(1);
    expect((await client.validateToken(issuer.sign())).valid).toBe(true);
    expect(server.fetchCount).toBe(1);
  });

  it('a failing endpoint gives a JWKS_FETCH_FAILED result, and ready() rejects', async () => {
    server.setFault({ kind: 'status', status: 500 });
    const client = newClient();
    const result = await client.validateToken(issuer.sign());
    expect(result.valid).toBe(false);
    expect(result.errorCode).toBe(GopherAuthError.JWKS_FETCH_FAILED);
    expect(result.errorMessage).toMatch(/^Failed to fetch JWKS/);
    const other = newClient();
    await expect(other.ready()).rejects.toMatchObject({ code: GopherAuthError.JWKS_FETCH_FAILED });
  });

  it('concurrent first validations share one fetch', async () => {
    server.setFault({ kind: 'delay', ms: 100, times: 1 });
    const client = newClient();
    const results = await Promise.all(Array.from({ length: 20 }, () => client.validateToken(issuer.sign())));
    expect(results.every((r) => r.valid)).toBe(true);
    expect(server.fetchCount).toBe(1);
  });

  it('picks up a rotated key through one refetch', async () => {
    const client = newClient();
    await client.ready();
    server.setJwks(issuer.jwks(['rsa2048', 'rsa3072']));
    const rotated = issuer.sign({ key: 'rsa3072' });
    expect((await client.validateToken(rotated)).valid).toBe(true);
    expect(server.fetchCount).toBe(2);
    expect(client.jwksStatus().kids).toEqual(['rsa2048', 'rsa3072']);
  });

  it('a flood of unknown kids costs at most one fetch and never throws', async () => {
    const client = newClient();
    await client.ready();
    const tokens = Array.from({ length: 100 }, (_, n) => issuer.sign({ kid: `random-${n}` }));
    const results = await Promise.all(tokens.map((t) => client.validateToken(t)));
    expect(results.every((r) => r.errorCode === GopherAuthError.INVALID_KEY)).toBe(true);
    expect(results[0]?.errorMessage).toBe('No key found with kid: random-0');
    expect(server.fetchCount).toBeLessThanOrEqual(2);
    // Valid tokens keep working during and after the flood.
    expect((await client.validateToken(issuer.sign())).valid).toBe(true);
  });

  it('unknown kids within the cooldown are refused without another round trip through the JWKS manager', async () => {
    const asked = vi.spyOn(JwksManager.prototype, 'handleUnknownKid');
    try {
      const client = newClient({ jwks: { unknownKidCooldown: 1 } });
      await client.ready();
      const first = await client.validateToken(issuer.sign({ kid: 'gone-0' }));
      expect(first).toEqual({ valid: false, errorCode: GopherAuthError.INVALID_KEY, errorMessage: 'No key found with kid: gone-0' });
      expect(asked).toHaveBeenCalledTimes(1);
      expect(server.fetchCount).toBe(2);
      const tokens = Array.from({ length: 50 }, (_, n) => issuer.sign({ kid: `gone-${n}` }));
      const awaited = await Promise.all(tokens.map((t) => client.validateToken(t)));
      const sync = tokens.map((t) => client.validateTokenSync(t));
      for (const [n, result] of [...awaited.entries(), ...sync.entries()]) {
        expect(result).toEqual({ valid: false, errorCode: GopherAuthError.INVALID_KEY, errorMessage: `No key found with kid: gone-${n}` });
      }
      // Each of those would otherwise have asked the manager, which answers null at once here.
      expect(asked).toHaveBeenCalledTimes(1);
      expect(server.fetchCount).toBe(2);
      // A kid the issuer adds is still found once the cooldown is over.
      server.setJwks(issuer.jwks(['rsa2048', 'rsa3072']));
      expect((await client.validateToken(issuer.sign({ key: 'rsa3072' }))).errorCode).toBe(GopherAuthError.INVALID_KEY);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect((await client.validateToken(issuer.sign({ key: 'rsa3072' }))).valid).toBe(true);
      expect(server.fetchCount).toBe(3);
    } finally {
      asked.mockRestore();
    }
  });

  it('refreshJwks fetches now; jwksStatus reports keys and fetches', async () => {
    const client = newClient();
    await client.ready();
    await client.refreshJwks();
    const status = client.jwksStatus();
    expect(status.fetchCount).toBe(2);
    expect(status.keys).toBe(1);
    expect(status.lastError).toBeNull();
    expect(server.fetchCount).toBe(2);
  });
});

describe('validateTokenSync', () => {
  it('without keys answers JWKS_FETCH_FAILED and starts loading; then validates', async () => {
    const client = newClient();
    const token = issuer.sign();
    const first = client.validateTokenSync(token);
    expect(first.errorCode).toBe(GopherAuthError.JWKS_FETCH_FAILED);
    expect(first.errorMessage).toMatch(/ready\(\)/);
    await expect.poll(() => client.validateTokenSync(token).valid, { timeout: 5000 }).toBe(true);
    expect(server.fetchCount).toBe(1);
  });

  it('gives the same verdicts as validateToken', async () => {
    const client = newClient();
    await client.ready();
    const tokens = [
      issuer.sign(),
      issuer.sign({ claims: { exp: issuer.now() - 3600 } }),
      issuer.sign({ claims: { iss: 'https://evil.test' } }),
      `${issuer.sign()}x`,
    ];
    for (const t of tokens) expect(client.validateTokenSync(t)).toEqual(await client.validateToken(t));
  });
});

describe('concurrency', () => {
  it('64 validations in flight all get their own correct verdict', async () => {
    const client = newClient();
    await client.ready();
    const cases = Array.from({ length: 64 }, (_, n) => {
      const kind = n % 4;
      if (kind === 0) return { token: issuer.sign({ claims: { jti: `c${n}` } }), code: 0 };
      if (kind === 1) return { token: issuer.sign({ claims: { exp: issuer.now() - 3600 } }), code: GopherAuthError.EXPIRED_TOKEN };
      if (kind === 2) return { token: issuer.sign({ key: 'rsa2048b', kid: 'rsa2048' }), code: GopherAuthError.INVALID_SIGNATURE };
      return { token: issuer.sign({ claims: { iss: 'https://evil.test' } }), code: GopherAuthError.INVALID_ISSUER };
    });
    const results = await Promise.all(cases.map((c) => client.validateToken(c.token)));
    expect(results.map((r) => r.errorCode)).toEqual(cases.map((c) => c.code));
  });
});

describe('payload', () => {
  it('validateAndExtract returns the payload only for a valid token', async () => {
    const client = newClient();
    const good = await client.validateAndExtract(issuer.sign({ claims: { scope: 'mcp:read', aud: 'api' } }), { audience: 'api' });
    expect(good.result.valid).toBe(true);
    expect(good.payload).toMatchObject({ subject: 'user-123', scopes: 'mcp:read', audience: 'api', issuer: issuer.issuer });
    const bad = await client.validateAndExtract(issuer.sign({ claims: { exp: issuer.now() - 3600 } }));
    expect(bad.result.errorCode).toBe(GopherAuthError.EXPIRED_TOKEN);
    expect(bad.payload).toBeNull();
  });

  it('payload.scopes lists well-formed scopes only, so hasAllScopes on it agrees with validation', async () => {
    const client = newClient();
    const token = issuer.sign({ claims: { scp: ['mcp:read mcp:admin', 'mcp:read', 'a\tb', 'c'] } });
    const { result, payload } = await client.validateAndExtract(token);
    expect(result.valid).toBe(true);
    expect(payload?.scopes).toBe('mcp:read c');
    expect(hasAllScopes(payload?.scopes ?? '', ['mcp:admin'])).toBe(false);
    expect((await client.validateToken(token, { scopes: ['mcp:admin'] })).errorCode).toBe(GopherAuthError.INSUFFICIENT_SCOPE);
  });

  it('extractPayload reads claims without verifying (even from an expired, unsigned-by-us token)', () => {
    const client = newClient();
    const exp = issuer.now() - 3600;
    const forged = issuer.sign({
      key: 'rsa2048c',
      claims: { exp, aud: ['a', 'b'], scope: 'x', scp: ['y'], scopes: 'z x', nested: { sub: 'other' } },
    });
    expect(client.extractPayload(forged)).toEqual({
      subject: 'user-123',
      scopes: 'x',
      audience: 'a b',
      expiration: exp,
      issuer: issuer.issuer,
      claims: expect.objectContaining({ sub: 'user-123', nested: { sub: 'other' }, exp }),
    });
    expect(server.fetchCount).toBe(0);
  });

  it('extractPayload returns null for malformed tokens and duplicate claims', () => {
    const client = newClient();
    expect(client.extractPayload('')).toBeNull();
    expect(client.extractPayload('a.b')).toBeNull();
    expect(client.extractPayload(`${issuer.sign()}.x`)).toBeNull();
    expect(client.extractPayload('eyJ.bm90IGpzb24.c2ln')).toBeNull();
    const dup = issuer.signRaw({ alg: 'RS256', headerJson: '{"alg":"RS256"}', payloadJson: '{"sub":"a","sub":"b"}' });
    expect(client.extractPayload(dup)).toBeNull();
    const minimal = issuer.signRaw({ alg: 'RS256', headerJson: '{"alg":"RS256"}', payloadJson: '{"exp":"soon"}' });
    expect(client.extractPayload(minimal)).toEqual({ subject: null, scopes: '', audience: null, expiration: null, issuer: null, claims: { exp: 'soon' } });
  });
});

describe('misuse vs bad tokens', () => {
  it('a destroyed client throws; bad tokens never do', async () => {
    const client = newClient();
    for (const t of ['', '.', '..', 'a.b.c', '\u0000', 'x'.repeat(200_000)]) {
      const r = await client.validateToken(t);
      expect(r.valid).toBe(false);
    }
    client.destroy();
    expect(() => client.validateTokenSync('a.b.c')).toThrow(GopherAuthException);
  });
});

describe('logging', () => {
  it('the logger never receives a token or its subject', async () => {
    const lines: string[] = [];
    const record = (obj: unknown, msg?: string) => void lines.push(`${JSON.stringify(obj)} ${msg ?? ''}`);
    const logger = { debug: record, info: record, warn: record, error: record };
    const client = newClient({ logger, jwks: { unknownKidCooldown: 0 } });
    const tokens = [
      issuer.sign({ claims: { sub: 'subject-secret-1' } }),
      issuer.sign({ kid: 'unknown-kid', claims: { sub: 'subject-secret-2' } }),
      issuer.sign({ claims: { sub: 'subject-secret-3', exp: issuer.now() - 3600 } }),
    ];
    for (const t of tokens) await client.validateToken(t);
    server.setFault({ kind: 'status', status: 503 });
    await client.refreshJwks().catch(() => undefined);
    for (const t of tokens) client.validateTokenSync(t);
    await client.validateToken(issuer.sign({ kid: 'another-unknown', claims: { sub: 'subject-secret-4' } }));
    const all = lines.join('\n');
    expect(lines.length).toBeGreaterThan(0);
    expect(all).not.toMatch(/subject-secret/);
    for (const t of tokens) expect(all).not.toContain(t.split('.')[1]);
  });
});

describe('per-call options', () => {
  it('alternating plain option objects are each applied (never the previous call’s)', async () => {
    const client = newClient();
    await client.ready();
    const token = issuer.sign({ claims: { aud: 'api', scope: 'read write' } });
    const cases: [Parameters<GopherAuthClient['validateToken']>[1], number][] = [
      [{ audience: 'api' }, GopherAuthError.SUCCESS],
      [{ audience: 'other' }, GopherAuthError.INVALID_AUDIENCE],
      [{ audience: 'api', scopes: ['read'] }, GopherAuthError.SUCCESS],
      [{ audience: 'api', scopes: ['admin'] }, GopherAuthError.INSUFFICIENT_SCOPE],
      [{ audience: 'api', scopes: 'read write' }, GopherAuthError.SUCCESS],
      [{ audience: 'api', scopes: ['read', 'admin'] }, GopherAuthError.INSUFFICIENT_SCOPE],
      [{ audience: 'api' }, GopherAuthError.SUCCESS],
    ];
    for (let round = 0; round < 3; round++) {
      for (const [options, code] of cases) {
        expect((await client.validateToken(token, options)).errorCode).toBe(code);
        expect(client.validateTokenSync(token, options).errorCode).toBe(code);
      }
    }
    // Concurrent calls with different options in one batch keep their own requirements.
    const results = await Promise.all(Array.from({ length: 64 }, (_, i) => client.validateToken(token, cases[i % cases.length]?.[0])));
    expect(results.map((r) => r.errorCode)).toEqual(Array.from({ length: 64 }, (_, i) => cases[i % cases.length]?.[1]));
  });
});
