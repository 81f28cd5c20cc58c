/**
 * The key publicDecrypt gets for RSAVP1 (raw-rsa-key.ts): a copy of the imported key carrying
 * `padding` when this Node honours that (the fast path on Node 24, where the documented options
 * object costs two internal exceptions per call), the documented `{ key, padding }` otherwise.
 */
import { constants, KeyObject, publicDecrypt, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/backends/keypair.js';
import { rawRsaKey } from '../../src/backends/js/raw-rsa-key.js';

const { publicKey, privateKey } = generateKeyPair('rsa', { modulusLength: 2048 });
const K = 256;
const documented = { key: publicKey, padding: constants.RSA_NO_PADDING };

describe('rawRsaKey', () => {
  it('is a separate KeyObject carrying RSA_NO_PADDING on this Node, and leaves the imported key alone', () => {
    const raw = rawRsaKey(publicKey, K);
    expect(raw).toBeInstanceOf(KeyObject);
    expect(raw).not.toBe(publicKey);
    expect((raw as unknown as { padding: number }).padding).toBe(constants.RSA_NO_PADDING);
    expect(Object.prototype.hasOwnProperty.call(publicKey, 'padding')).toBe(false);
    // The imported key still verifies PKCS#1 v1.5 signatures through crypto.verify (no padding set on it).
    const data = Buffer.from('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0');
    expect(verify('sha256', data, publicKey, sign('sha256', data, privateKey))).toBe(true);
  });

  it('recovers the same encoded message as the documented form', () => {
    const raw = rawRsaKey(publicKey, K);
    for (let i = 0; i < 20; i++) {
      const signature = sign('sha256', Buffer.from(`input ${i}`), privateKey);
      const recovered = publicDecrypt(raw, signature);
      expect(recovered.length).toBe(K);
      expect(recovered.equals(publicDecrypt(documented, signature))).toBe(true);
      expect(recovered.subarray(0, 2).equals(Buffer.from([0x00, 0x01]))).toBe(true);
    }
  });

  it('falls back to the documented form where the padding property would be ignored', () => {
    // A Node that read no padding from a KeyObject would decrypt as with the bare imported key:
    // PKCS#1 v1.5 padding, which refuses the integer 1.
    const ignoresProperty = (_key: unknown, buffer: Buffer): Buffer => publicDecrypt(publicKey, buffer);
    const raw = rawRsaKey(publicKey, K, ignoresProperty);
    expect(raw).toEqual(documented);
    expect(raw).not.toBeInstanceOf(KeyObject);
  });

  it('falls back to the documented form when the check answers wrong or throws', () => {
    expect(rawRsaKey(publicKey, K, () => Buffer.alloc(K))).toEqual(documented);
    expect(
      rawRsaKey(publicKey, K, () => {
        throw new Error('no');
      }),
    ).toEqual(documented);
  });
});
