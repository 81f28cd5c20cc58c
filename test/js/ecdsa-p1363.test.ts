/**
 * ES* verification with the JWS signature turned into DER (ecdsa-p1363.ts) against crypto.verify
 * with `dsaEncoding: 'ieee-p1363'` as the reference: both must agree on valid, tampered and crafted
 * signatures, on every curve.
 */
import { randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/backends/keypair.js';
import { ecdsaVerifier, p1363ToDer } from '../../src/backends/js/ecdsa-p1363.js';

const CURVES = [
  { alg: 'ES256', curve: 'P-256', hash: 'sha256', size: 32 },
  { alg: 'ES384', curve: 'P-384', hash: 'sha384', size: 48 },
  { alg: 'ES512', curve: 'P-521', hash: 'sha512', size: 66 },
] as const;
const P256_ORDER = BigInt('0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551');

const toBytes = (value: bigint, size: number): Buffer => Buffer.from(value.toString(16).padStart(2 * size, '0'), 'hex');
const reference = (hash: string, input: string, key: KeyObject, signature: Buffer): boolean => {
  try {
    return verify(hash, Buffer.from(input, 'latin1'), { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
};

describe('ES* by DER conversion', () => {
  for (const { alg, curve, hash, size } of CURVES) {
    const { publicKey, privateKey } = generateKeyPair('ec', { namedCurve: curve });
    const verifier = ecdsaVerifier(publicKey, hash, size);
    const agree = (input: string, signature: Buffer): boolean => {
      const ours = verifier.verify(input, signature);
      expect(ours, `${alg} ${signature.toString('hex')}`).toBe(reference(hash, input, publicKey, signature));
      return ours;
    };

    it(`accepts what crypto.verify accepts: ${alg}, 300 signatures (leading zeros and high bits included)`, () => {
      let leadingZero = 0;
      let highBit = 0;
      for (let i = 0; i < 300; i++) {
        const input = `eyJhbGciOiJ${alg}In0.${randomBytes(24).toString('base64url')}`;
        const signature = sign(hash, Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
        expect(agree(input, signature)).toBe(true);
        if (signature[0] === 0 || signature[size] === 0) leadingZero++;
        if ((signature[0] as number) >= 0x80 || (signature[size] as number) >= 0x80) highBit++;
      }
      // Both DER special cases occurred (P-521's top byte is always 0 or 1; P-256/384 set the top bit half the time).
      expect(leadingZero + highBit).toBeGreaterThan(0);
    });

    it(`refuses what crypto.verify refuses: ${alg}, tampered, wrong lengths, zero and out-of-range parts`, () => {
      const input = `eyJhbGciOiJ${alg}In0.eyJzdWIiOiJ1In0`;
      const good = sign(hash, Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
      const flip = (at: number): Buffer => {
        const copy = Buffer.from(good);
        copy[at] = (copy[at] as number) ^ 0x01;
        return copy;
      };
      const zero = Buffer.alloc(size);
      const ones = Buffer.alloc(size, 0xff);
      const r = good.subarray(0, size);
      const s = good.subarray(size);
      const crafted = [
        flip(0), flip(size - 1), flip(size), flip(2 * size - 1),
        good.subarray(0, 2 * size - 1), Buffer.concat([good, Buffer.from([0])]), Buffer.concat([Buffer.from([0]), good]), Buffer.alloc(0),
        Buffer.concat([zero, s]), Buffer.concat([r, zero]), Buffer.alloc(2 * size),
        Buffer.concat([ones, s]), Buffer.concat([r, ones]), Buffer.alloc(2 * size, 0xff),
        sign(hash, Buffer.from(input), privateKey), // the same signature in DER
      ];
      for (const signature of crafted) expect(agree(input, signature)).toBe(false);
      expect(agree(`${input}x`, good)).toBe(false);
    });
  }

  it('agrees on the order itself and on the high-s twin of a signature (P-256)', () => {
    const { publicKey, privateKey } = generateKeyPair('ec', { namedCurve: 'P-256' });
    const verifier = ecdsaVerifier(publicKey, 'sha256', 32);
    const input = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1In0';
    const good = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
    const r = good.subarray(0, 32);
    const s = BigInt(`0x${good.subarray(32).toString('hex')}`);
    const cases = [
      Buffer.concat([toBytes(P256_ORDER, 32), good.subarray(32)]),
      Buffer.concat([r, toBytes(P256_ORDER, 32)]),
      Buffer.concat([r, toBytes(P256_ORDER - s, 32)]), // ECDSA's malleable twin: valid for both, as OpenSSL accepts it
    ];
    for (const signature of cases) {
      expect(verifier.verify(input, signature)).toBe(reference('sha256', input, publicKey, signature));
    }
    expect(verifier.verify(input, cases[2] as Buffer)).toBe(true);
  });

  it('writes minimal DER: short and long forms, leading zero for a set top bit, zero kept as one byte', () => {
    const one = Buffer.concat([toBytes(1n, 32), toBytes(1n, 32)]);
    expect(p1363ToDer(one, 32)?.toString('hex')).toBe('3006020101020101');
    const high = Buffer.concat([Buffer.from([0x80]), Buffer.alloc(31), Buffer.alloc(32)]);
    expect(p1363ToDer(high, 32)?.toString('hex')).toBe(`302602210080${'00'.repeat(31)}020100`);
    const wide = Buffer.alloc(132, 0x01);
    const der = p1363ToDer(wide, 66) as Buffer;
    expect(der.subarray(0, 5).toString('hex')).toBe('3081880242');
    expect(der.length).toBe(3 + 2 * (2 + 66));
    expect(p1363ToDer(Buffer.alloc(63), 32)).toBeNull();
  });

  it('is what the keyring uses for ES* (and only there: EdDSA and PS* go through crypto.verify)', async () => {
    const { keyringFor } = await import('../../src/backends/js/keyring.js');
    for (const { alg, curve } of CURVES) {
      const { publicKey } = generateKeyPair('ec', { namedCurve: curve });
      const ring = keyringFor({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'e' } as never], json: '', fetchedAt: 0, version: 1 });
      const found = ring.lookup(alg, 'e');
      expect(found.kind === 'found' && found.targets[0]?.verifier !== null, alg).toBe(true);
    }
    const ed = generateKeyPair('ed25519').publicKey;
    const edRing = keyringFor({ keys: [{ ...ed.export({ format: 'jwk' }), kid: 'd' } as never], json: '', fetchedAt: 0, version: 1 });
    const found = edRing.lookup('EdDSA', 'd');
    expect(found.kind === 'found' && found.targets[0]?.verifier).toBe(null);
  });
});
