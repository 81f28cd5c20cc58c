import { keyringFor } from '../backends/js/index.js';
import type { Jwk, JwksSnapshot } from '../backends/types.js';

/**
 * The key set handed to the native library: only the RSA keys every JS key rule accepts, each as a
 * flat object of the members it needs, with kids of plain characters. The library's JWKS parser
 * reads members textually (a nested `"kid"` or `"n"` inside a key, or a brace inside a string, makes
 * it take the wrong key or the wrong modulus), and it keeps 1024-bit keys, e = 1 keys and keys
 * limited to other algorithms. Given only this, the key it uses for a kid is the key the JS re-check
 * vets for that kid. Keys left out still validate: the native answer for their kid is an invalid
 * key, which the client has the JS backend decide (GopherAuthClient#secondOpinion).
 */
export function nativeKeySetJson(snapshot: JwksSnapshot): string {
  return nativeKeySet(snapshot).json;
}

/** The snapshot as the native backend should get it: every key listed, the JSON text reduced. */
export function snapshotForNative(snapshot: JwksSnapshot): JwksSnapshot {
  return { keys: snapshot.keys, json: nativeKeySetJson(snapshot), fetchedAt: snapshot.fetchedAt, version: snapshot.version };
}

/** What the native backend gets of a snapshot, worked out once per snapshot. */
interface NativeKeySet {
  json: string;
  kidlessRefusalMayDiffer: boolean;
}
const sets = new WeakMap<JwksSnapshot, NativeKeySet>();

function nativeKeySet(snapshot: JwksSnapshot): NativeKeySet {
  let set = sets.get(snapshot);
  if (set === undefined) {
    const given = plainRsaKeys(snapshot);
    set = {
      json: JSON.stringify({ keys: given }),
      kidlessRefusalMayDiffer: given.length !== snapshot.keys.filter((jwk) => jwk.kty === 'RSA').length || given.some((jwk) => jwk.alg !== undefined),
    };
    sets.set(snapshot, set);
  }
  return set;
}

/**
 * Whether the native key set leaves out an RSA key of the snapshot, or holds one limited to an
 * algorithm. A token without a kid is tried by the library against the keys it has, for the
 * token's algorithm: its "no key could verify the signature" may then be wrong (the key was left
 * out) or not the check order's answer (JS: no key for this algorithm, -1007), and the JS backend
 * decides (native-misreads.ts).
 */
export function kidlessRefusalMayDiffer(snapshot: JwksSnapshot): boolean {
  return nativeKeySet(snapshot).kidlessRefusalMayDiffer;
}

const RSA_ALGS: ReadonlySet<string> = new Set(['RS256', 'RS384', 'RS512']);
/** Kids the re-check may match textually: no quotes, backslashes, braces, brackets or controls. */
const PLAIN_KID = /^[\x20-\x7e]{1,256}$/;
const UNSAFE_KID_CHARS = /["\\{}[\]]/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export function isPlainKid(kid: string): boolean {
  return PLAIN_KID.test(kid) && !UNSAFE_KID_CHARS.test(kid);
}

function plainRsaKeys(snapshot: JwksSnapshot): Jwk[] {
  const ring = keyringFor(snapshot);
  const out: Jwk[] = [];
  snapshot.keys.forEach((jwk, index) => {
    if (jwk.kty !== 'RSA') return;
    // A kid that is not a string is no kid to the JS backend either.
    const kid = typeof jwk.kid === 'string' ? jwk.kid : null;
    if (kid !== null && !isPlainKid(kid)) return;
    if (typeof jwk.n !== 'string' || typeof jwk.e !== 'string' || !BASE64URL.test(jwk.n) || !BASE64URL.test(jwk.e)) return;
    const alg = jwk.alg === undefined ? 'RS256' : jwk.alg;
    if (typeof alg !== 'string' || !RSA_ALGS.has(alg) || !ring.accepts(index, alg)) return;
    // The kid goes last: the library takes a key's first textual "n" and "e", which a kid "n" or
    // "e" written before them would be.
    const plain: Jwk = { kty: 'RSA', use: 'sig', n: jwk.n, e: jwk.e };
    if (jwk.alg !== undefined) plain.alg = alg;
    if (kid !== null) plain.kid = kid;
    out.push(plain);
  });
  return out;
}
