import { isScopeToken, readTokenScopes, splitScopes } from '../backends/js/index.js';

export { isScopeToken, readTokenScopes };

function toList(scopes: string | readonly string[]): string[] {
  return typeof scopes === 'string' ? splitScopes(scopes) : scopes.filter((s) => typeof s === 'string' && s.length > 0);
}

/** True when every required scope is available. Both sides: a space-separated string or an array. */
export function hasAllScopes(available: string | readonly string[], required: string | readonly string[]): boolean {
  const have = new Set(toList(available));
  return toList(required).every((s) => have.has(s));
}

/** True when at least one required scope is available; an empty requirement is satisfied. */
export function hasAnyScope(available: string | readonly string[], required: string | readonly string[]): boolean {
  const need = toList(required);
  if (need.length === 0) return true;
  const have = new Set(toList(available));
  return need.some((s) => have.has(s));
}
