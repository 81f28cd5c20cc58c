import { isUtf8 } from 'node:buffer';

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Strict base64url (RFC 7515 §2): alphabet `A-Z a-z 0-9 - _` only, no padding, no whitespace,
 * no `+` or `/`. Returns null for anything else (Buffer.from alone would accept all of those).
 */
export function decodeBase64url(segment: string): Buffer | null {
  return isBase64url(segment) ? Buffer.from(segment, 'base64url') : null;
}

/** Whether decodeBase64url would accept `segment`, without decoding it. */
export function isBase64url(segment: string): boolean {
  return segment.length % 4 !== 1 && BASE64URL.test(segment);
}

/** Strict base64url to UTF-8 text; invalid UTF-8 is refused, not replaced. */
export function decodeBase64urlText(segment: string): string | null {
  const bytes = decodeBase64url(segment);
  if (bytes === null || !isUtf8(bytes)) return null;
  return bytes.toString('utf8');
}
