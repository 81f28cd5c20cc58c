import type { BenchAlg } from '../lib/keys.js';

export interface PeerContext {
  alg: BenchAlg;
  issuer: string;
  audience: string;
  /** The JWKS document (for local key sets). */
  jwks: { keys: readonly object[] };
  /** Full JWKS URL and the origin serving it at /.well-known/jwks.json. */
  jwksUrl: string;
  origin: string;
  /** Allow the peer's own verified-token cache where it has one (repeated-token rows). */
  cache: boolean;
}

/** Resolves true for a valid token; rejects otherwise (peers throw on invalid tokens). */
export type PeerVerify = (token: string) => Promise<boolean>;

export interface Peer {
  name: string;
  /** null when the peer cannot verify this algorithm (the table says why). */
  create(context: PeerContext): Promise<PeerVerify | { unsupported: string }>;
}
