import { describe, expect, it } from 'vitest';
import { ed25519KeyRefusal } from '../../src/backends/js/ed25519-key.js';
import { TestIssuer } from '../support/issuer.js';

const P = 2n ** 255n - 19n;
/** 32-byte little-endian encoding of y, with the sign bit of x set when asked. */
const encode = (y: bigint, sign = false): string => {
  const bytes = Buffer.from(y.toString(16).padStart(64, '0'), 'hex').reverse();
  if (sign) bytes[31] = (bytes[31] as number) | 0x80;
  return bytes.toString('base64url');
};
const le = (hex: string): bigint => BigInt(`0x${Buffer.from(hex, 'hex').reverse().toString('hex')}`);

describe('Ed25519 public keys that verify forged signatures', () => {
  it('refuses every small-order point, either sign of x (libsodium blocklist)', () => {
    const smallOrder = [0n, 1n, P - 1n, le('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05'), le('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a')];
    for (const y of smallOrder) {
      for (const sign of [false, true]) expect(ed25519KeyRefusal(encode(y, sign)), `${y.toString(16)} ${sign}`).toMatch(/small-order/);
    }
  });

  it('refuses a y that is not reduced mod p', () => {
    for (const y of [P, P + 1n, P + 18n, 2n ** 255n - 1n]) expect(ed25519KeyRefusal(encode(y)), y.toString(16)).toMatch(/non-canonical/);
  });

  it('refuses an x that is not 32 bytes of base64url; accepts genuine keys', () => {
    for (const x of [undefined, 5, '', 'AQ', `${encode(5n)}A`, encode(5n).replace(/.$/, '=')]) expect(ed25519KeyRefusal(x), String(x)).toMatch(/32 bytes/);
    expect(ed25519KeyRefusal(new TestIssuer().jwk('ed25519').x)).toBeNull();
  });
});
