/**
 * WWW-Authenticate challenge builders (RFC 7235 syntax, RFC 6750 Bearer parameters, RFC 9728
 * `resource_metadata`). Every value is a quoted-string with `"` and `\` escaped; control characters
 * and non-ASCII are refused with a GopherAuthException, so a caller can never inject a header.
 */
import { GopherAuthError, GopherAuthException } from './errors.js';
import { isScopeToken } from './scopes.js';

export interface ChallengeParameter {
  name: string;
  /** Omitted from the challenge when undefined, null or empty. */
  value: string | null | undefined;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Anything outside visible ASCII and space: C0 controls (CR, LF, NUL, TAB...), DEL, non-ASCII.
const UNSAFE = /[^\x20-\x7E]/;

function refuse(message: string): never {
  throw new GopherAuthException(GopherAuthError.INVALID_PARAMETER, message);
}

/** RFC 7230 quoted-string of `value`; refuses characters a header must not carry. */
export function quoteHeaderValue(value: string, what = 'value'): string {
  if (typeof value !== 'string') refuse(`WWW-Authenticate ${what} must be a string`);
  if (UNSAFE.test(value)) {
    refuse(`WWW-Authenticate ${what} contains a control or non-ASCII character`);
  }
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** `Scheme a="x", b="y"`; parameters with an empty value are left out. */
export function buildChallenge(scheme: string, parameters: readonly ChallengeParameter[]): string {
  if (typeof scheme !== 'string' || !TOKEN.test(scheme)) refuse('WWW-Authenticate scheme must be a token');
  const parts: string[] = [];
  for (const { name, value } of parameters) {
    if (typeof name !== 'string' || !TOKEN.test(name)) refuse('WWW-Authenticate parameter name must be a token');
    if (value === undefined || value === null || value === '') continue;
    parts.push(`${name}=${quoteHeaderValue(value, name)}`);
  }
  return parts.length === 0 ? scheme : `${scheme} ${parts.join(', ')}`;
}

/** RFC 6750 §3: error_description is %x20-21 / %x23-5B / %x5D-7E — no `"` and no `\`, not even escaped. */
function checkDescription(description: string | null | undefined): void {
  if (description === undefined || description === null) return;
  if (typeof description !== 'string') refuse('WWW-Authenticate error_description must be a string');
  if (/["\\]/.test(description)) refuse('WWW-Authenticate error_description must not contain " or \\ (RFC 6750 §3)');
}

/** RFC 9728 §5.1: the metadata's absolute http(s) URL. */
function checkResourceMetadata(value: unknown): void {
  if (typeof value !== 'string' || value === '') refuse('resourceMetadata is required');
  let url: URL | null = null;
  try {
    url = new URL(value);
  } catch {
    url = null;
  }
  if (url === null || (url.protocol !== 'https:' && url.protocol !== 'http:')) refuse('resourceMetadata must be an absolute http(s) URL');
}

function checkErrorCode(error: string | null | undefined): void {
  if (error === undefined || error === null || error === '') return;
  if (typeof error !== 'string' || !TOKEN.test(error)) refuse('WWW-Authenticate error must be a token such as invalid_token');
}

/** Space-joined scope list; each scope must be a scope-token (no spaces, quotes or backslashes). */
export function formatScopes(scopes: readonly string[] | string | null | undefined): string {
  if (scopes === undefined || scopes === null) return '';
  const list = typeof scopes === 'string' ? scopes.split(' ') : [...scopes];
  const kept: string[] = [];
  for (const scope of list) {
    if (typeof scope !== 'string') refuse('scopes must be strings');
    if (scope === '') continue;
    if (!isScopeToken(scope)) refuse('a scope contains a space, quote, backslash or control character');
    if (!kept.includes(scope)) kept.push(scope);
  }
  return kept.join(' ');
}

/** RFC 6750 challenge: `Bearer realm="…", error="…", error_description="…"`. */
export function gopherGenerateWwwAuthenticateHeader(realm: string, error?: string | null, description?: string | null): string {
  checkErrorCode(error);
  checkDescription(description);
  return buildChallenge('Bearer', [
    { name: 'realm', value: realm },
    { name: 'error', value: error },
    { name: 'error_description', value: description },
  ]);
}

export interface WwwAuthenticateV2Params {
  realm?: string | null;
  /** Absolute URL of the RFC 9728 protected-resource metadata document. */
  resourceMetadata: string;
  scopes?: readonly string[] | string | null;
  error?: string | null;
  errorDescription?: string | null;
}

/**
 * RFC 9728 challenge:
 * `Bearer realm="…", error="…", error_description="…", scope="…", resource_metadata="…"`.
 */
export function gopherGenerateWwwAuthenticateHeaderV2(params: WwwAuthenticateV2Params): string {
  if (params === null || typeof params !== 'object') refuse('parameters object required');
  const { realm, resourceMetadata, scopes, error, errorDescription } = params;
  checkResourceMetadata(resourceMetadata);
  checkErrorCode(error);
  checkDescription(errorDescription);
  return buildChallenge('Bearer', [
    { name: 'realm', value: realm },
    { name: 'error', value: error },
    { name: 'error_description', value: errorDescription },
    { name: 'scope', value: formatScopes(scopes) },
    { name: 'resource_metadata', value: resourceMetadata },
  ]);
}
