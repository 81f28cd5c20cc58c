/**
 * Finding the bearer token: exactly one `Authorization: Bearer <token68>` header (scheme compared
 * case-insensitively). A token in the query string is refused outright, as are two Authorization
 * headers (or one holding two credentials, which is what duplicates become once joined by a comma).
 */
import { authErrors, type BearerAuthError } from './errors.js';

// RFC 7235 token68.
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

export type TokenLookup = { token: string } | { error: BearerAuthError };

/**
 * @param authorization every Authorization header value as received (undefined/empty array: none)
 * @param search the request URL's query string (with or without the leading `?`)
 */
export function extractBearerToken(authorization: readonly string[] | string | undefined, search: string): TokenLookup {
  const params = new URLSearchParams(search.startsWith('?') ? search.slice(1) : search);
  if (params.has('access_token')) return { error: authErrors.queryToken() };

  const values = authorization === undefined ? [] : typeof authorization === 'string' ? [authorization] : authorization;
  if (values.length === 0) return { error: authErrors.missingToken() };
  if (values.length > 1) return { error: authErrors.multipleCredentials(`${values.length} Authorization headers`) };

  const value = (values[0] ?? '').trim();
  if (value.includes(',')) return { error: authErrors.multipleCredentials('Authorization header holds several credentials') };
  const match = /^([^\s]+)(?:[ ]+(.*))?$/.exec(value);
  if (match === null) return { error: authErrors.malformedAuthorization('empty or unparsable Authorization header') };
  const scheme = match[1] ?? '';
  if (scheme.toLowerCase() !== 'bearer') {
    return { error: authErrors.missingToken(`Authorization scheme ${JSON.stringify(scheme.slice(0, 20))} is not Bearer`) };
  }
  const token = match[2] ?? '';
  if (token === '') return { error: authErrors.malformedAuthorization('Bearer without a token') };
  if (!TOKEN68.test(token)) return { error: authErrors.malformedAuthorization('Bearer credentials are not a single token68') };
  return { token };
}
