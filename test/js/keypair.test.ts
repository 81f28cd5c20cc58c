/**
 * generateKeyPair (src/backends/keypair.ts): key pairs re-imported from DER, so they share no lock
 * with Node's key-generation job (see the file for the deadlock this avoids). They must be ordinary,
 * working key objects of the requested kind.
 */
import { sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/backends/keypair.js';

describe('generateKeyPair', () => {
  it.each([
    ['rsa', { modulusLength: 2048 }, 'sha256', 'RSA'],
    ['ec', { namedCurve: 'P-256' }, 'sha256', 'EC'],
    ['ed25519', {}, null, 'OKP'],
  ] as const)('%s: a matching public/private pair that signs, verifies and exports as a JWK', (type, options, hash, kty) => {
    const { publicKey, privateKey } = generateKeyPair(type, options);
    expect(publicKey.type).toBe('public');
    expect(privateKey.type).toBe('private');
    expect(publicKey.asymmetricKeyType).toBe(type);
    const data = Buffer.from('signed bytes');
    const signature = sign(hash, data, privateKey);
    expect(verify(hash, data, publicKey, signature)).toBe(true);
    expect(verify(hash, Buffer.from('other bytes'), publicKey, signature)).toBe(false);
    expect((publicKey.export({ format: 'jwk' }) as { kty: string }).kty).toBe(kty);
  });

  it('honours the RSA options (modulus length, public exponent)', () => {
    const { publicKey } = generateKeyPair('rsa', { modulusLength: 3072, publicExponent: 3 });
    expect(publicKey.asymmetricKeyDetails?.modulusLength).toBe(3072);
    expect(publicKey.asymmetricKeyDetails?.publicExponent).toBe(3n);
  });
});
