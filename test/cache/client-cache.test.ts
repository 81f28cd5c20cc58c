import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { GopherAuthClient } from '../../src/core/client.js';
import { GopherAuthError } from '../../src/core/errors.js';
import { GopherValidationOptions } from '../../src/core/options.js';
import { Authenticator } from '../../src/http/authenticator.js';
import { resolveAuthConfig } from '../../src/http/config.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';

const issuer = new TestIssuer('https://issuer.test/cache');
let server: JwksServer;
const clients: GopherAuthClient[] = [];

beforeAll(async () => {
  server = await startJwksServer({ jwks: issuer.jwks(['rsa2048', 'rsa2048b']) });
});
afterAll(async () => {
  await server.close();
});
afterEach(() => {
  vi.useRealTimers();
  while (clients.length > 0) clients.pop()?.destroy();
  server.setJwks(issuer.jwks(['rsa2048', 'rsa2048b']));
  server.setFault(null);
});

async function client(options: ConstructorParameters<typeof GopherAuthClient>[2] = {}): Promise<GopherAuthClient> {
  const c = new GopherAuthClient(server.url, issuer.issuer, { tokenCache: true, ...options });
  clients.push(c);
  await c.ready();
  return c;
}

const hits = (c: GopherAuthClient): number => c.stats().tokenCache?.hits ?? -1;
const misses = (c: GopherAuthClient): number => c.stats().tokenCache?.misses ?? -1;

describe.each(['js', 'native'] as const)('GopherAuthClient token cache, %s backend', (backend) => {
  it('validates a burst of one token once: the rest join the validation under way (each gets its own result object)', async () => {
    const c = await client({ backend });
    const token = issuer.sign({ claims: { aud: 'api' } });
    const results = await Promise.all(Array.from({ length: 100 }, () => c.validateToken(token, { audience: 'api' })));
    expect(results.every((r) => r.valid && r.errorCode === GopherAuthError.SUCCESS)).toBe(true);
    expect(new Set(results).size).toBe(100);
    expect(c.stats().tokenCache?.joined).toBe(99);
    // Other options are another validation, never joined to this one.
    const [wide, narrow] = await Promise.all([c.validateToken(token, { audience: 'api', scopes: ['admin'] }), c.validateToken(token, { audience: 'other' })]);
    expect(wide.errorCode).toBe(GopherAuthError.INSUFFICIENT_SCOPE);
    expect(narrow.errorCode).toBe(GopherAuthError.INVALID_AUDIENCE);
    expect(c.stats().tokenCache?.joined).toBe(99);
  });

  it('answers a repeated token from the cache, async and sync', async () => {
    const c = await client({ backend });
    const token = issuer.sign({ claims: { aud: 'api' } });
    const options = new GopherValidationOptions().setAudience('api');
    expect((await c.validateToken(token, options)).valid).toBe(true);
    expect(c.stats().tokenCache).toMatchObject({ hits: 0, misses: 1, size: 1 });
    expect(await c.validateToken(token, options)).toEqual({ valid: true, errorCode: GopherAuthError.SUCCESS, errorMessage: null });
    expect(c.validateTokenSync(token, options).valid).toBe(true);
    expect(c.stats().tokenCache).toMatchObject({ hits: 2, misses: 1, size: 1 });
  });

  it('never answers one option set with the verdict of another', async () => {
    const c = await client({ backend });
    const token = issuer.sign({ claims: { aud: 'api', scope: 'mcp:read' } });
    const expectations: Array<[Parameters<GopherAuthClient['validateToken']>[1], GopherAuthError]> = [
      [{ audience: 'api' }, GopherAuthError.SUCCESS],
      [{ audience: 'other' }, GopherAuthError.INVALID_AUDIENCE],
      [{ audience: 'api', scopes: ['mcp:read'] }, GopherAuthError.SUCCESS],
      [{ audience: 'api', scopes: ['mcp:admin'] }, GopherAuthError.INSUFFICIENT_SCOPE],
      [{ audience: 'api', scopes: ['mcp:read mcp:admin'] }, GopherAuthError.INSUFFICIENT_SCOPE],
      [undefined, GopherAuthError.SUCCESS],
    ];
    for (let round = 0; round < 2; round++) {
      for (const [options, code] of expectations) expect((await c.validateToken(token, options)).errorCode).toBe(code);
    }
    expect(c.stats().tokenCache).toMatchObject({ misses: expectations.length, hits: expectations.length });
  });

  it('notices a GopherValidationOptions object changed between calls', async () => {
    const c = await client({ backend });
    const token = issuer.sign({ claims: { aud: 'api', scope: 'mcp:read' } });
    const options = new GopherValidationOptions().setAudience('api');
    expect((await c.validateToken(token, options)).valid).toBe(true);
    options.setAudience('other');
    expect((await c.validateToken(token, options)).errorCode).toBe(GopherAuthError.INVALID_AUDIENCE);
    options.setAudience('api').setScopes('mcp:admin');
    expect((await c.validateToken(token, options)).errorCode).toBe(GopherAuthError.INSUFFICIENT_SCOPE);
    options.setScopes([]).setClockSkew(0);
    expect((await c.validateToken(token, options)).valid).toBe(true);
    expect(hits(c)).toBe(0);
  });

  it('keeps the scopes it hands out unchangeable: the cache remembers options by that array', async () => {
    const c = await client({ backend });
    const token = issuer.sign({ claims: { scope: 'mcp:read' } });
    const options = new GopherValidationOptions().setScopes(['mcp:read']);
    expect((await c.validateToken(token, options)).valid).toBe(true);
    // readonly in TypeScript; from JS (or a cast) a push used to change the check but not the cache key.
    expect(() => (options.scopes as string[]).push('mcp:admin')).toThrow(TypeError);
    expect(options.scopes).toEqual(['mcp:read']);
    options.setScopes(['mcp:read', 'mcp:admin']);
    expect((await c.validateToken(token, options)).errorCode).toBe(GopherAuthError.INSUFFICIENT_SCOPE);
  });
});

// A validation that started before a key change is decided on the old keys. A call with the same
// token that arrives after the change (the old key retired under the same kid) must not join it:
// it was accepted with the withdrawn key, or refused though signed by the new one.
describe.each(['js', 'auto'] as const)('joining a validation under way across a key change (%s)', (backend) => {
  it('a call after the change is decided on the new keys', async () => {
    server.setJwks({ keys: [issuer.jwk('rsa2048', { kid: 'k1' })] });
    const c = await client({ backend });
    const oldKeyToken = issuer.sign({ key: 'rsa2048', kid: 'k1', claims: { sub: 'victim' } });
    const newKeyToken = issuer.sign({ key: 'rsa2048b', kid: 'k1', claims: { sub: 'newcomer' } });
    const backlog = Array.from({ length: 1000 }, (_, i) => c.validateToken(issuer.sign({ key: 'rsa2048', kid: 'k1', claims: { sub: `f${i}` } })));
    let settled = false;
    const before = [c.validateToken(oldKeyToken), c.validateToken(newKeyToken)];
    void Promise.all(before).then(() => (settled = true));

    server.setJwks({ keys: [issuer.jwk('rsa2048b', { kid: 'k1' })] });
    await c.refreshJwks();
    expect(settled, 'the first validations must still be under way for this test to mean anything').toBe(false);
    const joinedBefore = c.stats().tokenCache!.joined;
    expect(await c.validateToken(oldKeyToken)).toMatchObject({ valid: false, errorCode: GopherAuthError.INVALID_SIGNATURE });
    expect(await c.validateToken(newKeyToken)).toMatchObject({ valid: true });
    expect(c.stats().tokenCache!.joined).toBe(joinedBefore);
    await Promise.all([...backlog, ...before]);
  });
});

describe('GopherAuthClient token cache: time, keys and failures', () => {
  it('keeps clock-skew settings apart: a token just past exp is valid with skew 60 and expired with skew 0', async () => {
    const c = await client({ backend: 'js' });
    const token = issuer.sign({ claims: { exp: issuer.now() - 30 } });
    for (let round = 0; round < 2; round++) {
      expect((await c.validateToken(token, { clockSkew: 60 })).valid).toBe(true);
      expect((await c.validateToken(token, { clockSkew: 0 })).errorCode).toBe(GopherAuthError.EXPIRED_TOKEN);
    }
    // The valid verdict inside the skew is never cached (it would outlive exp); the refusal is.
    expect(c.stats().tokenCache).toMatchObject({ hits: 1, misses: 3 });
  });

  it("stops answering from the cache at the token's exp, then decides afresh", async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const c = await client({ backend: 'js', tokenCache: { ttl: 3600 } });
    const exp = issuer.now() + 5;
    const token = issuer.sign({ claims: { exp } });
    expect((await c.validateToken(token, { clockSkew: 0 })).valid).toBe(true);
    vi.setSystemTime(exp * 1000 - 500);
    expect((await c.validateToken(token, { clockSkew: 0 })).valid).toBe(true);
    expect(hits(c)).toBe(1);
    vi.setSystemTime(exp * 1000 + 1500);
    expect((await c.validateToken(token, { clockSkew: 0 })).errorCode).toBe(GopherAuthError.EXPIRED_TOKEN);
    expect(hits(c)).toBe(1);
    // Within the default 60 s skew the token is still valid, but each answer is computed.
    expect((await c.validateToken(token)).valid).toBe(true);
    expect((await c.validateToken(token)).valid).toBe(true);
    expect(c.stats().tokenCache).toMatchObject({ hits: 1, misses: 4 });
  });

  it('reuses a refusal only for failureTtl', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const c = await client({ backend: 'js', tokenCache: { failureTtl: 2 } });
    const forged = issuer.sign({ kid: 'rsa2048', key: 'rsa2048b' });
    expect((await c.validateToken(forged)).errorCode).toBe(GopherAuthError.INVALID_SIGNATURE);
    expect((await c.validateToken(forged)).errorCode).toBe(GopherAuthError.INVALID_SIGNATURE);
    expect(hits(c)).toBe(1);
    vi.setSystemTime(Date.now() + 2001);
    expect((await c.validateToken(forged)).errorCode).toBe(GopherAuthError.INVALID_SIGNATURE);
    expect(c.stats().tokenCache).toMatchObject({ hits: 1, misses: 2 });
  });

  it('drops the verdicts of a key that leaves the JWKS; tokens of the remaining keys still hit', async () => {
    const c = await client({ backend: 'js' });
    const gone = issuer.sign({ kid: 'rsa2048' });
    const stays = issuer.sign({ kid: 'rsa2048b', key: 'rsa2048b' });
    expect((await c.validateToken(gone)).valid).toBe(true);
    expect((await c.validateToken(stays)).valid).toBe(true);
    server.setJwks(issuer.jwks(['rsa2048b']));
    await c.refreshJwks();
    expect(c.stats().tokenCache).toMatchObject({ size: 1, keyDrops: 1 });
    expect((await c.validateToken(gone)).valid).toBe(false);
    const before = hits(c);
    expect((await c.validateToken(stays)).valid).toBe(true);
    expect(hits(c)).toBe(before + 1);
  });

  it('never caches a JWKS outage: the first answer after recovery is computed', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    server.setFault({ kind: 'status', status: 503 });
    const c = new GopherAuthClient(server.url, issuer.issuer, { backend: 'js', tokenCache: true });
    clients.push(c);
    const token = issuer.sign();
    expect((await c.validateToken(token)).errorCode).toBe(GopherAuthError.JWKS_FETCH_FAILED);
    expect((await c.validateToken(token)).errorCode).toBe(GopherAuthError.JWKS_FETCH_FAILED);
    server.setFault(null);
    vi.setSystemTime(Date.now() + 10_000); // past the manager's retry backoff
    expect((await c.validateToken(token)).valid).toBe(true);
    expect(c.stats().tokenCache).toMatchObject({ hits: 0, misses: 3 });
  });

  it.each(['js', 'native'] as const)('stops answering from the cache once an outage has left the keys past maxStale (%s backend)', async (backend) => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const c = await client({ backend, cacheDuration: 1, jwks: { minCacheDuration: 1, maxCacheDuration: 1, maxStale: 2 } });
    const token = issuer.sign();
    expect((await c.validateToken(token)).valid).toBe(true);
    server.setFault({ kind: 'status', status: 500 });
    vi.setSystemTime(Date.now() + 1_500); // keys expired, still within maxStale: stale keys serve
    expect((await c.validateToken(token)).valid).toBe(true);
    expect(c.validateTokenSync(token).valid).toBe(true);
    vi.setSystemTime(Date.now() + 5_000); // past maxStale: nothing made with those keys is trusted
    expect((await c.validateToken(token)).errorCode).toBe(GopherAuthError.JWKS_FETCH_FAILED);
    expect(c.validateTokenSync(token).errorCode).toBe(GopherAuthError.JWKS_FETCH_FAILED);
    expect((await c.validateToken(issuer.sign())).errorCode).toBe(GopherAuthError.JWKS_FETCH_FAILED);
    server.setFault(null);
    await c.refreshJwks();
    expect((await c.validateToken(token)).valid).toBe(true);
  });

  it('caches nothing of a malformed or non-string token and keeps misuse errors', async () => {
    const c = await client({ backend: 'js' });
    await expect(c.validateToken(42 as unknown as string)).rejects.toThrow(/token must be a string/);
    expect((await c.validateToken('not-a-jwt')).errorCode).toBe(GopherAuthError.INVALID_TOKEN);
    await expect(c.validateToken(issuer.sign(), { clockSkew: -1 })).rejects.toThrow(/clock skew/);
  });

  it('is off unless asked for on a bare client; stats() says so', () => {
    const c = new GopherAuthClient(server.url, issuer.issuer, { backend: 'js' });
    clients.push(c);
    expect(c.stats().tokenCache).toBeNull();
    expect(() => new GopherAuthClient(server.url, issuer.issuer, { tokenCache: { ttl: 0 } })).toThrow(/tokenCache\.ttl/);
  });
});

describe('the HTTP gate', () => {
  const base = { resource: 'http://127.0.0.1:1/mcp', issuer: issuer.issuer };

  it('creates its client with the cache on by default, and off when told', async () => {
    const on = new Authenticator(resolveAuthConfig({ ...base, jwksUri: server.url, backend: 'js' }));
    const off = new Authenticator(resolveAuthConfig({ ...base, jwksUri: server.url, backend: 'js', clientOptions: { tokenCache: false } }));
    try {
      const token = issuer.sign({ claims: { aud: base.resource } });
      for (let i = 0; i < 3; i++) expect('clientId' in (await on.verifyToken(token))).toBe(true);
      expect((on.client as GopherAuthClient).stats().tokenCache).toMatchObject({ hits: 2, misses: 1 });
      expect((off.client as GopherAuthClient).stats().tokenCache).toBeNull();
    } finally {
      on.close();
      off.close();
    }
  });
});
