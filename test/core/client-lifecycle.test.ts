import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GopherAuthClient } from '../../src/core/client.js';
import { GopherAuthError, GopherAuthException } from '../../src/core/errors.js';
import { GopherValidationOptions, gopherCreateValidationOptions } from '../../src/core/options.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';

const issuer = new TestIssuer('https://issuer.test/lifecycle');
let server: JwksServer;

beforeAll(async () => {
  server = await startJwksServer({ jwks: issuer.jwks(['rsa2048', 'p256']) });
});
afterAll(async () => {
  await server.close();
});

const newClient = (options: ConstructorParameters<typeof GopherAuthClient>[2] = {}) =>
  new GopherAuthClient(server.url, issuer.issuer, { backend: 'js', ...options });

function expectException(fn: () => unknown, code: GopherAuthError, text: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(GopherAuthException);
  expect((caught as GopherAuthException).code).toBe(code);
  expect((caught as GopherAuthException).message).toMatch(text);
}

describe('construction', () => {
  it('does no I/O: nothing is fetched until keys are needed', async () => {
    server.resetCounts();
    const client = newClient();
    await new Promise((r) => setTimeout(r, 50));
    expect(server.fetchCount).toBe(0);
    await client.ready();
    expect(server.fetchCount).toBe(1);
    client.destroy();
  });

  it('accepts only http and https URIs, as native (INVALID_CONFIG)', () => {
    expectException(() => new GopherAuthClient('ftp://x/jwks', issuer.issuer), GopherAuthError.INVALID_CONFIG, /jwksUri/);
    expectException(() => new GopherAuthClient('not a url', issuer.issuer), GopherAuthError.INVALID_CONFIG, /jwksUri/);
    expectException(() => new GopherAuthClient(server.url, 'urn:issuer'), GopherAuthError.INVALID_CONFIG, /issuer/);
    expect(() => new GopherAuthClient('https://example.test/jwks', 'http://issuer', { backend: 'js' }).destroy()).not.toThrow();
  });

  it('refuses unknown backends, negative clock skew and unsupported algorithms', () => {
    expectException(() => newClient({ backend: 'fast' as never }), GopherAuthError.INVALID_CONFIG, /'auto', 'js' or 'native'/);
    expectException(() => newClient({ clockSkew: -1 }), GopherAuthError.INVALID_PARAMETER, /clockSkew/);
    expectException(() => newClient({ clockSkew: 1.5 }), GopherAuthError.INVALID_PARAMETER, /clockSkew/);
    expectException(() => newClient({ algorithms: ['HS256'] }), GopherAuthError.INVALID_CONFIG, /HS256/);
    expectException(() => newClient({ algorithms: ['none'] }), GopherAuthError.INVALID_CONFIG, /none/);
    expectException(() => newClient({ algorithms: [] }), GopherAuthError.INVALID_CONFIG, /non-empty/);
    expectException(() => newClient({ cacheDuration: -5 }), GopherAuthError.INVALID_CONFIG, /cacheDuration/);
  });

  it('refuses an autoRefresh that is not a boolean (the string "false" is truthy) and a logger without the four methods', () => {
    for (const autoRefresh of ['false', 0, 1, null]) {
      expectException(() => newClient({ autoRefresh: autoRefresh as never }), GopherAuthError.INVALID_CONFIG, /autoRefresh must be true or false/);
    }
    expectException(() => newClient({ logger: {} as never }), GopherAuthError.INVALID_CONFIG, /logger .*missing: debug, info, warn, error/);
    expectException(() => newClient({ logger: 5 as never }), GopherAuthError.INVALID_CONFIG, /pino-compatible logger/);
    expectException(() => newClient({ logger: null as never }), GopherAuthError.INVALID_CONFIG, /pino-compatible logger/);
    const { warn: _omitted, ...withoutWarn } = console;
    expectException(() => newClient({ logger: withoutWarn as never }), GopherAuthError.INVALID_CONFIG, /missing: warn$/);
    for (const fine of [{ autoRefresh: false }, { autoRefresh: true }, { logger: console }]) expect(() => newClient(fine).destroy()).not.toThrow();
  });

  it('a failing endpoint is logged and retried through the logger it was given (it used to be called without being checked)', async () => {
    const seen: string[] = [];
    const logger = { debug: () => {}, info: () => {}, warn: (_obj: unknown, msg?: string) => seen.push(msg ?? ''), error: () => {} };
    server.setFault({ kind: 'status', status: 500 });
    try {
      const client = newClient({ logger });
      const result = await client.validateToken(issuer.sign({ kid: 'rsa2048' }));
      expect(result.errorMessage).toBe('Failed to fetch JWKS: HTTP 500 Internal Server Error');
      expect(seen).toEqual([expect.stringMatching(/JWKS endpoint failing/)]);
      client.destroy();
    } finally {
      server.setFault(null);
    }
  });

  it('reads GOPHER_AUTH_BACKEND when no backend option is given', () => {
    const saved = process.env.GOPHER_AUTH_BACKEND;
    try {
      process.env.GOPHER_AUTH_BACKEND = 'js';
      const client = new GopherAuthClient(server.url, issuer.issuer);
      expect(client.backend).toBe('js');
      client.destroy();
      process.env.GOPHER_AUTH_BACKEND = 'bogus';
      expectException(() => new GopherAuthClient(server.url, issuer.issuer), GopherAuthError.INVALID_CONFIG, /GOPHER_AUTH_BACKEND/);
    } finally {
      if (saved === undefined) delete process.env.GOPHER_AUTH_BACKEND;
      else process.env.GOPHER_AUTH_BACKEND = saved;
    }
  });
});

describe('options and defaults', () => {
  it('uses a 60 s default skew, overridable per client and per call', async () => {
    const client = newClient();
    const token = issuer.sign({ claims: { exp: issuer.now() - 45 } });
    expect((await client.validateToken(token)).valid).toBe(true);
    expect((await client.validateToken(token, { clockSkew: 30 })).errorCode).toBe(GopherAuthError.EXPIRED_TOKEN);
    expect((await client.validateToken(token, new GopherValidationOptions().setClockSkew(50))).valid).toBe(true);
    // An options object without a skew falls back to the client default, like native.
    expect((await client.validateToken(token, new GopherValidationOptions())).valid).toBe(true);
    const strict = newClient({ clockSkew: 10 });
    expect((await strict.validateToken(token)).errorCode).toBe(GopherAuthError.EXPIRED_TOKEN);
    client.destroy();
    strict.destroy();
  });

  it('gopherCreateValidationOptions defaults to 30 s skew and refuses negative skew', () => {
    expect(gopherCreateValidationOptions().clockSkew).toBe(30);
    expectException(() => gopherCreateValidationOptions({ clockSkew: -1 }), GopherAuthError.INVALID_PARAMETER, /non-negative/);
    expectException(() => new GopherValidationOptions().setClockSkew(-5), GopherAuthError.INVALID_PARAMETER, /non-negative/);
    expectException(() => new GopherValidationOptions().setScopes(5 as never), GopherAuthError.INVALID_PARAMETER, /array of strings or one space-separated string/);
    expectException(() => new GopherValidationOptions().setScopes(null as never), GopherAuthError.INVALID_PARAMETER, /array of strings/);
  });

  it('a per-call plain object with a negative skew throws (misuse), a bad token does not', async () => {
    const client = newClient();
    await expect(client.validateToken(issuer.sign(), { clockSkew: -1 })).rejects.toBeInstanceOf(GopherAuthException);
    await expect(client.validateToken('garbage')).resolves.toMatchObject({ valid: false, errorCode: GopherAuthError.INVALID_TOKEN });
    await expect(client.validateToken(42 as unknown as string)).rejects.toMatchObject({ code: GopherAuthError.INVALID_PARAMETER });
    client.destroy();
  });

  it('restricts algorithms to the allow-list', async () => {
    const client = newClient({ algorithms: ['ES256'] });
    expect(await client.validateToken(issuer.sign({ alg: 'ES256' }))).toEqual({ valid: true, errorCode: 0, errorMessage: null });
    expect(await client.validateToken(issuer.sign({ alg: 'RS256' }))).toEqual({
      valid: false,
      errorCode: GopherAuthError.INVALID_TOKEN,
      errorMessage: 'Unsupported algorithm: RS256',
    });
    client.destroy();
  });

  it('passes audience and scopes from GopherValidationOptions', async () => {
    const client = newClient();
    const token = issuer.sign({ claims: { aud: ['api://mcp'], scp: ['mcp:read'] } });
    const opts = new GopherValidationOptions().setAudience('api://mcp').setScopes('mcp:read');
    expect((await client.validateToken(token, opts)).valid).toBe(true);
    expect((await client.validateToken(token, opts.setScopes(['mcp:read', 'mcp:admin']))).errorCode).toBe(GopherAuthError.INSUFFICIENT_SCOPE);
    opts.destroy();
    await expect(client.validateToken(token, opts)).rejects.toBeInstanceOf(GopherAuthException);
    client.destroy();
  });
});

describe('setOption answers like native', () => {
  it('accepts the native option names', () => {
    const client = newClient();
    expect(() => client.setOption('cache_duration', '120')).not.toThrow();
    expect(() => client.setOption('cache_duration', '-5')).not.toThrow();
    expect(() => client.setOption('auto_refresh', 'false')).not.toThrow();
    expect(() => client.setOption('request_timeout', 5)).not.toThrow();
    client.setOption('client_id', 'my-client');
    expect(client.getOption('client_id')).toBe('my-client');
    client.setOption('server_url', 'http://localhost:3001');
    expect(client.getOption('server_url')).toBe('http://localhost:3001');
    client.destroy();
  });

  it('unknown names: INVALID_PARAMETER "Unknown option: X" (case-sensitive, as native)', () => {
    const client = newClient();
    expectException(() => client.setOption('bogus', '1'), GopherAuthError.INVALID_PARAMETER, /^Unknown option: bogus$/);
    expectException(() => client.setOption('CACHE_DURATION', '1'), GopherAuthError.INVALID_PARAMETER, /^Unknown option: CACHE_DURATION$/);
    expectException(() => client.setOption('', '1'), GopherAuthError.INVALID_PARAMETER, /^Unknown option: $/);
    client.destroy();
  });

  it('unparsable values: INVALID_CONFIG; missing value: INVALID_PARAMETER', () => {
    const client = newClient();
    expectException(() => client.setOption('cache_duration', 'abc'), GopherAuthError.INVALID_CONFIG, /Failed to parse value/);
    expectException(() => client.setOption('cache_duration', ''), GopherAuthError.INVALID_CONFIG, /Failed to parse value/);
    expectException(() => client.setOption('request_timeout', 'x'), GopherAuthError.INVALID_CONFIG, /Failed to parse value/);
    expectException(() => client.setOption('cache_duration', '99999999999999999999'), GopherAuthError.INVALID_CONFIG, /Failed to parse value/);
    expectException(() => client.setOption('server_url', 'notaurl'), GopherAuthError.INVALID_CONFIG, /^Invalid server URL$/);
    expectException(() => client.setOption('cache_duration', null as unknown as string), GopherAuthError.INVALID_PARAMETER, /^Invalid parameter$/);
    client.destroy();
  });

  it('keeps validating with the loaded keys after a JWKS option changes', async () => {
    const client = newClient();
    await client.ready();
    client.setOption('request_timeout', '3');
    expect((await client.validateToken(issuer.sign())).valid).toBe(true);
    client.destroy();
  });
});

describe('setOption on a JWKS setting: the keys stay managed', () => {
  for (const backend of ['js', 'native'] as const) {
    it(`${backend}: a key the issuer removed stops verifying under the new cache_duration; jwksStatus describes the keys in use`, async () => {
      const own = await startJwksServer({ jwks: issuer.jwks(['rsa2048', 'rsa2048b']) });
      const client = new GopherAuthClient(own.url, issuer.issuer, { backend, cacheDuration: 3600 });
      try {
        await client.ready();
        const token = issuer.sign({ key: 'rsa2048b' });
        expect((await client.validateToken(token)).valid).toBe(true);
        client.setOption('cache_duration', 1);
        expect(client.jwksStatus().keys).toBe(2);
        expect(client.jwksStatus().fetchCount).toBeGreaterThanOrEqual(1);
        own.setJwks(issuer.jwks(['rsa2048']));
        await new Promise((r) => setTimeout(r, 2500));
        const after = await client.validateToken(token);
        expect(after.valid).toBe(false);
        expect(after.errorCode).toBe(GopherAuthError.INVALID_KEY);
        expect(client.jwksStatus().kids).toEqual(['rsa2048']);
        expect((await client.validateToken(issuer.sign())).valid).toBe(true);
      } finally {
        client.destroy();
        await own.close();
      }
    });
  }
});

describe('ready() across setOption', () => {
  it('a ready() waiting while setOption swaps the JWKS manager resolves with the keys, not a destroyed-manager error', async () => {
    const slow = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
    slow.setFault({ kind: 'delay', ms: 300 });
    const client = new GopherAuthClient(slow.url, issuer.issuer, { backend: 'js' });
    try {
      const waiting = client.ready();
      await new Promise((r) => setTimeout(r, 50));
      client.setOption('request_timeout', 5);
      await expect(waiting).resolves.toBeUndefined();
      expect((await client.validateToken(issuer.sign())).valid).toBe(true);
    } finally {
      client.destroy();
      await slow.close();
    }
  });
});

describe('validations and refreshJwks() across setOption', () => {
  for (const backend of ['js', 'native'] as const) {
    it(`${backend}: waiting on a fetch while setOption swaps the JWKS manager, they get verdicts from the new one, not destroyed-manager errors`, async () => {
      const slow = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
      const client = new GopherAuthClient(slow.url, issuer.issuer, { backend });
      try {
        // First load waiting on a slow fetch.
        slow.setFault({ kind: 'delay', ms: 300 });
        const first = client.validateToken(issuer.sign());
        await new Promise((r) => setTimeout(r, 50));
        client.setOption('request_timeout', 5);
        expect(await first).toMatchObject({ valid: true, errorCode: 0 });
        // A new kid waiting on a refetch, and a refresh, while the manager is swapped again.
        slow.setJwks(issuer.jwks(['rsa2048', 'rsa2048b']));
        slow.setFault({ kind: 'delay', ms: 300 });
        const newKid = client.validateToken(issuer.sign({ key: 'rsa2048b' }));
        const refreshed = client.refreshJwks();
        await new Promise((r) => setTimeout(r, 50));
        client.setOption('cache_duration', 120);
        expect(await newKid).toMatchObject({ valid: true, errorCode: 0 });
        await expect(refreshed).resolves.toBeUndefined();
      } finally {
        client.destroy();
        await slow.close();
      }
    });
  }
});

describe('disposal', () => {
  it('destroy is idempotent and every later use throws a clear GopherAuthException', async () => {
    const client = newClient();
    await client.ready();
    expect(client.isDestroyed()).toBe(false);
    client.destroy();
    client.destroy();
    expect(client.isDestroyed()).toBe(true);
    const token = issuer.sign();
    const uses: Array<() => unknown> = [
      () => client.validateTokenSync(token),
      () => client.extractPayload(token),
      () => client.setOption('cache_duration', '1'),
      () => client.jwksStatus(),
      () => client.backend,
    ];
    for (const use of uses) expectException(use, GopherAuthError.INVALID_PARAMETER, /used after destroy/);
    await expect(client.validateToken(token)).rejects.toThrow(/used after destroy/);
    await expect(client.validateAndExtract(token)).rejects.toThrow(/used after destroy/);
    await expect(client.ready()).rejects.toThrow(/used after destroy/);
    await expect(client.refreshJwks()).rejects.toThrow(/used after destroy/);
  });

  it('`using` destroys at the end of the block', () => {
    let escaped: GopherAuthClient;
    {
      using client = newClient();
      escaped = client;
      expect(client.isDestroyed()).toBe(false);
    }
    expect(escaped.isDestroyed()).toBe(true);
  });

  it('`await using` destroys at the end of the block', async () => {
    let escaped: GopherAuthClient;
    {
      await using client = newClient();
      await client.ready();
      escaped = client;
      expect((await client.validateToken(issuer.sign())).valid).toBe(true);
    }
    expect(escaped.isDestroyed()).toBe(true);
  });

  it('destroy during an in-flight key load rejects that call instead of crashing', async () => {
    server.setFault({ kind: 'delay', ms: 200, times: 1 });
    const client = newClient();
    const pending = client.validateToken(issuer.sign());
    client.destroy();
    await expect(pending).rejects.toBeInstanceOf(GopherAuthException);
    server.setFault(null);
  });

  it('ready() and refreshJwks() waiting when destroy() comes reject with the documented message', async () => {
    server.setFault({ kind: 'delay', ms: 200, times: 2 });
    try {
      const loading = newClient();
      const ready = loading.ready();
      loading.destroy();
      await expect(ready).rejects.toMatchObject({ code: GopherAuthError.INVALID_PARAMETER, message: 'GopherAuthClient used after destroy()' });
      const loaded = newClient();
      await loaded.ready();
      const refresh = loaded.refreshJwks();
      loaded.destroy();
      await expect(refresh).rejects.toMatchObject({ code: GopherAuthError.INVALID_PARAMETER, message: 'GopherAuthClient used after destroy()' });
    } finally {
      server.setFault(null);
    }
  });

  it('GopherValidationOptions: double destroy, use after destroy, using', () => {
    const opts = new GopherValidationOptions();
    opts.destroy();
    opts.destroy();
    expectException(() => opts.setAudience('x'), GopherAuthError.INVALID_PARAMETER, /after destroy/);
    let escaped: GopherValidationOptions;
    {
      using scoped = new GopherValidationOptions().setScopes('a b');
      escaped = scoped;
    }
    expect(escaped.isDestroyed()).toBe(true);
  });
});

describe('unknown option keys', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['top level', { cacheDurration: 5 }, 'unknown GopherAuthClient option "cacheDurration" (did you mean "cacheDuration"?)'],
    ['jwks tuning', { jwks: { maxstale: 5 } }, 'unknown jwks option "maxstale" (did you mean "maxStale"?)'],
    ['token cache', { tokenCache: { ttls: 5 } }, 'unknown tokenCache option "ttls" (did you mean "ttl"?)'],
  ])('%s: refused with INVALID_CONFIG and the nearest real name', (_where, options, message) => {
    let caught: unknown;
    try {
      new GopherAuthClient('https://as.example/jwks', 'https://as.example', options as never).destroy();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GopherAuthException);
    expect((caught as GopherAuthException).code).toBe(GopherAuthError.INVALID_CONFIG);
    expect((caught as Error).message).toBe(message);
  });
});
