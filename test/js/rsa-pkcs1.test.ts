/**
 * The RS* fast path (encode-and-compare, rsa-pkcs1.ts) against crypto.verify as the reference, on
 * valid, tampered and deliberately crafted signatures: both must agree on every one.
 */
import { constants, createHash, privateEncrypt, sign, verify, type KeyObject } from 'node:crypto';
import { generateKeyPair } from '../../src/backends/keypair.js';
import { describe, expect, it } from 'vitest';
import { pkcs1Verifier } from '../../src/backends/js/rsa-pkcs1.js';

const pairs = [2048, 3072, 2056].map((bits) => ({ bits, ...generateKeyPair('rsa', { modulusLength: bits }) }));
const HASHES = ['sha256', 'sha384', 'sha512'] as const;
const PREFIX: Record<string, string> = {
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
};

/** Signs an arbitrary encoded message EM (raw RSA with the private key). */
function rawSign(privateKey: KeyObject, em: Buffer): Buffer {
  return privateEncrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, em);
}

/** EMSA-PKCS1-v1_5 with a chosen DigestInfo, padding byte and separator, for crafted signatures. */
function encode(k: number, digestInfo: Buffer, { pad = 0xff, lead = [0x00, 0x01], sep = 0x00 } = {}): Buffer {
  const em = Buffer.alloc(k, pad);
  em[0] = lead[0] as number;
  em[1] = lead[1] as number;
  em[k - digestInfo.length - 1] = sep;
  digestInfo.copy(em, k - digestInfo.length);
  return em;
}

describe('RSASSA-PKCS1-v1_5 by encode-and-compare', () => {
  for (const { bits, publicKey, privateKey } of pairs) {
    for (const hash of HASHES) {
      it(`agrees with crypto.verify: RSA-${bits}, ${hash}`, () => {
        const verifier = pkcs1Verifier(publicKey, bits, hash);
        expect(verifier).not.toBeNull();
        const k = Math.ceil(bits / 8);
        const input = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0';
        const digest = createHash(hash).update(input).digest();
        const info = Buffer.concat([Buffer.from(PREFIX[hash] as string, 'hex'), digest]);
        const good = sign(hash, Buffer.from(input), privateKey);
        const otherHash = hash === 'sha256' ? 'sha384' : 'sha256';
        const noNullParams = Buffer.concat([Buffer.from((PREFIX[hash] as string).replace(/^30(..)300d(.*)0500/, (_m, len: string, oid: string) => `30${(parseInt(len, 16) - 2).toString(16).padStart(2, '0')}300b${oid}`), 'hex'), digest]);
        const cases: [string, Buffer, string][] = [
          ['valid', good, input],
          ['other input', good, `${input}x`],
          ['one bit flipped', Buffer.from(good.map((b, i) => (i === k - 1 ? b ^ 1 : b))), input],
          ['signed over another hash', sign(otherHash, Buffer.from(input), privateKey), input],
          ['one byte short', good.subarray(1), input],
          ['one byte long', Buffer.concat([Buffer.alloc(1), good]), input],
          ['all zero', Buffer.alloc(k), input],
          ['all 0xff (>= n)', Buffer.alloc(k, 0xff), input],
          ['crafted: exact encoding', rawSign(privateKey, encode(k, info)), input],
          ['crafted: padding byte not 0xff', rawSign(privateKey, encode(k, info, { pad: 0xfe })), input],
          ['crafted: block type 2', rawSign(privateKey, encode(k, info, { lead: [0x00, 0x02] })), input],
          ['crafted: no separator', rawSign(privateKey, encode(k, info, { sep: 0xff })), input],
          ['crafted: DigestInfo without NULL parameters', rawSign(privateKey, encode(k, noNullParams)), input],
          ['crafted: digest only, no DigestInfo', rawSign(privateKey, encode(k, digest)), input],
        ];
        const answers = cases.map(([name, signature, data]) => [name, verifier!.verify(data, signature)]);
        const reference = cases.map(([name, signature, data]) => {
          let ok = false;
          try {
            ok = verify(hash, Buffer.from(data), publicKey, signature);
          } catch {
            ok = false;
          }
          return [name, ok];
        });
        expect(answers).toEqual(reference);
        expect(answers.filter(([, ok]) => ok).map(([name]) => name)).toEqual(['valid', 'crafted: exact encoding']);
      });
    }
  }

  it('declines hashes it has no DigestInfo for', () => {
    const { publicKey } = pairs[0]!;
    expect(pkcs1Verifier(publicKey, 2048, 'sha1')).toBeNull();
    expect(pkcs1Verifier(publicKey, 2048, 'md5')).toBeNull();
  });
});

describe('the keyring', () => {
  it('verifies RS* through the fast path and PS* through crypto.verify', async () => {
    const { keyringFor } = await import('../../src/backends/js/keyring.js');
    const { publicKey } = pairs[0]!;
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k' } as never;
    const ring = keyringFor({ keys: [jwk], json: '', fetchedAt: 0, version: 1 });
    for (const alg of ['RS256', 'RS384', 'RS512', 'PS256']) {
      const found = ring.lookup(alg, 'k');
      expect(found.kind, alg).toBe('found');
      const verifier = found.kind === 'found' ? found.targets[0]?.verifier : undefined;
      expect(verifier !== null, alg).toBe(alg.startsWith('RS'));
    }
  });
});
