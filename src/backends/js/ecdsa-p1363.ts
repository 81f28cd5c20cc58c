/**
 * ES256/384/512 verification with the JWS signature (IEEE P1363: r || s, each `size` bytes) turned
 * into the DER SEQUENCE crypto.verify reads by default, so the key goes in as the bare KeyObject.
 *
 * Why not `{ key, dsaEncoding: 'ieee-p1363' }`: Node 24 (measured on 24.21.0) charges any options
 * object two internal exceptions per call (~10 µs; see raw-rsa-key.ts). The DER written here is the
 * one OpenSSL itself would write for the same r and s (minimal, as it insists), and a signature of
 * the wrong length is refused as Node refuses it; test/js/ecdsa-p1363.test.ts checks both forms agree
 * on valid, tampered and crafted signatures.
 */
import { verify, type KeyObject } from 'node:crypto';
import type { SignatureVerifier } from './signature-verifier.js';

export function ecdsaVerifier(key: KeyObject, hash: string, size: number): SignatureVerifier {
  return {
    verify(signingInput, signature) {
      const der = p1363ToDer(signature, size);
      if (der === null) return false;
      try {
        return verify(hash, Buffer.from(signingInput, 'latin1'), key, der);
      } catch {
        return false;
      }
    },
  };
}

/** DER `SEQUENCE { INTEGER r, INTEGER s }` of a P1363 signature, or null when its length is not 2 × size. */
export function p1363ToDer(signature: Buffer, size: number): Buffer | null {
  if (signature.length !== 2 * size) return null;
  const rStart = firstSignificant(signature, 0, size);
  const sStart = firstSignificant(signature, size, 2 * size);
  // A set top bit would read as negative: such an integer gets a leading zero byte.
  const rLength = size - rStart + ((signature[rStart] as number) >= 0x80 ? 1 : 0);
  const sLength = 2 * size - sStart + ((signature[sStart] as number) >= 0x80 ? 1 : 0);
  const body = 2 + rLength + 2 + sLength; // each INTEGER is at most 67 bytes: one length byte
  const header = body < 0x80 ? 2 : 3;
  const der = Buffer.allocUnsafe(header + body);
  der[0] = 0x30;
  if (header === 2) der[1] = body;
  else {
    der[1] = 0x81;
    der[2] = body;
  }
  const afterR = writeInteger(der, header, signature, rStart, size, rLength);
  writeInteger(der, afterR, signature, sStart, 2 * size, sLength);
  return der;
}

/** Index of the first non-zero byte in [start, end), or end - 1 when all are zero (the integer 0 keeps one byte). */
function firstSignificant(bytes: Buffer, start: number, end: number): number {
  let i = start;
  while (i < end - 1 && bytes[i] === 0) i++;
  return i;
}

function writeInteger(der: Buffer, at: number, source: Buffer, start: number, end: number, length: number): number {
  der[at] = 0x02;
  der[at + 1] = length;
  let i = at + 2;
  if (length > end - start) der[i++] = 0x00;
  source.copy(der, i, start, end);
  return at + 2 + length;
}
