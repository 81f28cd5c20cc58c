import { constants } from 'node:crypto';

export interface AlgorithmSpec {
  /** Digest for crypto.verify; null for EdDSA. */
  hash: string | null;
  kty: 'RSA' | 'EC' | 'OKP';
  /** Required `crv` for EC and OKP keys. */
  crv?: string;
  /** Extra key options for crypto.verify (padding, salt length, signature encoding). */
  verifyOptions: { padding?: number; saltLength?: number; dsaEncoding?: 'ieee-p1363' };
  /** ES*: bytes of r and of s in the JWS signature (IEEE P1363). */
  p1363Size?: number;
}

const pss = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
const p1363 = { dsaEncoding: 'ieee-p1363' as const };

/** Every JWS algorithm the JS backend verifies: the native set (RS*) plus PS*, ES*, EdDSA. No HS*, no none. */
export const ALGORITHMS: Readonly<Record<string, AlgorithmSpec>> = Object.freeze({
  RS256: { hash: 'sha256', kty: 'RSA', verifyOptions: {} },
  RS384: { hash: 'sha384', kty: 'RSA', verifyOptions: {} },
  RS512: { hash: 'sha512', kty: 'RSA', verifyOptions: {} },
  PS256: { hash: 'sha256', kty: 'RSA', verifyOptions: pss },
  PS384: { hash: 'sha384', kty: 'RSA', verifyOptions: pss },
  PS512: { hash: 'sha512', kty: 'RSA', verifyOptions: pss },
  ES256: { hash: 'sha256', kty: 'EC', crv: 'P-256', verifyOptions: p1363, p1363Size: 32 },
  ES384: { hash: 'sha384', kty: 'EC', crv: 'P-384', verifyOptions: p1363, p1363Size: 48 },
  ES512: { hash: 'sha512', kty: 'EC', crv: 'P-521', verifyOptions: p1363, p1363Size: 66 },
  EdDSA: { hash: null, kty: 'OKP', crv: 'Ed25519', verifyOptions: {} },
});

export const JS_ALGORITHMS: readonly string[] = Object.freeze(Object.keys(ALGORITHMS));

export function algorithmSpec(alg: string): AlgorithmSpec | undefined {
  return Object.prototype.hasOwnProperty.call(ALGORITHMS, alg) ? ALGORITHMS[alg] : undefined;
}

/** RSA moduli below this many bits are refused. */
export const MIN_RSA_BITS = 2048;
