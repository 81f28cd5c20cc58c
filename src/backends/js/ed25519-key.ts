/**
 * Ed25519 public keys that verify signatures made without any private key: the eight small-order
 * points (a JWKS publishing one lets anyone forge EdDSA tokens: R = identity, S = 0 verifies for the
 * order-1 keys and for some messages with the others; OpenSSL does not refuse them) and encodings
 * of y that are not reduced mod p. The same refusal, for the same reason, as RSA exponent 1.
 */
const P = 2n ** 255n - 19n;

/** y of every small-order point: 1 (order 1), p - 1 (order 2), 0 (order 4), and the two order-8 y. */
const SMALL_ORDER_Y = new Set<bigint>([
  0n,
  1n,
  P - 1n,
  littleEndian('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05'),
  littleEndian('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'),
]);

function littleEndian(hex: string): bigint {
  return BigInt(`0x${Buffer.from(hex, 'hex').reverse().toString('hex')}`);
}

/** Why this JWK `x` is not a usable Ed25519 key, or null when it is. */
export function ed25519KeyRefusal(x: unknown): string | null {
  if (typeof x !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(x)) return 'Ed25519 x must be 32 bytes of base64url';
  const bytes = Buffer.from(x, 'base64url');
  bytes[31] = (bytes[31] as number) & 0x7f; // the sign of x
  const y = BigInt(`0x${Buffer.from(bytes).reverse().toString('hex')}`);
  if (y >= P) return 'non-canonical Ed25519 point (y >= p)';
  if (SMALL_ORDER_Y.has(y)) return 'small-order Ed25519 point (it verifies forged signatures)';
  return null;
}
