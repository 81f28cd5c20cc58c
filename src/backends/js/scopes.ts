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

/** The scope claims, in the order that decides which one a token's scopes come from. */
const SCOPE_CLAIMS = ['scope', 'scp', 'scopes'] as const;

/**
 * The scopes a claim set grants, from ONE claim: the first of `scope` (a space-separated string,
 * RFC 8693 §4.2 / RFC 9068 §2.2.3), `scp` (string or array, as Entra and Okta issue it) and `scopes`
 * (string or array) that the token carries. The others are ignored, not merged: issuers fill side
 * claims from user attributes or custom mappers, and a `scopes: "mcp:admin"` next to a real `scope`
 * must not grant anything. A claim of the wrong type (`scope` as an array, `scp` as an object)
 * grants nothing. Duplicates removed, first-seen order kept.
 */
export function readTokenScopes(claims: Record<string, unknown>): string[] {
  for (const name of SCOPE_CLAIMS) {
    const value = claims[name];
    if (value === undefined) continue;
    if (name === 'scope') return typeof value === 'string' ? [...new Set(splitScopes(value))] : [];
    return [...new Set(scopeList(value))];
  }
  return [];
}
