/** Split a space-separated scope string (RFC 6749 §3.3) into its tokens. */
export function splitScopes(value: string): string[] {
  return value.split(/\s+/).filter((s) => s.length > 0);
}

function scopeList(value: unknown): string[] {
  if (typeof value === 'string') return splitScopes(value);
  if (Array.isArray(value)) return value.filter((s): s is string => typeof s === 'string' && s.length > 0);
  return [];
}

/**
 * Every scope a claim set grants: `scope` (string, RFC 8693/9068), `scp` (string or array, as Entra
 * issues it) and `scopes` (string or array). Duplicates removed, first-seen order kept.
 */
export function readTokenScopes(claims: Record<string, unknown>): string[] {
  const scope = typeof claims.scope === 'string' ? splitScopes(claims.scope) : [];
  return [...new Set([...scope, ...scopeList(claims.scp), ...scopeList(claims.scopes)])];
}
