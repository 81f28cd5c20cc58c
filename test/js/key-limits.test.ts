/**
 * Bounds on what one key set can make a validation cost: how many keys a token is tried against,
 * RSA exponent and modulus sizes, and how many keys a document may bring.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { JsBackendClient, JS_ALGORITHMS } from '../../src/backends/js/index.js';
import { MAX_CANDIDATE_KEYS, MAX_RSA_BITS } from '../../src/backends/js/keyring.js';
import { generateKeyPair } from '../../src/backends/keypair.js';
import type { Jwk, JwksSnapshot, ValidationRequest } from '../../src/backends/types.js';
import { GopherAuthError } from '../../src/backends/codes.js';
import { MAX_JWKS_KEYS, parseJwksDocument } from '../../src/core/jwks/document.js';
import { JwksManager } from '../../src/core/jwks/manager.js';
import { TestIssuer, b64url, signJws } from '../support/issuer.js';
import { startJwksServer } from '../support/jwks-server.js';

const issuer = new TestIssuer('https://issuer.test/limits');
const request: ValidationRequest = { issuer: issuer.issuer, clockSkew: 60, algorithms: JS_ALGORITHMS };
let version = 0;
const snapshot = (keys: Jwk[]): JwksSnapshot => ({ keys, json: JSON.stringify({ keys }), fetchedAt: Date.now(), version: ++version });

const ecKeys = Array.from({ length: MAX_CANDIDATE_KEYS + 4 }, () => generateKeyPair('ec', { namedCurve: 'P-256' }));
const ecJwk = (i: number, kid?: string): Jwk => ({ ...(ecKeys[i]!.publicKey.export({ format: 'jwk' }) as Jwk), ...(kid === undefined ? {} : { kid }) });

function es256(i: number, header: Record<string, unknown>): string {
  const input = `${b64url(JSON.stringify({ alg: 'ES256', ...header }))}.${b64url(JSON.stringify(issuer.defaultClaims()))}`;
  return `${input}.${b64url(signJws('ES256', input, ecKeys[i]!.privateKey))}`;
}

function clientWith(keys: Jwk[]): JsBackendClient {
  const client = new JsBackendClient();
  client.setKeys(snapshot(keys));
  return client;
}

describe('keys tried per token', () => {
  it(`a token without kid is tried against the first ${MAX_CANDIDATE_KEYS} usable keys, no more`, () => {
    const client = clientWith(ecKeys.map((_, i) => ecJwk(i)));
    expect(client.validateSync(es256(MAX_CANDIDATE_KEYS - 1, {}), request).valid).toBe(true);
    expect(client.validateSync(es256(MAX_CANDIDATE_KEYS, {}), request)).toMatchObject({ valid: false, code: GopherAuthError.INVALID_SIGNATURE });
  });

  it(`a kid shared by many keys: the first ${MAX_CANDIDATE_KEYS} with that kid are tried`, () => {
    const client = clientWith(ecKeys.map((_, i) => ecJwk(i, 'shared')));
    expect(client.validateSync(es256(0, { kid: 'shared' }), request).valid).toBe(true);
    expect(client.validateSync(es256(MAX_CANDIDATE_KEYS - 1, { kid: 'shared' }), request).valid).toBe(true);
    expect(client.validateSync(es256(MAX_CANDIDATE_KEYS + 2, { kid: 'shared' }), request)).toMatchObject({ valid: false, code: GopherAuthError.INVALID_SIGNATURE });
  });
});

describe('RSA key sizes', () => {
  const n = issuer.jwk('rsa2048b').n as string;

  it('a public exponent of 2^256 or more is refused (FIPS 186-5), one just below is a usable key', () => {
    const hugeE = Buffer.alloc(384, 0xff); // a 3,072-bit odd exponent: ~7 ms per verification
    const client = clientWith([
      { kty: 'RSA', kid: 'huge-e', n, e: b64url(hugeE) },
      { kty: 'RSA', kid: 'e-2^256', n, e: b64url(Buffer.concat([Buffer.from([1]), Buffer.alloc(31), Buffer.from([1])])) },
      { kty: 'RSA', kid: 'e-below', n, e: b64url(Buffer.alloc(32, 0xff)) },
    ]);
    expect(client.validateSync(issuer.sign({ key: 'rsa2048b', kid: 'huge-e' }), request)).toMatchObject({
      valid: false,
      code: GopherAuthError.INVALID_KEY,
      message: 'Key huge-e has an unsafe RSA public exponent of 3072 bits',
    });
    expect(client.validateSync(issuer.sign({ key: 'rsa2048b', kid: 'e-2^256' }), request)).toMatchObject({ code: GopherAuthError.INVALID_KEY });
    // Usable (no key refusal); the signature was made for e = 65537, so it does not verify.
    expect(client.validateSync(issuer.sign({ key: 'rsa2048b', kid: 'e-below' }), request)).toMatchObject({ code: GopherAuthError.INVALID_SIGNATURE });
  });

  it(`a modulus over ${MAX_RSA_BITS} bits is refused`, () => {
    const big = randomBytes(MAX_RSA_BITS / 8 + 128);
    big[0] = (big[0] ?? 0) | 0x80;
    big[big.length - 1] = (big[big.length - 1] ?? 0) | 1;
    const client = clientWith([{ kty: 'RSA', kid: 'big-n', n: b64url(big), e: 'AQAB' }]);
    expect(client.validateSync(issuer.sign({ key: 'rsa2048b', kid: 'big-n' }), request)).toMatchObject({
      valid: false,
      code: GopherAuthError.INVALID_KEY,
      message: `Key big-n is too large: RSA ${big.length * 8} bits, at most ${MAX_RSA_BITS} accepted`,
    });
  });
});

describe('keys per document', () => {
  it(`keeps the first ${MAX_JWKS_KEYS} keys of a larger document and says so once`, async () => {
    const keys = Array.from({ length: MAX_JWKS_KEYS + 50 }, (_, i) => ({ ...issuer.jwk('p256'), kid: `k${i}` }));
    const parsed = parseJwksDocument(JSON.stringify({ keys }));
    expect(parsed.keys).toHaveLength(MAX_JWKS_KEYS);
    expect(parsed.truncated).toBe(50);
    expect(parsed.keys[MAX_JWKS_KEYS - 1]?.kid).toBe(`k${MAX_JWKS_KEYS - 1}`);

    const warnings: unknown[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (obj: unknown, msg: string) => warnings.push({ obj, msg }) };
    const server = await startJwksServer({ jwks: { keys } });
    const manager = new JwksManager(server.url, { autoRefresh: false, logger });
    try {
      expect((await manager.ready()).keys).toHaveLength(MAX_JWKS_KEYS);
      await manager.refresh();
      expect(warnings).toEqual([{ obj: { jwksUri: server.url, keptKeys: MAX_JWKS_KEYS, droppedKeys: 50 }, msg: `gopher-auth: JWKS document holds more than ${MAX_JWKS_KEYS} keys; only the first ${MAX_JWKS_KEYS} are used` }]);
    } finally {
      manager.destroy();
      await server.close();
    }
  });
});
