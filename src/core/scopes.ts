import { isScopeToken, readTokenScopes, splitScopes } from '../backends/js/index.js';
import { GopherAuthError, GopherAuthException } from './errors.js';

export { isScopeToken, readTokenScopes };

function toList(scopes: string | readonly string[]): string[] {
  return typeof scopes === 'string' ? splitScopes(scopes) : scopes.filter((s) => typeof s === 'string' && s.length > 0);
}

/**
 * The requirement side, checked: an entry that is not a string (a misspelt constant in plain JS is
 * `undefined`) would otherwise drop out and leave a check that passes.
 */
function requiredList(required: unknown): string[] {
  if (typeof required !== 'string' && !Array.isArray(required)) {
    throw new GopherAuthException(GopherAuthError.INVALID_PARAMETER, `required scopes must be a space-separated string or an array of strings, got ${required === null ? 'null' : typeof required}`);
  }
  const wrong = typeof required === 'string' ? -1 : required.findIndex((s) => typeof s !== 'string');
  if (wrong >= 0) {
    throw new GopherAuthException(GopherAuthError.INVALID_PARAMETER, `required scopes must be strings; entry ${wrong} is ${(required as unknown[])[wrong] === null ? 'null' : typeof (required as unknown[])[wrong]}`);
  }
  return toList(required as string | readonly string[]);
}

/** True when every required scope is available. Both sides: a space-separated string or an array. */
export function hasAllScopes(available: string | readonly string[], required: string | readonly string[]): boolean {
  const need = requiredList(required);
  const have = new Set(toList(available));
  return need.every((s) => have.has(s));
}

/** True when at least one required scope is available; an empty requirement is satisfied. */
export function hasAnyScope(available: string | readonly string[], required: string | readonly string[]): boolean {
  const need = requiredList(required);
  if (need.length === 0) return true;
  const have = new Set(toList(available));
  return need.some((s) => have.has(s));
}
