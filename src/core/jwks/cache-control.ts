export interface CacheDirectives {
  /** `max-age` in seconds; null when absent or malformed. */
  maxAge: number | null;
  noStore: boolean;
  noCache: boolean;
}

export interface CacheBounds {
  /** Seconds used when the response carries no usable directive. */
  cacheDuration: number;
  minCacheDuration: number;
  maxCacheDuration: number;
}

const DELTA_SECONDS = /^\d+$/;

/** Parses the directives of a `Cache-Control` response header that matter to a JWKS client. */
export function parseCacheControl(header: string | null): CacheDirectives {
  const directives: CacheDirectives = { maxAge: null, noStore: false, noCache: false };
  if (!header) return directives;
  let maxAgeSeen = false;
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    const name = (eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase();
    let value = eq === -1 ? '' : part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (name === 'no-store') directives.noStore = true;
    else if (name === 'no-cache') directives.noCache = true;
    else if (name === 'max-age') {
      const parsed = DELTA_SECONDS.test(value) ? Number(value) : null;
      // Two different max-age values are contradictory: trust neither (RFC 9111 §4.2.1).
      if (maxAgeSeen && parsed !== directives.maxAge) directives.maxAge = null;
      else if (!maxAgeSeen) directives.maxAge = parsed;
      maxAgeSeen = true;
    }
  }
  return directives;
}

/**
 * Cache lifetime in seconds for a fetched JWKS: `max-age` (minus `Age`), or `cacheDuration` without
 * one, clamped to the bounds; `no-store`/`no-cache` mean the lower bound. `cacheDuration` is clamped
 * too: 0 ("do not cache") refetched on nearly every validation, and a large one kept a removed key
 * trusted past `maxCacheDuration`.
 */
export function cacheLifetimeSeconds(cacheControl: string | null, age: string | null, bounds: CacheBounds): number {
  const directives = parseCacheControl(cacheControl);
  if (directives.noStore || directives.noCache) return bounds.minCacheDuration;
  const ageSeconds = age !== null && DELTA_SECONDS.test(age.trim()) ? Number(age.trim()) : 0;
  const lifetime = directives.maxAge === null ? bounds.cacheDuration : Math.max(0, directives.maxAge - ageSeconds);
  return Math.min(bounds.maxCacheDuration, Math.max(bounds.minCacheDuration, lifetime));
}
