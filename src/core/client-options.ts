import { JS_ALGORITHMS, normalizeTokenType } from '../backends/js/index.js';
import { GopherAuthError, GopherAuthException } from './errors.js';
import { nativeUnavailable, nativeUnavailableError, resolveBackendMode, type BackendMode } from './backend-selection.js';
import { nativeBackend } from '../backends/native/index.js';
import { checkLogger, type Logger } from './logger.js';
import { DEFAULT_CLOCK_SKEW_SECONDS } from './options.js';
import type { JwksManagerOptions } from './jwks/types.js';
import { resolveTokenCacheOptions, type TokenCacheOptions } from './token-cache.js';
import { resolveJwksSettings } from './jwks/settings.js';
import { unknownKey, unknownKeyMessage } from './known-keys.js';

/** JWKS tuning passed to the JWKS manager (seconds, bytes). */
export type JwksTuning = Pick<
  JwksManagerOptions,
  'minCacheDuration' | 'maxCacheDuration' | 'unknownKidCooldown' | 'maxStale' | 'maxResponseBytes' | 'fetch'
>;

export interface GopherAuthClientOptions {
  /** 'auto' (default; env GOPHER_AUTH_BACKEND): native for RS* when available, JS otherwise. */
  backend?: BackendMode;
  /** JWKS cache lifetime (s) when the response has no Cache-Control. Default 3600. `cache_duration`. */
  cacheDuration?: number;
  /** JWKS fetch timeout (s); 0 = none. Default 10. `request_timeout`. */
  requestTimeout?: number;
  /** Refresh keys in the background before they expire. Default true. `auto_refresh`. */
  autoRefresh?: boolean;
  /** Clock skew (s) for exp/nbf when a call passes no skew. Default 60, as native. */
  clockSkew?: number;
  /** Accepted JWS algorithms. Default: every algorithm the JS backend verifies. */
  algorithms?: readonly string[];
  /**
   * Accepted values of the token header's `typ`, e.g. `['at+jwt']` for issuers that type their
   * access tokens as RFC 9068 asks: ID tokens, logout and other JWTs of the same issuer are then
   * refused even when their `aud` matches. Compared as media types (case-insensitive, `application/`
   * implied). A token without `typ` is refused too. Default: `typ` is not checked (most issuers
   * send `JWT` or nothing).
   */
  tokenTypes?: readonly string[];
  /**
   * Oldest token accepted, in seconds since its `iat` (with the clock skew): tokens without `iat`,
   * or issued in the future beyond the skew, are refused too. Bounds what an issuer's mistake (a
   * token valid for years) or a leaked long-lived token is worth. Default: `iat` is not compared
   * with the clock.
   */
  maxTokenAge?: number;
  /** pino-compatible logger; default silent. Never receives token contents. */
  logger?: Logger;
  /** Finer JWKS manager settings. */
  jwks?: JwksTuning;
  /**
   * Verified-token cache: repeated validations of the same token with the same options answer from
   * memory. `true` for the defaults (10,000 tokens, 300 s, refusals 5 s). Default off here; on in `gopherAuth()`.
   */
  tokenCache?: boolean | TokenCacheOptions;
}

export interface ResolvedClientOptions {
  clockSkew: number;
  algorithms: readonly string[];
  /** Normalized (see normalizeTokenType); undefined: not checked. */
  tokenTypes: readonly string[] | undefined;
  maxTokenAge: number | undefined;
  manager: JwksManagerOptions;
}

export function assertHttpUrl(name: string, value: unknown): asserts value is string {
  let ok = false;
  if (typeof value === 'string') {
    try {
      const url = new URL(value);
      ok = url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      ok = false;
    }
  }
  if (!ok) throw new GopherAuthException(GopherAuthError.INVALID_CONFIG, `${name} must be an http:// or https:// URL, got ${JSON.stringify(value)}`);
}

// Every key of GopherAuthClientOptions, and only those: the compiler refuses the list when the type changes.
const CLIENT_OPTION_KEYS: ReadonlySet<string> = new Set(Object.keys({
  backend: true,
  cacheDuration: true,
  requestTimeout: true,
  autoRefresh: true,
  clockSkew: true,
  algorithms: true,
  tokenTypes: true,
  maxTokenAge: true,
  logger: true,
  jwks: true,
  tokenCache: true,
} satisfies Record<keyof GopherAuthClientOptions, true>));

// Every key of JwksTuning, and only those: the compiler refuses the list when the type changes.
const JWKS_TUNING_KEYS: ReadonlySet<string> = new Set(Object.keys({
  minCacheDuration: true,
  maxCacheDuration: true,
  unknownKidCooldown: true,
  maxStale: true,
  maxResponseBytes: true,
  fetch: true,
} satisfies Record<keyof JwksTuning, true>));

function assertKnownKeys(value: unknown, known: ReadonlySet<string>, where: string): void {
  if (value === null || typeof value !== 'object') return;
  const found = unknownKey(value, known);
  if (found !== null) throw new GopherAuthException(GopherAuthError.INVALID_CONFIG, unknownKeyMessage(where, found));
}

export function resolveClientOptions(options: GopherAuthClientOptions): ResolvedClientOptions {
  assertKnownKeys(options, CLIENT_OPTION_KEYS, 'GopherAuthClient option');
  assertKnownKeys(options.jwks, JWKS_TUNING_KEYS, 'jwks option');
  const clockSkew = options.clockSkew ?? DEFAULT_CLOCK_SKEW_SECONDS;
  if (!Number.isInteger(clockSkew) || clockSkew < 0) {
    throw new GopherAuthException(GopherAuthError.INVALID_PARAMETER, `clockSkew must be a non-negative integer number of seconds, got ${String(clockSkew)}`);
  }
  const algorithms = options.algorithms ?? JS_ALGORITHMS;
  if (!Array.isArray(algorithms) || algorithms.length === 0) {
    throw new GopherAuthException(GopherAuthError.INVALID_CONFIG, 'algorithms must be a non-empty array');
  }
  for (const alg of algorithms) {
    if (!JS_ALGORITHMS.includes(alg)) {
      throw new GopherAuthException(GopherAuthError.INVALID_CONFIG, `algorithm ${JSON.stringify(alg)} is not supported; supported: ${JS_ALGORITHMS.join(', ')}`);
    }
  }
  return {
    clockSkew,
    algorithms: Object.freeze([...algorithms]),
    tokenTypes: resolveTokenTypes(options.tokenTypes),
    maxTokenAge: resolveMaxTokenAge(options.maxTokenAge),
    manager: {
      ...options.jwks,
      cacheDuration: options.cacheDuration,
      requestTimeout: options.requestTimeout,
      autoRefresh: options.autoRefresh,
      logger: checkLogger(options.logger, 'logger'),
    },
  };
}

/** A media type as `typ` may carry it: `type/subtype` or a bare subtype, printable ASCII without spaces. */
const MEDIA_TYPE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+(\/[!#$%&'*+.^_`|~0-9A-Za-z-]+)?$/;

function resolveMaxTokenAge(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new GopherAuthException(GopherAuthError.INVALID_CONFIG, `maxTokenAge must be a positive whole number of seconds, got ${JSON.stringify(value)}`);
  }
  return value;
}

function resolveTokenTypes(value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) {
    throw new GopherAuthException(GopherAuthError.INVALID_CONFIG, "tokenTypes must be a non-empty array of media types, e.g. ['at+jwt']");
  }
  for (const type of value) {
    if (typeof type !== 'string' || !MEDIA_TYPE.test(type)) {
      throw new GopherAuthException(GopherAuthError.INVALID_CONFIG, `tokenTypes: ${JSON.stringify(type)} is not a media type such as 'at+jwt' or 'application/at+jwt'`);
    }
  }
  return Object.freeze([...new Set(value.map((type: string) => normalizeTokenType(type)))]);
}

/** Option names `gopher_auth_client_set_option` accepts. */
export const NATIVE_OPTION_NAMES = [
  'cache_duration',
  'auto_refresh',
  'request_timeout',
  'client_id',
  'client_secret',
  'exchange_idps',
  'token_endpoint',
  'oauth_authorize_url',
  'oauth_token_url',
  'server_url',
] as const;
export type NativeOptionName = (typeof NATIVE_OPTION_NAMES)[number];

export type OptionChange =
  | { kind: 'manager'; patch: Partial<JwksManagerOptions> }
  | { kind: 'stored'; name: NativeOptionName; value: string };

/**
 * Parses one `setOption` call the way the native library answers it: unknown name → -1011
 * "Unknown option: X"; missing value → -1011 "Invalid parameter"; unparsable number → -1009
 * "Failed to parse value: ..."; bad server_url → -1009 "Invalid server URL". Stricter than native
 * in one way: numbers must be whole integers ("10x" and "1.5" are refused, native truncates them).
 */
export function parseOption(name: unknown, value: unknown): OptionChange {
  if (typeof name !== 'string' || !(NATIVE_OPTION_NAMES as readonly string[]).includes(name)) {
    throw new GopherAuthException(GopherAuthError.INVALID_PARAMETER, `Unknown option: ${String(name)}`);
  }
  if (value === null || value === undefined) throw new GopherAuthException(GopherAuthError.INVALID_PARAMETER, 'Invalid parameter');
  const text = String(value);
  switch (name as NativeOptionName) {
    case 'cache_duration':
      // Native: <= 0 disables caching.
      return { kind: 'manager', patch: { cacheDuration: Math.max(0, integer(text)) } };
    case 'request_timeout': {
      const seconds = integer(text);
      if (seconds < 0) throw new GopherAuthException(GopherAuthError.INVALID_CONFIG, `Failed to parse value: request_timeout must not be negative`);
      return { kind: 'manager', patch: { requestTimeout: seconds } };
    }
    case 'auto_refresh':
      return { kind: 'manager', patch: { autoRefresh: ['true', '1', 'yes'].includes(text.trim().toLowerCase()) } };
    case 'server_url':
      try {
        assertHttpUrl('server_url', text);
      } catch {
        throw new GopherAuthException(GopherAuthError.INVALID_CONFIG, 'Invalid server URL');
      }
      return { kind: 'stored', name: 'server_url', value: text };
    default:
      return { kind: 'stored', name: name as NativeOptionName, value: text };
  }
}

function integer(text: string): number {
  const trimmed = text.trim();
  const n = Number(trimmed);
  if (!/^[+-]?\d+$/.test(trimmed) || !Number.isSafeInteger(n)) {
    throw new GopherAuthException(GopherAuthError.INVALID_CONFIG, `Failed to parse value: ${JSON.stringify(text)} is not an integer`);
  }
  return n;
}

/**
 * Every check the constructor makes on its options, building nothing: a gopherAuth() gate that
 * discovers its JWKS URI creates its client on first use, and a typo (or GOPHER_AUTH_BACKEND=bogus,
 * or 'native' where it cannot run) must still fail at startup, not as a 503 on every request.
 */
export function assertClientOptions(options: GopherAuthClientOptions): void {
  const resolved = resolveClientOptions(options);
  resolveTokenCacheOptions(options.tokenCache);
  resolveJwksSettings(resolved.manager);
  const reason = resolveBackendMode(options.backend) === 'native' ? nativeUnavailable(nativeBackend) : null;
  if (reason !== null) throw nativeUnavailableError(reason);
}
