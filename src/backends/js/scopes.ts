/**
 * Split a scope string into its tokens on spaces only (RFC 6749 §3.3: `scope-token *( SP
 * scope-token )`). A tab, line break or other whitespace stays inside its token, which then matches
 * no real scope: `"mcp:read\tmcp:admin"` is one malformed scope, not two granted ones.
 */
export function splitScopes(value: string): string[] {
  return value.split(' ').filter((s) => s.length > 0);
}

/** A scope-token as RFC 6749 §3.3 defines it: printable ASCII without space, `"` or `\`. */
export function isScopeToken(value: string): boolean {
  return SCOPE_TOKEN.test(value);
}

const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

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
