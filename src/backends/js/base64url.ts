import { isUtf8 } from 'node:buffer';

/**
 * Strict base64url (RFC 7515 §2): alphabet `A-Z a-z 0-9 - _` only, no padding, no whitespace,
 * no `+` or `/`. Returns null for anything else.
 *
 * Buffer.from alone accepts all of those: it skips characters outside its alphabets, stops at `=`
 * and takes `+` `/` too. So the input must be ASCII without `+` `/`, and the decoded length must be
 * the one the text length implies: any skipped or padding character makes it shorter. (Cheaper than
 * a regular expression over the segment; test/js/base64url.test.ts holds it to the alphabet rule.)
 */
export function decodeBase64url(segment: string): Buffer | null {
  const n = segment.length;
  if (n === 0 || n % 4 === 1) return null;
  if (segment.indexOf('+') >= 0 || segment.indexOf('/') >= 0 || Buffer.byteLength(segment, 'utf8') !== n) return null;
  if (!canonicalEnd(segment, n)) return null;
  const bytes = Buffer.from(segment, 'base64url');
  return bytes.length === (n * 3) >>> 2 ? bytes : null;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * RFC 4648 §3.5 canonical encoding: the bits of the last character past the final byte are zero.
 * Decoders skip them, so without this check one signature has 4 (or 16) spellings, and every cache
 * or list keyed by token text (the verdict cache, a revocation list) can be sidestepped.
 */
function canonicalEnd(segment: string, n: number): boolean {
  const rest = n % 4;
  if (rest === 0) return true;
  const value = ALPHABET.indexOf(segment.charAt(n - 1));
  return value >= 0 && (value & (rest === 2 ? 0x0f : 0x03)) === 0;
}

/** Whether decodeBase64url would accept `segment`. */
export function isBase64url(segment: string): boolean {
  return decodeBase64url(segment) !== null;
}

/** Strict base64url to UTF-8 text; invalid UTF-8 is refused, not replaced. */
export function decodeBase64urlText(segment: string): string | null {
  const bytes = decodeBase64url(segment);
  if (bytes === null || !isUtf8(bytes)) return null;
  return bytes.toString('utf8');
}
