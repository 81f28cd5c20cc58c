/**
 * `maxTokenAge`: how old (since `iat`) a token may be, on every backend — the native library never
 * compares `iat`, so its acceptances must be refused by the re-check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GopherAuthClient } from '../../src/core/client.js';
import { GopherAuthError } from '../../src/core/errors.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';

const issuer = new TestIssuer('https://issuer.test/aged');
let server: JwksServer;

beforeAll(async () => {
  server = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
});
afterAll(() => server.close());

const issuedAgo = (seconds: number | undefined) =>
  issuer.sign({ claims: { iat: seconds === undefined ? undefined : issuer.now() - seconds, exp: issuer.now() + 10 * 365 * 86400 } });

describe.each(['js', 'native', 'auto'] as const)("maxTokenAge on backend '%s'", (backend) => {
  let client: GopherAuthClient;
  let open: GopherAuthClient;
  beforeAll(async () => {
    // One hour, with the default 60 s skew.
    client = new GopherAuthClient(server.url, issuer.issuer, { backend, maxTokenAge: 3600, tokenCache: true });
    open = new GopherAuthClient(server.url, issuer.issuer, { backend });
    await Promise.all([client.ready(), open.ready()]);
  });
  afterAll(() => {
    client.destroy();
    open.destroy();
  });

  it('accepts tokens younger than the bound (plus skew), refuses older ones, those without iat and those issued in the future', async () => {
    const cases: [number | undefined, number, string | null][] = [
      [10, GopherAuthError.SUCCESS, null],
      [3600 + 50, GopherAuthError.SUCCESS, null],
      [3600 + 120, GopherAuthError.EXPIRED_TOKEN, 'JWT is older than maxTokenAge'],
      [5 * 365 * 86400, GopherAuthError.EXPIRED_TOKEN, 'JWT is older than maxTokenAge'],
      [undefined, GopherAuthError.INVALID_TOKEN, "JWT payload missing 'iat' claim"],
      [-30, GopherAuthError.SUCCESS, null],
      [-600, GopherAuthError.INVALID_TOKEN, 'JWT issued in the future (iat)'],
    ];
    for (const [ago, code, message] of cases) {
      const token = issuedAgo(ago);
      const expected = { valid: code === 0, errorCode: code, errorMessage: message };
      expect(await client.validateToken(token), String(ago)).toEqual(expected);
      expect(client.validateTokenSync(token), String(ago)).toEqual(expected);
      // Without the option every one of them is valid: only the age decides here.
      expect((await open.validateToken(token)).valid, String(ago)).toBe(true);
    }
    const tokens = Array.from({ length: 64 }, (_, i) => issuedAgo(i % 2 === 0 ? 10 : 7200));
    const results = await Promise.all(tokens.map((t) => client.validateToken(t)));
    expect(results.map((r) => r.valid)).toEqual(tokens.map((_, i) => i % 2 === 0));
  });
});

describe('maxTokenAge configuration', () => {
  it('must be a positive whole number of seconds', () => {
    for (const maxTokenAge of [0, -1, 1.5, '60', Number.NaN]) {
      expect(() => new GopherAuthClient(server.url, issuer.issuer, { backend: 'js', maxTokenAge: maxTokenAge as number }), String(maxTokenAge)).toThrow(
        expect.objectContaining({ code: GopherAuthError.INVALID_CONFIG }),
      );
    }
  });
});
