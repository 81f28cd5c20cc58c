/**
 * Bench key material and tokens: one key per algorithm, generated at start, its JWKS entry, tokens
 * signed with it, and the two reference points every figure is compared to — the floor
 * (`crypto.verify` with the pre-imported key, one thread) and the ceiling (callback `crypto.verify`,
 * many in flight, every core).
 */
import { sign, verify, type KeyObject } from 'node:crypto';
import { p1363ToDer } from '../../src/backends/js/ecdsa-p1363.js';
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
  const label = alg === 'RS256' ? 'RS256-2048' : alg === 'ES256' ? 'ES256 (P-256)' : 'EdDSA (Ed25519)';
  return { alg, label, kid, privateKey: pair.privateKey, publicKey: pair.publicKey, jwk, hash };
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

/**
 * A token's signature as crypto.verify takes it with the bare pre-imported key: ES256's r‖s (IEEE
 * P1363, as in JWS) rewritten as DER, as the JS backend does — the documented `{ key, dsaEncoding }`
 * would cost Node 24 two internal exceptions per call (docs/api.md, Algorithms).
 */
export function verifySignature(key: BenchKey, encoded: string): Buffer {
  const raw = Buffer.from(encoded, 'base64url');
  return key.alg === 'ES256' ? (p1363ToDer(raw, 32) ?? raw) : raw;
}

/** The floor: split the token, decode the signature, one synchronous crypto.verify with the pre-imported key. */
export function floorVerify(key: BenchKey): (token: string) => boolean {
  const { hash, publicKey } = key;
  return (token) => {
    const dot = token.lastIndexOf('.');
    return verify(hash, Buffer.from(token.slice(0, dot)), publicKey, verifySignature(key, token.slice(dot + 1)));
  };
}

/** The ceiling's unit: the same verify with a callback, so it runs on the libuv thread pool. */
export function callbackVerify(key: BenchKey): (token: string) => Promise<boolean> {
  const { hash, publicKey } = key;
  return (token) =>
    new Promise((resolve, reject) => {
      const dot = token.lastIndexOf('.');
      verify(hash, Buffer.from(token.slice(0, dot)), publicKey, verifySignature(key, token.slice(dot + 1)), (error, ok) =>
        error ? reject(error) : resolve(ok),
      );
    });
}
