/**
 * `tokenTypes`: the header `typ` an access token must carry (RFC 9068 §4), on every backend — the
 * native library ignores `typ`, so its acceptances must be refused by the re-check — and at the gate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GopherAuthClient } from '../../src/core/client.js';
import { GopherAuthError } from '../../src/core/errors.js';
import { gopherAuth } from '../../src/http/gopher-auth.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';

const issuer = new TestIssuer('https://issuer.test/typed');
let server: JwksServer;

beforeAll(async () => {
  server = await startJwksServer({ jwks: issuer.jwks(['rsa2048', 'p256']) });
});
afterAll(() => server.close());

const typed = (typ: unknown, alg: 'RS256' | 'ES256' = 'RS256') => issuer.sign({ alg, header: { typ } });

describe.each(['js', 'native', 'auto'] as const)("tokenTypes on backend '%s'", (backend) => {
  let client: GopherAuthClient;
  let open: GopherAuthClient;
  beforeAll(async () => {
    client = new GopherAuthClient(server.url, issuer.issuer, { backend, tokenTypes: ['at+jwt'] });
    open = new GopherAuthClient(server.url, issuer.issuer, { backend });
    await Promise.all([client.ready(), open.ready()]);
  });
  afterAll(() => {
    client.destroy();
    open.destroy();
  });

  it('accepts the listed type however it is spelt (case, application/ prefix)', async () => {
    for (const typ of ['at+jwt', 'AT+JWT', 'application/at+jwt', 'Application/At+Jwt']) {
      expect(await client.validateToken(typed(typ)), typ).toEqual({ valid: true, errorCode: 0, errorMessage: null });
      expect(client.validateTokenSync(typed(typ)).valid, typ).toBe(true);
    }
  });

  it('refuses other types and tokens without one, awaited, sync and 64 in flight', async () => {
    const cases: [unknown, string][] = [
      ['JWT', 'Unexpected token type: application/jwt'],
      ['logout+jwt', 'Unexpected token type: application/logout+jwt'],
      ['at+jwt ', 'Unexpected token type: application/at+jwt '],
      [undefined, "JWT header missing 'typ' field"],
      [7, "JWT header missing 'typ' field"],
    ];
    for (const [typ, message] of cases) {
      const expected = { valid: false, errorCode: GopherAuthError.INVALID_TOKEN, errorMessage: message };
      expect(await client.validateToken(typed(typ)), String(typ)).toEqual(expected);
      expect(client.validateTokenSync(typed(typ)), String(typ)).toEqual(expected);
      // The same token without the option is valid: only typ decides here.
      expect((await open.validateToken(typed(typ))).valid, String(typ)).toBe(true);
    }
    // Many at once go through the verify workers (js) or native batches: the rule travels with them.
    const tokens = Array.from({ length: 64 }, (_, i) => typed(i % 2 === 0 ? 'at+jwt' : 'JWT'));
    const results = await Promise.all(tokens.map((t) => client.validateToken(t)));
    expect(results.map((r) => r.valid)).toEqual(tokens.map((_, i) => i % 2 === 0));
  });
});

// Backend 'native' verifies RS* only (ES256 is an unsupported algorithm there, typed or not).
describe.each(['js', 'auto'] as const)("tokenTypes with ES256 on backend '%s'", (backend) => {
  it('applies to every algorithm', async () => {
    const client = new GopherAuthClient(server.url, issuer.issuer, { backend, tokenTypes: ['at+jwt'] });
    try {
      expect(await client.validateToken(typed('at+jwt', 'ES256'))).toEqual({ valid: true, errorCode: 0, errorMessage: null });
      expect((await client.validateToken(typed('JWT', 'ES256'))).errorCode).toBe(GopherAuthError.INVALID_TOKEN);
    } finally {
      client.destroy();
    }
  });
});

describe('tokenTypes configuration', () => {
  it('refuses what is not a non-empty list of media types', () => {
    for (const tokenTypes of [[], 'at+jwt', ['at jwt'], [''], [7], ['a/b/c'], ['at+jwt\n']]) {
      expect(() => new GopherAuthClient(server.url, issuer.issuer, { backend: 'js', tokenTypes: tokenTypes as string[] }), JSON.stringify(tokenTypes)).toThrow(
        expect.objectContaining({ code: GopherAuthError.INVALID_CONFIG }),
      );
    }
  });

  it("reaches the gate's client through clientOptions: an ID token whose aud matches is refused", async () => {
    const resource = 'https://api.test/mcp';
    const auth = gopherAuth({ resource, issuer: issuer.issuer, jwksUri: server.url, backend: 'js', clientOptions: { tokenTypes: ['at+jwt'] } });
    try {
      const call = (token: string) => auth.gate(new Request(resource, { method: "GET", headers: { authorization: `Bearer ${token}` } }));
      const idToken = issuer.sign({ header: { typ: 'JWT' }, claims: { aud: resource, nonce: 'n-1', at_hash: 'x' } });
      const refused = await call(idToken);
      expect(refused).toBeInstanceOf(Response);
      expect((refused as Response).status).toBe(401);
      const accessToken = issuer.sign({ header: { typ: 'at+jwt' }, claims: { aud: resource } });
      expect(await call(accessToken)).not.toBeInstanceOf(Response);
    } finally {
      auth.close();
    }
  });
});
