import { verify } from 'node:crypto';
import type { JwksSnapshot, ValidationRequest, Verdict } from '../types.js';
import { checkClaims } from './claims.js';
import { keyringFor, type KeyLookup, type VerifyTarget } from './keyring.js';
import { checkSignatureSegment, decodeSignature, isVerdict, parseToken, type ParsedToken } from './token.js';
import { GopherAuthError } from '../codes.js';
import { keyMiss, reject, signatureFailed } from './verdicts.js';

/** Everything up to the signature math: parse, then find the keys that may verify it. */
type Prepared = { parsed: ParsedToken; signature: Buffer; targets: readonly VerifyTarget[]; exact: boolean };

function prepare(token: string, request: ValidationRequest, snapshot: JwksSnapshot | null): Prepared | Verdict {
  const parsed = parseToken(token, request);
  if (isVerdict(parsed)) return parsed;
  const signature = decodeSignature(parsed);
  if (!Buffer.isBuffer(signature)) return signature;
  const found = findKeys(parsed, snapshot);
  if (isVerdict(found)) return found;
  return { parsed, signature, targets: found.targets, exact: found.exact };
}

function findKeys(parsed: ParsedToken, snapshot: JwksSnapshot | null): Extract<KeyLookup, { kind: 'found' }> | Verdict {
  if (snapshot === null) return keyMiss(parsed.kid);
  const lookup = keyringFor(snapshot).lookup(parsed.alg, parsed.kid);
  if (lookup.kind === 'miss') return keyMiss(parsed.kid);
  if (lookup.kind === 'refused') return reject(GopherAuthError.INVALID_KEY, lookup.reason);
  return lookup;
}

function signatureVerdict(parsed: ParsedToken): Verdict {
  // Without a kid every usable key is tried; the native library words that failure differently.
  return parsed.kid === null ? signatureFailed('No key could verify the JWT signature') : signatureFailed();
}

function verifyOne(target: VerifyTarget, signingInput: string, signature: Buffer): boolean {
  if (target.signatureLength !== null && signature.length !== target.signatureLength) return false;
  if (target.verifier !== null) return target.verifier.verify(signingInput, signature);
  try {
    return verify(target.hash, Buffer.from(signingInput, 'latin1'), target.key, signature);
  } catch {
    return false;
  }
}

function verifiedByAny(targets: readonly VerifyTarget[], signingInput: string, signature: Buffer): boolean {
  for (const target of targets) if (verifyOne(target, signingInput, signature)) return true;
  return false;
}

function verifyOneAsync(target: VerifyTarget, data: Buffer, signature: Buffer): Promise<boolean> {
  if (target.signatureLength !== null && signature.length !== target.signatureLength) return Promise.resolve(false);
  return new Promise((resolve) => {
    try {
      // The callback form runs on the libuv thread pool, so concurrent validations use every core.
      verify(target.hash, data, target.key, signature, (error, ok) => resolve(!error && ok));
    } catch {
      resolve(false);
    }
  });
}

export function validateSync(token: string, request: ValidationRequest, snapshot: JwksSnapshot | null): Verdict {
  const prepared = prepare(token, request, snapshot);
  if (isVerdict(prepared)) return prepared;
  const { parsed, signature, targets } = prepared;
  if (!verifiedByAny(targets, parsed.signingInput, signature)) return signatureVerdict(parsed);
  return checkClaims(parsed, request);
}

/**
 * The signature verified on the libuv thread pool (callback `crypto.verify`): where no verify
 * worker is available (see verify-pool.ts). Parsing runs here first.
 */
export function validateOnLibuvPool(token: string, request: ValidationRequest, snapshot: JwksSnapshot | null): Promise<Verdict> {
  const prepared = prepare(token, request, snapshot);
  if (isVerdict(prepared)) return Promise.resolve(prepared);
  return offload(prepared, request);
}

async function offload({ parsed, signature, targets }: Prepared, request: ValidationRequest): Promise<Verdict> {
  const data = Buffer.from(parsed.signingInput, 'latin1');
  let verified = false;
  for (const target of targets) {
    verified = await verifyOneAsync(target, data, signature);
    if (verified) break;
  }
  return verified ? checkClaims(parsed, request) : signatureVerdict(parsed);
}

/**
 * The JS refusal of a token refused before its key and signature matter — framing, encoding,
 * header, duplicate names, missing or unusable sub/iss/exp — or null. For a token another backend
 * (native) refused: its lenient decoder and textual parser report such tokens as a bad signature or
 * an expired or foreign token, and the JS reason is the one the check order gives.
 */
export function structuralRefusal(token: string, request: ValidationRequest): Verdict | null {
  const parsed = parseToken(token, request);
  if (isVerdict(parsed)) return parsed;
  return checkSignatureSegment(parsed) ?? null;
}

/**
 * Re-check a token another backend (native) accepted: every JS rule except the signature math —
 * structure, header, duplicate/nested claims, key compatibility and strength in `snapshot`, and all
 * claim checks. Returns the JS verdict; a keyMiss here means the snapshot holds no usable key.
 * The signature is verified as well only when the token does not name exactly one key.
 */
export function recheckAccepted(token: string, request: ValidationRequest, snapshot: JwksSnapshot | null): Verdict {
  // The same steps and order as prepare(), but the signature segment is only checked, not decoded.
  const parsed = parseToken(token, request);
  if (isVerdict(parsed)) return parsed;
  const undecodable = checkSignatureSegment(parsed);
  if (undecodable) return undecodable;
  const found = findKeys(parsed, snapshot);
  if (isVerdict(found)) return found;
  // Without a kid (or with a kid several keys share) the key the other backend used is unknown: it
  // may have been one this backend refuses (weak, wrong alg), so the signature is checked here too.
  // Likewise when the native library may have read another kid or alg than this parse (a nested
  // "kid" first, say): then it verified with a key or hash nobody vetted.
  if (!found.exact || !parsed.plainHeader) return validateSync(token, request, snapshot);
  return checkClaims(parsed, request);
}
