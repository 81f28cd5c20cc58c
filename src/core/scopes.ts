import { isScopeToken, readTokenScopes, splitScopes } from '../backends/js/index.js';
import { GopherAuthError, GopherAuthException } from './errors.js';

export { isScopeToken, readTokenScopes };

function toList(scopes: unknown, side: string): string[] {
  if (typeof scopes === 'string') return splitScopes(scopes);
  if (!Array.isArray(scopes)) {
    throw new GopherAuthException(GopherAuthError.INVALID_PARAMETER, `${side} scopes must be a space-separated string or an array of strings, got ${scopes === null ? 'null' : typeof scopes}`);
  }
  return scopes.filter((s): s is string => typeof s === 'string' && s.length > 0);
}

const describeEntry = (value: unknown): string => (typeof value === 'string' ? JSON.stringify(value) : value === null ? 'null' : typeof value);

/**
 * The requirement side, checked: an entry that names no scope — not a string (a misspelt constant in
 * plain JS is `undefined`), `''` (an unset environment variable), `' '`, or not a scope-token at all
 * — would otherwise drop out or never match, and a requirement left empty passes. Only `''` and `[]`
 * are the empty requirement.
 */
function requiredList(required: unknown): string[] {
  const list = typeof required === 'string' ? splitScopes(required) : Array.isArray(required) ? (required as unknown[]) : toList(required, 'required');
  const wrong = list.findIndex((s) => typeof s !== 'string' || !isScopeToken(s));
  if (wrong >= 0) {
    throw new GopherAuthException(GopherAuthError.INVALID_PARAMETER, `required scopes must be scope-tokens (RFC 6749 §3.3); entry ${wrong} is ${describeEntry(list[wrong])}`);
  }
  if (typeof required === 'string' && required !== '' && list.length === 0) {
    throw new GopherAuthException(GopherAuthError.INVALID_PARAMETER, `required scopes ${JSON.stringify(required)} name no scope`);
  }
  return list as string[];
}

/** True when every required scope is available. Both sides: a space-separated string or an array. */
export function hasAllScopes(available: string | readonly string[], required: string | readonly string[]): boolean {
  const need = requiredList(required);
  const have = new Set(toList(available, 'available'));
  return need.every((s) => have.has(s));
}

/** True when at least one required scope is available; an empty requirement is satisfied. */
export function hasAnyScope(available: string | readonly string[], required: string | readonly string[]): boolean {
  const need = requiredList(required);
  if (need.length === 0) return true;
  const have = new Set(toList(available, 'available'));
  return need.some((s) => have.has(s));
}
