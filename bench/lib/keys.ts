/**
 * Bench key material and tokens: one key per algorithm, generated at start, its JWKS entry, tokens
 * signed with it, and the two reference points every figure is compared to — the floor
 * (`crypto.verify` with the pre-imported key, one thread) and the ceiling (callback `crypto.verify`,
 * many in flight, every core).
 */
import { sign, verify, type KeyObject, type VerifyKeyObjectInput } from 'node:crypto';
import { generateKeyPair } from '../../src/backends/keypair.js';
import type { Jwk } from '../../src/backends/types.js';

export const BENCH_ALGS = ['RS256', 'ES256', 'EdDSA'] as const;
export type BenchAlg = (typeof BENCH_ALGS)[number];

export interface BenchKey {
  alg: BenchAlg;
  /** Human label, e.g. RS256-2048. */
  label: string;
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  jwk: Jwk;
  /** Hash for crypto.sign/verify (null for EdDSA). */
  hash: string | null;
  /** Key argument for crypto.verify (ES256 signatures are IEEE P1363, as in JWS). */
  verifyKey: KeyObject | VerifyKeyObjectInput;
}

export function benchKey(alg: BenchAlg, kid = `bench-${alg.toLowerCase()}`): BenchKey {
  const pair =
    alg === 'RS256'
      ? generateKeyPair('rsa', { modulusLength: 2048 })
      : alg === 'ES256'
        ? generateKeyPair('ec', { namedCurve: 'P-256' })
        : generateKeyPair('ed25519');
  const jwk = { ...(pair.publicKey.export({ format: 'jwk' }) as Jwk), kid, alg, use: 'sig' };
  const hash = alg === 'EdDSA' ? null : 'sha256';
  const verifyKey = alg === 'ES256' ? { key: pair.publicKey, dsaEncoding: 'ieee-p1363' as const } : pair.publicKey;
  const label = alg === 'RS256' ? 'RS256-2048' : alg === 'ES256' ? 'ES256 (P-256)' : 'EdDSA (Ed25519)';
  return { alg, label, kid, privateKey: pair.privateKey, publicKey: pair.publicKey, jwk, hash, verifyKey };
}

export interface TokenClaims {
  issuer: string;
  audience: string;
  /** Seconds the tokens stay valid. Default 3600. */
  lifetime?: number;
  scope?: string;
}

/** `count` distinct tokens (different sub and jti), signed with `key`. */
export function mintTokens(key: BenchKey, claims: TokenClaims, count: number): string[] {
  const header = Buffer.from(JSON.stringify({ alg: key.alg, typ: 'JWT', kid: key.kid })).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const signKey = key.alg === 'ES256' ? { key: key.privateKey, dsaEncoding: 'ieee-p1363' as const } : key.privateKey;
  return Array.from({ length: count }, (_, i) => {
    const payload = {
      sub: `user-${i}`,
      iss: claims.issuer,
      aud: claims.audience,
      exp: now + (claims.lifetime ?? 3600),
      iat: now,
      scope: claims.scope ?? 'mcp:read mcp:write',
      client_id: 'bench-client',
      jti: `t-${i}`,
    };
    const input = `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
    return `${input}.${sign(key.hash, Buffer.from(input), signKey).toString('base64url')}`;
  });
}

/** The floor: split the token, decode the signature, one synchronous crypto.verify with the pre-imported key. */
export function floorVerify(key: BenchKey): (token: string) => boolean {
  const { hash, verifyKey } = key;
  return (token) => {
    const dot = token.lastIndexOf('.');
    return verify(hash, Buffer.from(token.slice(0, dot)), verifyKey, Buffer.from(token.slice(dot + 1), 'base64url'));
  };
}

/** The ceiling's unit: the same verify with a callback, so it runs on the libuv thread pool. */
export function callbackVerify(key: BenchKey): (token: string) => Promise<boolean> {
  const { hash, verifyKey } = key;
  return (token) =>
    new Promise((resolve, reject) => {
      const dot = token.lastIndexOf('.');
      verify(hash, Buffer.from(token.slice(0, dot)), verifyKey, Buffer.from(token.slice(dot + 1), 'base64url'), (error, ok) =>
        error ? reject(error) : resolve(ok),
      );
    });
}
