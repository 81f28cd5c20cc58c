import { isVerdict, readHeader, type HeaderInfo } from './token.js';

/** The header as the JS backend reads it, when well formed (a known alg among others); else null. For picking a backend. */
export function peekHeader(token: string): HeaderInfo | null {
  const dot = token.indexOf('.');
  if (dot <= 0) return null;
  const header = readHeader(token.slice(0, dot));
  return isVerdict(header) ? null : header;
}

/** The header's `alg` when the header is well formed and names a known algorithm, else null. For picking a backend. */
export function peekHeaderAlg(token: string): string | null {
  return peekHeader(token)?.alg ?? null;
}
