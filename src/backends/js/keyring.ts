import { createPublicKey, type KeyObject } from 'node:crypto';
import type { Jwk, JwksSnapshot } from '../types.js';
import { MIN_RSA_BITS, algorithmSpec, type AlgorithmSpec } from './algorithms.js';
import { ecdsaVerifier } from './ecdsa-p1363.js';
import { pkcs1Verifier } from './rsa-pkcs1.js';
import type { SignatureVerifier } from './signature-verifier.js';
import { ed25519KeyRefusal } from './ed25519-key.js';

const MIN_RSA_EXPONENT = 65537n;
/** FIPS 186-5 §5.4: 2^16 < e < 2^256. A ~3,000-bit e made one verification cost ~7 ms. */
const MAX_RSA_EXPONENT = 2n ** 256n;
/** Larger moduli cost quadratically more per verification; real keys are 2048–4096 bits. */
export const MAX_RSA_BITS = 8192;
/**
 * Keys tried for one token when its kid names several keys, or it names none. A hostile or bloated
 * key set (thousands of keys) would otherwise cost one verification each, on the calling thread.
 */
export const MAX_CANDIDATE_KEYS = 8;

/** What crypto.verify needs for one (key, alg) pair, and the backend's own verification where it has one. */
export interface VerifyTarget {
  hash: string | null;
  /** For crypto.verify with the JWS signature as it comes (the libuv-pool path, and where `verifier` is null). */
  key: KeyObject | { key: KeyObject; padding?: number; saltLength?: number; dsaEncoding?: 'ieee-p1363' };
  /**
   * The synchronous path's own verification where it has one: RS* by encode-and-compare
   * (rsa-pkcs1.ts), ES* with the signature as DER and the bare key (ecdsa-p1363.ts).
   */
  verifier: SignatureVerifier | null;
  /**
   * The only signature length this key can produce, where the math does not insist on it itself:
   * RSA's is the modulus length (RFC 8017 §8.1.2 and §8.2.2, step 1); OpenSSL's PSS verify accepts
   * a signature one byte short, which gave PS* tokens a second spelling.
   */
  signatureLength: number | null;
}

export type KeyLookup =
  /** `exact`: exactly one key carries this kid, so the key another backend used is known. */
  | { kind: 'found'; targets: readonly VerifyTarget[]; exact: boolean }
  /** No key with this kid (or, without a kid, no key usable for the alg): the key set may be stale. */
  | { kind: 'miss' }
  /** A key with this kid exists but must not verify this alg. */
  | { kind: 'refused'; reason: string };

const MISS: KeyLookup = Object.freeze({ kind: 'miss' });

interface KeyEntry {
  readonly jwk: Jwk;
  readonly kid: string | null;
  imported?: { key: KeyObject } | { error: string };
  /** Per alg: a target, or the reason the key refuses that alg. */
  readonly perAlg: Map<string, VerifyTarget | string>;
}

/** The keys of one JWKS snapshot, imported lazily and cached for the snapshot's lifetime. */
export class Keyring {
  readonly version: number;
  readonly #entries: KeyEntry[];
  readonly #byKid = new Map<string, KeyEntry[]>();
  /**
   * Per kid (null: a token naming none), per alg: the lookup, made once (arrays and an object per
   * token otherwise). Bounded: kids come from the key set and algs are checked as supported first.
   */
  readonly #lookups = new Map<string | null, Map<string, KeyLookup>>();

  constructor(snapshot: JwksSnapshot) {
    this.version = snapshot.version;
    this.#entries = snapshot.keys.map((jwk) => ({
      jwk,
      kid: typeof jwk.kid === 'string' ? jwk.kid : null,
      perAlg: new Map(),
    }));
    for (const entry of this.#entries) {
      if (entry.kid === null) continue;
      const list = this.#byKid.get(entry.kid);
      if (list) list.push(entry);
      else this.#byKid.set(entry.kid, [entry]);
    }
  }

  /** Keys that may verify `alg`: those with `kid`, or every usable key when the token names none. */
  lookup(alg: string, kid: string | null): KeyLookup {
    if (kid !== null && !this.#byKid.has(kid)) return MISS;
    let perAlg = this.#lookups.get(kid);
    if (perAlg === undefined) {
      perAlg = new Map();
      this.#lookups.set(kid, perAlg);
    }
    let cached = perAlg.get(alg);
    if (cached === undefined) {
      cached = kid === null ? this.#anyKey(alg) : this.#keysWithKid(this.#byKid.get(kid) as KeyEntry[], alg);
      perAlg.set(alg, cached);
    }
    return cached;
  }

  #anyKey(alg: string): KeyLookup {
    const targets: VerifyTarget[] = [];
    for (const entry of this.#entries) {
      const target = this.#target(entry, alg);
      if (isTarget(target) && targets.push(target) === MAX_CANDIDATE_KEYS) break;
    }
    return targets.length > 0 ? { kind: 'found', targets, exact: false } : MISS;
  }

  #keysWithKid(entries: readonly KeyEntry[], alg: string): KeyLookup {
    const results = entries.slice(0, MAX_CANDIDATE_KEYS).map((e) => this.#target(e, alg));
    const targets = results.filter(isTarget);
    if (targets.length > 0) return { kind: 'found', targets, exact: entries.length === 1 };
    return { kind: 'refused', reason: results[0] as string };
  }

  /** Whether the key at `index` of the snapshot passes every key rule for `alg` (type, use, size, …). */
  accepts(index: number, alg: string): boolean {
    const entry = this.#entries[index];
    return entry !== undefined && isTarget(this.#target(entry, alg));
  }

  #target(entry: KeyEntry, alg: string): VerifyTarget | string {
    let result = entry.perAlg.get(alg);
    if (result === undefined) {
      result = this.#evaluate(entry, alg);
      entry.perAlg.set(alg, result);
    }
    return result;
  }

  #evaluate(entry: KeyEntry, alg: string): VerifyTarget | string {
    const spec = algorithmSpec(alg);
    const name = entry.kid === null ? 'without kid' : entry.kid;
    if (!spec) return `Unsupported algorithm: ${alg}`;
    const refusal = policyRefusal(entry.jwk, alg, spec);
    if (refusal) return `Key ${name} cannot verify ${alg}: ${refusal}`;
    if (spec.kty === 'OKP') {
      const unsafe = ed25519KeyRefusal(entry.jwk.x);
      if (unsafe) return `Key ${name} is unusable: ${unsafe}`;
    }
    if (!entry.imported) entry.imported = importJwk(entry.jwk);
    if ('error' in entry.imported) return `Key ${name} is unusable: ${entry.imported.error}`;
    const key = entry.imported.key;
    let verifier: SignatureVerifier | null = null;
    let signatureLength: number | null = null;
    if (spec.kty === 'RSA') {
      const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
      if (bits < MIN_RSA_BITS) return `Key ${name} is too weak: RSA ${bits} bits, at least ${MIN_RSA_BITS} required`;
      if (bits > MAX_RSA_BITS) return `Key ${name} is too large: RSA ${bits} bits, at most ${MAX_RSA_BITS} accepted`;
      // e = 1 makes any PKCS#1-padded digest its own signature; FIPS 186-5 asks for 65537 <= e < 2^256.
      const e = key.asymmetricKeyDetails?.publicExponent ?? 0n;
      if (e < MIN_RSA_EXPONENT || e >= MAX_RSA_EXPONENT || (e & 1n) === 0n) {
        return `Key ${name} has an unsafe RSA public exponent ${e < MAX_RSA_EXPONENT ? String(e) : `of ${e.toString(2).length} bits`}`;
      }
      // OpenSSL verifies nothing with such a key (RSA_MAX_PUBEXP_BITS above RSA_SMALL_MODULUS_BITS):
      // refused as a key, not blamed on every token's signature.
      if (bits > 3072 && e >= 2n ** 64n) {
        return `Key ${name} is unusable: an RSA public exponent over 64 bits needs a modulus of at most 3072 bits`;
      }
      signatureLength = Math.ceil(bits / 8);
      if (alg.startsWith('RS') && spec.hash !== null) verifier = pkcs1Verifier(key, bits, spec.hash);
    }
    if (spec.p1363Size !== undefined && spec.hash !== null) verifier = ecdsaVerifier(key, spec.hash, spec.p1363Size);
    const hasOptions = Object.keys(spec.verifyOptions).length > 0;
    return { hash: spec.hash, key: hasOptions ? { key, ...spec.verifyOptions } : key, verifier, signatureLength };
  }
}

function isTarget(value: VerifyTarget | string): value is VerifyTarget {
  return typeof value !== 'string';
}

/** Why the JWK's own members forbid this alg, or null when they allow it. */
function policyRefusal(jwk: Jwk, alg: string, spec: AlgorithmSpec): string | null {
  if (jwk.kty !== spec.kty) return `key type ${describe(jwk.kty)}`;
  if (spec.crv !== undefined && jwk.crv !== spec.crv) return `curve ${describe(jwk.crv)}`;
  if (jwk.alg !== undefined && jwk.alg !== alg) return `key is for ${describe(jwk.alg)}`;
  if (jwk.use !== undefined && jwk.use !== 'sig') return `key use is ${describe(jwk.use)}`;
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify'))) {
    return 'key_ops does not allow verify';
  }
  return null;
}

/** A JWK member for a message. String() would throw on JSON like {"toString":1}. */
function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return typeof value;
  }
}

const PUBLIC_MEMBERS: Record<string, readonly string[]> = {
  RSA: ['kty', 'n', 'e'],
  EC: ['kty', 'crv', 'x', 'y'],
  OKP: ['kty', 'crv', 'x'],
};

function importJwk(jwk: Jwk): { key: KeyObject } | { error: string } {
  const members = PUBLIC_MEMBERS[jwk.kty];
  if (!members) return { error: `key type ${describe(jwk.kty)}` };
  // Import only the public members: a JWK that also carries private parts must not become a private key.
  const pub: Record<string, unknown> = {};
  for (const m of members) pub[m] = jwk[m];
  try {
    const key = createPublicKey({ key: pub as import('node:crypto').JsonWebKey, format: 'jwk' });
    return { key };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

const keyrings = new WeakMap<JwksSnapshot, Keyring>();

/** The (cached) keyring of a snapshot; shared by every client and by the re-check. */
export function keyringFor(snapshot: JwksSnapshot): Keyring {
  let ring = keyrings.get(snapshot);
  if (!ring) {
    ring = new Keyring(snapshot);
    keyrings.set(snapshot, ring);
  }
  return ring;
}
