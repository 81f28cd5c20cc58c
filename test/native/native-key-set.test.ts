/**
 * The native library gets a flat key set of the keys the JS rules accept (src/core/native-key-set.ts).
 * Tokens whose key it was not given, or whose header makes it look for another key, must still get
 * the JS backend's verdict: valid tokens stay valid on every backend.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GopherAuthClient } from '../../src/core/client.js';
import { GopherAuthError } from '../../src/core/errors.js';
import { nativeKeySetJson } from '../../src/core/native-key-set.js';
import { parseToken, type ParsedToken } from '../../src/backends/js/token.js';
import { JS_ALGORITHMS } from '../../src/backends/js/index.js';
import type { Jwk } from '../../src/backends/types.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';

const issuer = new TestIssuer('https://issuer.test/native-set');
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function verdicts(keys: Jwk[], token: string): Promise<Record<string, number>> {
  const server: JwksServer = await startJwksServer({ jwks: { keys } });
  cleanups.push(() => server.close());
  const out: Record<string, number> = {};
  for (const backend of ['js', 'native', 'auto'] as const) {
    const client = new GopherAuthClient(server.url, issuer.issuer, { backend });
    cleanups.push(() => client.destroy());
    await client.ready();
    const async = await client.validateToken(token);
    const sync = client.validateTokenSync(token);
    expect(sync.errorCode).toBe(async.errorCode);
    out[backend] = async.errorCode;
  }
  return out;
}

const ALL_VALID = { js: GopherAuthError.SUCCESS, native: GopherAuthError.SUCCESS, auto: GopherAuthError.SUCCESS };

describe('keys the native key set leaves out are decided by the JS backend', () => {
  it('every RSA key has a kid the flat set cannot carry (non-ASCII, quotes, braces, over 256 characters)', async () => {
    for (const kid of ['ключ-1', 'a"b', 'k{1}', 'x'.repeat(300)]) {
      const keys = [issuer.jwk('rsa2048', { kid })];
      expect(JSON.parse(nativeKeySetJson({ keys, json: '', fetchedAt: 0, version: 1 })).keys).toEqual([]);
      expect(await verdicts(keys, issuer.sign({ kid }))).toEqual(ALL_VALID);
    }
  });

  // The library tries a kid-less token against the keys it was given: beside an ordinary RSA key,
  // its "no key could verify" for a token of a key left out was kept (only a set with every key left
  // out reached the JS backend, through the key miss).
  it('a token without a kid (or with kid "") signed by a key left out, beside a key the library has', async () => {
    for (const kid of ['ключ-1', '[prod]1', '', 'x'.repeat(300)]) {
      const keys = [issuer.jwk('rsa2048', { kid }), issuer.jwk('rsa3072', { kid: 'plain' })];
      expect(JSON.parse(nativeKeySetJson({ keys, json: '', fetchedAt: 0, version: 1 })).keys).toHaveLength(1);
      expect(await verdicts(keys, issuer.sign({ kid: null })), `kid ${kid.slice(0, 9)}`).toEqual(ALL_VALID);
      expect(await verdicts(keys, issuer.sign({ kid: '' })), `kid ${kid.slice(0, 9)}, token kid ""`).toEqual(ALL_VALID);
    }
  });

  it('a kid-less RS256 token when the only RSA key is limited to RS384: one defect, one code (no key for the algorithm)', async () => {
    const keys = [issuer.jwk('rsa2048', { alg: 'RS384' })];
    const code = GopherAuthError.INVALID_KEY;
    expect(await verdicts(keys, issuer.sign({ kid: null }))).toEqual({ js: code, native: code, auto: code });
  });

  it('a kid-less token whose header nests a kid naming a key left out (a 1024-bit one)', async () => {
    const keys = [issuer.jwk('rsa2048', { kid: 'k1' }), issuer.jwk('rsa1024', { kid: 'old-weak' })];
    const token = issuer.signRaw({ alg: 'RS256', key: 'rsa2048', headerJson: '{"alg":"RS256","typ":"JWT","x":{"kid":"old-weak"}}', payloadJson: JSON.stringify(issuer.defaultClaims()) });
    expect(await verdicts(keys, token)).toEqual(ALL_VALID);
  });

  it('kids equal to member names ("n", "e") do not shadow the key members', async () => {
    for (const kid of ['n', 'e', 'kty', 'use', 'alg', 'kid']) {
      expect(await verdicts([issuer.jwk('rsa2048', { kid })], issuer.sign({ kid }))).toEqual(ALL_VALID);
    }
  });

  it('a key the JS rules refuse is still refused on every backend, with the JS reason', async () => {
    const result = await verdicts([issuer.jwk('rsa1024', { kid: 'weak' })], issuer.sign({ key: 'rsa1024', kid: 'weak' }));
    expect(result).toEqual({ js: GopherAuthError.INVALID_KEY, native: GopherAuthError.INVALID_KEY, auto: GopherAuthError.INVALID_KEY });
  });
});

describe('headers a textual reader reads alike take the fast path', () => {
  const request = { issuer: issuer.issuer, clockSkew: 60, algorithms: JS_ALGORITHMS };
  const plain = (headerJson: string) =>
    (parseToken(issuer.signRaw({ alg: 'RS256', headerJson, payloadJson: JSON.stringify(issuer.defaultClaims()) }), request) as ParsedToken).plainHeader;

  it('compact and Keycloak-style spacing read alike; nested, escaped or repeated names do not', () => {
    expect(plain('{"alg":"RS256","typ":"JWT","kid":"abc"}')).toBe(true);
    expect(plain('{"alg" : "RS256","typ" : "JWT","kid" : "abc"}')).toBe(true);
    expect(plain('{"kid":"abc","alg":"RS256"}')).toBe(true);
    expect(plain('{"alg":"RS256","x":{"kid":"weak"},"kid":"abc"}')).toBe(false);
    expect(plain('{"alg":"RS256","x":["alg"],"kid":"abc"}')).toBe(false);
    expect(plain('{"alg":"RS256","kid":"ab\\u0063"}')).toBe(false);
    expect(plain('{"alg":"RS256","xkid":"weak","kid":"abc"}')).toBe(false);
  });
});

// 'native' verifies RS256/384/512 only. With no RSA key for the library, its client answered a key
// miss before asking the library, the client handed that to the JS backend, and 'native' accepted
// ES256, EdDSA and PS256 tokens — or refused them, when some unrelated RSA key was in the set.
describe("'native' refuses other algorithms whatever the key set holds", () => {
  it('ES256, EdDSA and PS256 tokens: Unsupported algorithm, with and without an RSA key the library has', async () => {
    const cases = [
      { alg: 'ES256', key: 'p256' },
      { alg: 'EdDSA', key: 'ed25519' },
      { alg: 'PS256', key: 'rsa2048' },
    ] as const;
    for (const { alg, key } of cases) {
      for (const keys of [[issuer.jwk(key, { kid: 'k' })], [issuer.jwk(key, { kid: 'k' }), issuer.jwk('rsa3072', { kid: 'rsa' })]]) {
        const server = await startJwksServer({ jwks: { keys } });
        cleanups.push(() => server.close());
        const client = new GopherAuthClient(server.url, issuer.issuer, { backend: 'native' });
        cleanups.push(() => client.destroy());
        await client.ready();
        const token = issuer.sign({ alg, key, kid: 'k' });
        const expected = { valid: false, errorCode: GopherAuthError.INVALID_TOKEN, errorMessage: `Unsupported algorithm: ${alg}` };
        expect(await client.validateToken(token), `${alg} with ${keys.length} keys`).toEqual(expected);
        expect(client.validateTokenSync(token)).toEqual(expected);
      }
    }
  });
});
