import { decodeBase64urlText } from './base64url.js';

/** The header's `alg` without any validation, for picking a backend; null when unreadable. */
export function peekHeaderAlg(token: string): string | null {
  const dot = token.indexOf('.');
  if (dot <= 0) return null;
  const text = decodeBase64urlText(token.slice(0, dot));
  if (text === null) return null;
  try {
    const header: unknown = JSON.parse(text);
    const alg = header !== null && typeof header === 'object' ? (header as { alg?: unknown }).alg : undefined;
    return typeof alg === 'string' ? alg : null;
  } catch {
    return null;
  }
}
