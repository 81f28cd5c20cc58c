/**
 * Hostile and malformed keys added to the vector JWKS, plus the one-off key pairs they need.
 * Every backend must survive this key set (the native library receives it whole) and refuse to
 * verify with any of these keys.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { generateKeyPair } from '../../../src/backends/keypair.js';
import type { Jwk } from '../../../src/backends/types.js';
import { TestIssuer, b64url } from '../../support/issuer.js';

let e3: { privateKey: KeyObject; publicKey: KeyObject } | null = null;

/** A genuine 2048-bit RSA key pair with public exponent 3. */
export function rsaExponent3(): { privateKey: KeyObject; publicKey: KeyObject } {
  e3 ??= generateKeyPair('rsa', { modulusLength: 2048, publicExponent: 3 });
  return e3;
}

export const OCT_SECRET = 'a-shared-secret-published-as-an-oct-jwk';

/** The Ed25519 identity point (y = 1): with it as the public key, R = identity and S = 0 verify any message. */
export const ED25519_IDENTITY = Buffer.concat([Buffer.from([1]), Buffer.alloc(31)]);

/** P-256 public point with y replaced: not on the curve. */
function offCurve(i: TestIssuer): Jwk {
  const p = i.jwk('p256');
  const y = Buffer.from(p.y as string, 'base64url');
  y[y.length - 1] = (y[y.length - 1] ?? 0) ^ 0x01;
  return { ...p, kid: 'ec-off-curve', y: b64url(y) };
}

export function adversarialKeys(i: TestIssuer): Jwk[] {
  const rsaB = i.jwk('rsa2048b');
  const p256 = i.jwk('p256');
  const e3Jwk = rsaExponent3().publicKey.export({ format: 'jwk' }) as Jwk;
  return [
    { kty: 'RSA', kid: 'rsa-e1', n: rsaB.n, e: 'AQ' },
    { ...e3Jwk, kid: 'rsa-e3' },
    { kty: 'RSA', kid: 'rsa-even-e', n: rsaB.n, e: 'AAEAAA' },
    { kty: 'RSA', kid: 'rsa-bad-n', n: '!!not-base64!!', e: 'AQAB' },
    { kty: 'RSA', kid: 'rsa-no-n', e: 'AQAB' },
    { kty: 'RSA', kid: 'rsa-n-number', n: 12345 as unknown as string, e: 'AQAB' },
    { kty: 'RSA', kid: 'rsa-tiny-n', n: 'AQ', e: 'AQAB' },
    { ...rsaB, kty: 'rsa', kid: 'kty-lowercase' },
    { ...rsaB, kid: 'use-SIG', use: 'SIG' },
    { ...rsaB, kid: 'use-object', use: { toString: 1 } as unknown as string },
    { ...rsaB, kid: 'ops-sign', key_ops: ['sign'] },
    { ...rsaB, kid: 'ps256-only', alg: 'PS256' },
    { ...rsaB, kid: 'alg-none', alg: 'none' },
    { kty: 'RSA', kid: 'x5c-only', x5c: ['MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'] },
    { ...i.jwk('rsa2048'), kid: 'dup-kid' },
    { ...rsaB, kid: 'dup-kid' },
    offCurve(i),
    { ...p256, kid: 'ec-wrong-crv', crv: 'P-384' },
    { ...p256, kid: 'ec-secp256k1', crv: 'secp256k1' },
    { kty: 'EC', kid: 'ec-missing-y', crv: 'P-256', x: p256.x },
    { kty: 'OKP', kid: 'okp-x25519', crv: 'X25519', x: (i.jwk('ed25519').x as string) },
    // Small-order Ed25519 points: the identity, and the identity written with y = p + 1.
    { kty: 'OKP', kid: 'okp-identity', crv: 'Ed25519', x: b64url(ED25519_IDENTITY) },
    { kty: 'OKP', kid: 'okp-noncanonical', crv: 'Ed25519', x: b64url(Buffer.from(`ee${'ff'.repeat(30)}7f`, 'hex')) },
    { kty: 'oct', kid: 'oct-key', k: b64url(OCT_SECRET), alg: 'HS256' },
    { kty: 'oct', kid: 'rsa2048-oct', k: b64url(createHash('sha256').update('x').digest()) },
  ];
}

/**
 * Keys listed before every other key: a 1024-bit key whose extension member holds the kid of a real
 * key ahead of its own kid. The native library's JWKS parser reads the first textual "kid" of a key.
 */
export function leadingTrapKeys(i: TestIssuer): Jwk[] {
  const { kid: _ignored, ...weak } = i.jwk('rsa1024');
  return [{ meta: { kid: 'rs256-only' }, ...weak, kid: 'legacy-1024' }];
}
