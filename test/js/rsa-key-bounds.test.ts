/**
 * RSA key rules at their exact edges: the largest modulus accepted (MAX_RSA_BITS) against one byte
 * more, and an even public exponent in the otherwise allowed range (FIPS 186-5 wants e odd).
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { JsBackendClient, JS_ALGORITHMS } from '../../src/backends/js/index.js';
import { MAX_RSA_BITS } from '../../src/backends/js/keyring.js';
import type { Jwk, ValidationRequest } from '../../src/backends/types.js';
import { GopherAuthError } from '../../src/backends/codes.js';
import { TestIssuer, b64url } from '../support/issuer.js';

const issuer = new TestIssuer('https://issuer.test/rsa-bounds');
const request: ValidationRequest = { issuer: issuer.issuer, clockSkew: 60, algorithms: JS_ALGORITHMS };

function clientWith(keys: Jwk[]): JsBackendClient {
  const client = new JsBackendClient();
  client.setKeys({ keys, json: JSON.stringify({ keys }), fetchedAt: Date.now(), version: 1 });
  return client;
}

/** An odd modulus of exactly `bits` bits (not a real RSA modulus: only its size matters here). */
function modulus(bits: number): string {
  const bytes = randomBytes(bits / 8);
  bytes[0] = (bytes[0] ?? 0) | 0x80;
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) | 1;
  return b64url(bytes);
}

describe('RSA modulus size limit', () => {
  it(`accepts a ${MAX_RSA_BITS}-bit modulus and refuses one byte more`, () => {
    const client = clientWith([
      { kty: 'RSA', kid: 'at-limit', n: modulus(MAX_RSA_BITS), e: 'AQAB' },
      { kty: 'RSA', kid: 'over-limit', n: modulus(MAX_RSA_BITS + 8), e: 'AQAB' },
    ]);
    // At the limit the key is usable; the token was signed by another key, so only the signature fails.
    expect(client.validateSync(issuer.sign({ kid: 'at-limit' }), request)).toMatchObject({ valid: false, code: GopherAuthError.INVALID_SIGNATURE });
    expect(client.validateSync(issuer.sign({ kid: 'over-limit' }), request)).toMatchObject({
      valid: false,
      code: GopherAuthError.INVALID_KEY,
      message: `Key over-limit is too large: RSA ${MAX_RSA_BITS + 8} bits, at most ${MAX_RSA_BITS} accepted`,
    });
  });
});

describe('RSA public exponent parity', () => {
  it('refuses an even exponent in the allowed range, accepts the odd one next to it', () => {
    const n = issuer.jwk('rsa2048b').n as string;
    const client = clientWith([
      { kty: 'RSA', kid: 'e-even', n, e: b64url(Buffer.from([0x01, 0x00, 0x02])) }, // 65538
      { kty: 'RSA', kid: 'e-odd', n, e: b64url(Buffer.from([0x01, 0x00, 0x03])) }, // 65539
    ]);
    expect(client.validateSync(issuer.sign({ key: 'rsa2048b', kid: 'e-even' }), request)).toMatchObject({
      valid: false,
      code: GopherAuthError.INVALID_KEY,
      message: 'Key e-even has an unsafe RSA public exponent 65538',
    });
    // Usable key; the signature was made for e = 65537, so it does not verify.
    expect(client.validateSync(issuer.sign({ key: 'rsa2048b', kid: 'e-odd' }), request)).toMatchObject({ valid: false, code: GopherAuthError.INVALID_SIGNATURE });
  });
});

// OpenSSL verifies nothing with a key whose modulus is over 3072 bits and exponent over 64 bits:
// the key is refused by name, not every token blamed on its signature.
describe('RSA public exponents over 64 bits', () => {
  const e65 = b64url(Buffer.from('010000000000000001', 'hex')); // 2^64 + 1
  const e64 = b64url(Buffer.from('ffffffffffffffff', 'hex')); // 2^64 - 1, odd

  it('refused with a modulus over 3072 bits; usable with 3072 bits, and at 64 bits with any size', () => {
    const client = clientWith([
      { kty: 'RSA', kid: 'big-n-e65', n: modulus(3072 + 8), e: e65 },
      { kty: 'RSA', kid: 'n3072-e65', n: modulus(3072), e: e65 },
      { kty: 'RSA', kid: 'big-n-e64', n: modulus(4096), e: e64 },
    ]);
    expect(client.validateSync(issuer.sign({ kid: 'big-n-e65' }), request)).toMatchObject({
      valid: false,
      code: GopherAuthError.INVALID_KEY,
      message: 'Key big-n-e65 is unusable: an RSA public exponent over 64 bits needs a modulus of at most 3072 bits',
    });
    for (const kid of ['n3072-e65', 'big-n-e64']) {
      expect(client.validateSync(issuer.sign({ kid }), request), kid).toMatchObject({ valid: false, code: GopherAuthError.INVALID_SIGNATURE });
    }
  });
});
