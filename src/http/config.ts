/**
 * The one configuration object of the HTTP glue, and everything derived from it. Every URL a client
 * sees (PRM location, `resource_metadata` of each challenge, PRM `resource`) and the expected token
 * audience come from `resource`, computed once here, so they are byte-identical everywhere.
 */
import { GopherAuthError, GopherAuthException } from '../core/errors.js';
import { checkLogger, type Logger } from '../core/logger.js';
import { firstErrorAsWarning } from './unlogged-errors.js';
import {
  buildProtectedResourceMetadata,
  checkIssuer,
  parseHttpUrl,
  sameIssuer,
  protectedResourceMetadataUrl,
  rootProtectedResourceMetadataUrl,
  type ProtectedResourceMetadata,
} from '../core/metadata.js';
import { assertClientOptions, type GopherAuthClientOptions } from '../core/client-options.js';
import { unknownKey, unknownKeyMessage } from '../core/known-keys.js';
import { isScopeToken } from '../core/scopes.js';
import { canonicalResourceUri } from './jsonrpc.js';
import type { GopherValidationOptions } from '../core/options.js';
import type { TokenPayload, ValidationResult } from '../core/result.js';
import type { AuthFailureEvent } from './failure.js';
import { isLoopbackHostname } from './loopback.js';

/** What the glue needs from a token client; `GopherAuthClient` satisfies it. */
export interface TokenClient {
  validateToken(token: string, options?: GopherValidationOptions): Promise<ValidationResult>;
  extractPayload(token: string): TokenPayload | null;
  /** When present, lets the gate tell "unknown key" from "keys unreachable" (503). */
  jwksStatus?(): { lastError: string | null };
  /** When present, `gate.ready()` awaits it (keys loaded; rejects with the reason they are not). */
  ready?(): Promise<void>;
  destroy?(): void;
}

export type ScopeMap = Readonly<Record<string, readonly string[]>>;

export interface CorsConfig {
  /** `'*'` (default) or a list of allowed origins. */
  origin?: '*' | readonly string[];
  /** Preflight cache lifetime in seconds. Default 600. */
  maxAge?: number;
}

export interface GopherAuthConfig {
  /** Canonical URL of this protected resource (the MCP endpoint), e.g. `https://host/mcp`. */
  resource: string;
  /** Expected `iss` of access tokens. */
  issuer: string;
  /** JWKS of the issuer. Default: `jwks_uri` from the issuer's RFC 8414 / OpenID metadata, fetched on first use. */
  jwksUri?: string;
  /** Advertised in PRM. Default `[issuer]`; must contain the issuer. */
  authorizationServers?: readonly string[];
  /** Advertised in PRM. Default: every scope named in the scope settings below. */
  scopesSupported?: readonly string[];
  /** Needed for every request. Default none. */
  requiredScopes?: readonly string[];
  /** Extra scopes per tool name (`tools/call`). A key ending in `*` is a prefix rule (`admin-*`); an exact name wins, then the longest prefix. */
  toolScopes?: ScopeMap;
  /**
   * Extra scopes per resource URI (`resources/read`, `resources/subscribe`, `resources/unsubscribe`,
   * completions that reference the resource, every URI of `subscriptions/listen`). A key ending in `*`
   * is a prefix rule.
   */
  resourceScopes?: ScopeMap;
  /** Extra scopes per prompt name (`prompts/get`, completions that reference the prompt). Prefix rules as in `toolScopes`. */
  promptScopes?: ScopeMap;
  /** Expected `aud` (RFC 8707). Default: `resource`. */
  audience?: string;
  /** Backend for the internally created client (`'auto' | 'js' | 'native'`). Not with `client`. */
  backend?: 'auto' | 'js' | 'native';
  /** Clock skew in seconds for exp/nbf. Default: the client's (60 s). */
  clockSkew?: number;
  logger?: Logger;
  /** Called with the detailed reason of every refusal (never sent on the wire). Errors it throws are logged. */
  onAuthFailure?: (event: AuthFailureEvent) => void;
  /** Further options for the internally created client (cache, timeouts, algorithms, JWKS tuning). */
  clientOptions?: Omit<GopherAuthClientOptions, 'backend' | 'logger'>;
  /** A ready-made client (shared with other code). Not with `jwksUri`/`backend`/`clientOptions`. */
  client?: TokenClient;
  /** Optional `realm` in challenges. */
  realm?: string;
  /** PRM extras. */
  resourceName?: string;
  resourceDocumentation?: string;
  /** `Retry-After` seconds on 503. Default 5. */
  retryAfterSeconds?: number;
  /** Largest JSON-RPC body the gate reads to find per-call scopes. Default 4 MiB. */
  maxBodyBytes?: number;
  /** CORS for the gate's responses and the metadata documents. Default `{ origin: '*' }`; false disables. */
  cors?: boolean | CorsConfig;
  /**
   * Allow `http:` on a non-loopback host for the resource, issuer, `jwksUri`, `authorizationServers`
   * and a discovered `jwks_uri`. Default false.
   */
  allowInsecureHttp?: boolean;
  /**
   * Run the rest of each gated request inside AsyncLocalStorage so `getAuthInfo()` works anywhere
   * below the gate. Default true. On Node 20 and 22 that turns on promise hooks for the process: an
   * MCP SDK request measured ~80 µs more CPU with it (bench/README.md). false: identity on `req.auth`
   * (and the SDK's `extra.authInfo`) only; `getAuthInfo()` then answers undefined.
   */
  asyncContext?: boolean;
}

export interface ResolvedCors {
  origin: '*' | readonly string[];
  maxAge: number;
}

export interface ResolvedAuthConfig {
  readonly resource: string;
  readonly resourceUrl: URL;
  readonly issuer: string;
  readonly jwksUri: string | undefined;
  readonly audience: string;
  readonly authorizationServers: readonly string[];
  readonly scopesSupported: readonly string[];
  readonly requiredScopes: readonly string[];
  readonly toolScopes: ReadonlyMap<string, readonly string[]>;
  readonly resourceScopes: ReadonlyMap<string, readonly string[]>;
  readonly promptScopes: ReadonlyMap<string, readonly string[]>;
  /** Path-aware PRM URL; the `resource_metadata` of every challenge. */
  readonly resourceMetadataUrl: string;
  readonly rootResourceMetadataUrl: string;
  /** Pathnames the metadata router answers on (path-aware first, then root). */
  readonly metadataPaths: readonly string[];
  readonly protectedResourceMetadata: Readonly<ProtectedResourceMetadata>;
  readonly backend: 'auto' | 'js' | 'native' | undefined;
  readonly clockSkew: number | undefined;
  readonly logger: Logger;
  readonly onAuthFailure: ((event: AuthFailureEvent) => void) | undefined;
  readonly client: TokenClient | undefined;
  readonly allowInsecureHttp: boolean;
  readonly clientOptions: Omit<GopherAuthClientOptions, 'backend' | 'logger'>;
  readonly realm: string | undefined;
  readonly retryAfterSeconds: number;
  readonly maxBodyBytes: number;
  readonly cors: ResolvedCors | null;
  readonly asyncContext: boolean;
}

function refuse(message: string): never {
  throw new GopherAuthException(GopherAuthError.INVALID_CONFIG, `gopherAuth: ${message}`);
}

/** parseHttpUrl with its refusal worded as every other gopherAuth() configuration error. */
function httpUrl(value: unknown, what: string): URL {
  try {
    return parseHttpUrl(value, what);
  } catch (error) {
    refuse(error instanceof Error ? error.message : String(error));
  }
}

function checkScopes(value: unknown, what: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) refuse(`${what} must be an array of scope strings`);
  const out: string[] = [];
  for (const scope of value as unknown[]) {
    if (typeof scope !== 'string' || !isScopeToken(scope)) {
      refuse(`${what} contains an invalid scope ${JSON.stringify(scope)} (no spaces, quotes or backslashes)`);
    }
    if (!out.includes(scope)) out.push(scope);
  }
  return out;
}

function checkScopeMap(value: unknown, what: string): Map<string, readonly string[]> {
  const map = new Map<string, readonly string[]>();
  if (value === undefined) return map;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) refuse(`${what} must be an object of name → scopes`);
  for (const [name, scopes] of Object.entries(value as Record<string, unknown>)) {
    if (name === '') refuse(`${what} has an empty name`);
    map.set(name, Object.freeze(checkScopes(scopes, `${what}[${JSON.stringify(name)}]`)));
  }
  return map;
}

/**
 * Resource rules are matched against `new URL(uri).href` (what the MCP SDK looks resources up by),
 * so a key must already be in that form, or it would never match what it names.
 */
function checkResourceRuleKeys(map: ReadonlyMap<string, readonly string[]>): void {
  for (const key of map.keys()) {
    const prefix = key.endsWith('*');
    const text = prefix ? key.slice(0, -1) : key;
    const canonical = canonicalResourceUri(text);
    if (prefix ? !canonical.startsWith(text) : canonical !== text) {
      refuse(`resourceScopes key ${JSON.stringify(key)} is not in the form resources are matched in (new URL(uri).href): write ${JSON.stringify(prefix ? `${canonical}*` : canonical)}`);
    }
  }
}

function checkSecureUrl(value: unknown, what: string, allowInsecure: boolean): URL {
  const url = httpUrl(value, what);
  if (url.protocol === 'http:' && !allowInsecure && !isLoopbackHostname(url.hostname)) {
    refuse(`${what} uses http on a non-loopback host (${url.host}); use https or set allowInsecureHttp`);
  }
  return url;
}

/** The resource must already be in the spelling clients will compare byte for byte. */
function checkResource(resource: unknown, allowInsecure: boolean): URL {
  if (typeof resource !== 'string') refuse('resource must be the absolute URL of the protected endpoint');
  if (resource.includes('#')) refuse(`resource must not contain a fragment (RFC 8707): ${resource}`);
  const url = checkSecureUrl(resource, 'resource', allowInsecure);
  if (url.search !== '' || resource.includes('?')) refuse(`resource must not contain a query: ${resource}`);
  const canonical = url.href;
  const acceptable = url.pathname === '/' ? [canonical, canonical.slice(0, -1)] : [canonical];
  if (!acceptable.includes(resource)) {
    refuse(`resource must be written canonically (${JSON.stringify(acceptable.at(-1))}), got ${JSON.stringify(resource)}`);
  }
  return url;
}

function positiveInteger(value: unknown, what: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) refuse(`${what} must be a positive integer`);
  return value;
}

function resolveCors(value: GopherAuthConfig['cors']): ResolvedCors | null {
  if (value === false) return null;
  const cors = value === undefined || value === true ? {} : value;
  const origin = cors.origin ?? '*';
  if (origin !== '*') {
    if (!Array.isArray(origin)) refuse("cors.origin must be '*' or an array of origins");
    for (const o of origin) {
      const url = httpUrl(o, 'cors origin');
      if (url.origin !== o) refuse(`cors origin must be a bare origin like https://app.example, got ${JSON.stringify(o)}`);
    }
  }
  return { origin, maxAge: positiveInteger(cors.maxAge, 'cors.maxAge', 600) };
}

function booleanOption(value: unknown, what: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') refuse(`${what} must be true or false`);
  return value;
}

/** Validates the configuration and derives everything; throws GopherAuthException(INVALID_CONFIG). */
// Every key of GopherAuthConfig, and only those: the compiler refuses the list when the type changes.
const CONFIG_KEYS: ReadonlySet<string> = new Set(Object.keys({
  resource: true,
  issuer: true,
  jwksUri: true,
  authorizationServers: true,
  scopesSupported: true,
  requiredScopes: true,
  toolScopes: true,
  resourceScopes: true,
  promptScopes: true,
  audience: true,
  backend: true,
  clockSkew: true,
  logger: true,
  onAuthFailure: true,
  clientOptions: true,
  client: true,
  realm: true,
  resourceName: true,
  resourceDocumentation: true,
  retryAfterSeconds: true,
  maxBodyBytes: true,
  cors: true,
  allowInsecureHttp: true,
  asyncContext: true,
} satisfies Record<keyof GopherAuthConfig, true>));

// Every key of CorsConfig, and only those: the compiler refuses the list when the type changes.
const CORS_KEYS: ReadonlySet<string> = new Set(Object.keys({ origin: true, maxAge: true } satisfies Record<keyof CorsConfig, true>));

export function resolveAuthConfig(config: GopherAuthConfig): ResolvedAuthConfig {
  if (config === null || typeof config !== 'object') refuse('a configuration object is required');
  const unknown = unknownKey(config, CONFIG_KEYS);
  if (unknown !== null) refuse(unknownKeyMessage('option', unknown));
  if (config.cors !== null && typeof config.cors === 'object') {
    const unknownCors = unknownKey(config.cors, CORS_KEYS);
    if (unknownCors !== null) refuse(unknownKeyMessage('cors option', unknownCors));
  }
  const allowInsecure = config.allowInsecureHttp === true;
  const resourceUrl = checkResource(config.resource, allowInsecure);
  const resource = config.resource;

  checkIssuer(config.issuer);
  checkSecureUrl(config.issuer, 'issuer', allowInsecure);
  const issuer = config.issuer;

  if (config.client !== undefined) {
    if (typeof config.client?.validateToken !== 'function' || typeof config.client?.extractPayload !== 'function') {
      refuse('client must provide validateToken() and extractPayload()');
    }
    if (config.jwksUri !== undefined || config.backend !== undefined || config.clientOptions !== undefined) {
      refuse('pass either client or jwksUri/backend/clientOptions, not both (the client already has its JWKS and backend)');
    }
  } else {
    // Without jwksUri the issuer's metadata is discovered on first use (src/http/discovery.ts), and the
    // client made then: its options are checked now, as a client made at once checks them.
    if (config.jwksUri !== undefined) checkSecureUrl(config.jwksUri, 'jwksUri', allowInsecure);
    else assertClientOptions({ ...config.clientOptions, ...(config.backend !== undefined && { backend: config.backend }) });
  }
  if (config.backend !== undefined && !['auto', 'js', 'native'].includes(config.backend)) {
    refuse(`backend must be 'auto', 'js' or 'native', got ${JSON.stringify(config.backend)}`);
  }

  const audience = config.audience ?? resource;
  if (typeof audience !== 'string' || audience === '') refuse('audience must be a non-empty string');

  const authorizationServers = config.authorizationServers === undefined ? [issuer] : [...config.authorizationServers];
  if (authorizationServers.length === 0) refuse('authorizationServers must not be empty');
  for (const server of authorizationServers) checkSecureUrl(server, 'authorization server', allowInsecure);
  if (!authorizationServers.some((s) => sameIssuer(s, issuer))) {
    refuse(`authorizationServers must include the issuer ${issuer}: tokens from the others would all be refused`);
  }

  const requiredScopes = checkScopes(config.requiredScopes, 'requiredScopes');
  const toolScopes = checkScopeMap(config.toolScopes, 'toolScopes');
  const resourceScopes = checkScopeMap(config.resourceScopes, 'resourceScopes');
  checkResourceRuleKeys(resourceScopes);
  const promptScopes = checkScopeMap(config.promptScopes, 'promptScopes');
  const named = new Set<string>(requiredScopes);
  for (const map of [toolScopes, resourceScopes, promptScopes]) for (const list of map.values()) list.forEach((s) => named.add(s));
  let scopesSupported: string[];
  if (config.scopesSupported !== undefined) {
    scopesSupported = checkScopes(config.scopesSupported, 'scopesSupported');
    const missing = [...named].filter((s) => !scopesSupported.includes(s));
    if (missing.length > 0) refuse(`scopes required but not in scopesSupported: ${missing.join(' ')}`);
  } else {
    scopesSupported = [...named];
  }

  if (config.clockSkew !== undefined && (!Number.isInteger(config.clockSkew) || config.clockSkew < 0)) {
    refuse('clockSkew must be a non-negative integer number of seconds');
  }
  if (config.onAuthFailure !== undefined && typeof config.onAuthFailure !== 'function') refuse('onAuthFailure must be a function');
  if (config.realm !== undefined && (typeof config.realm !== 'string' || /[^\x20-\x7E]/.test(config.realm))) {
    refuse('realm must be printable ASCII');
  }

  const resourceMetadataUrl = protectedResourceMetadataUrl(resource);
  const rootResourceMetadataUrl = rootProtectedResourceMetadataUrl(resource);
  const metadataPaths = [...new Set([new URL(resourceMetadataUrl).pathname, new URL(rootResourceMetadataUrl).pathname])];
  const protectedResourceMetadata = Object.freeze(
    buildProtectedResourceMetadata({
      resource,
      authorizationServers,
      scopesSupported: scopesSupported.length > 0 ? scopesSupported : undefined,
      bearerMethodsSupported: ['header'],
      resourceName: config.resourceName,
      resourceDocumentation: config.resourceDocumentation,
    }),
  );

  return Object.freeze({
    resource,
    resourceUrl,
    issuer,
    jwksUri: config.jwksUri,
    audience,
    authorizationServers: Object.freeze(authorizationServers),
    scopesSupported: Object.freeze(scopesSupported),
    requiredScopes: Object.freeze(requiredScopes),
    toolScopes,
    resourceScopes,
    promptScopes,
    resourceMetadataUrl,
    rootResourceMetadataUrl,
    metadataPaths: Object.freeze(metadataPaths),
    protectedResourceMetadata,
    backend: config.backend,
    clockSkew: config.clockSkew,
    logger: checkLogger(config.logger, 'gopherAuth: logger') ?? firstErrorAsWarning(),
    onAuthFailure: config.onAuthFailure,
    client: config.client,
    allowInsecureHttp: allowInsecure,
    clientOptions: { ...config.clientOptions },
    realm: config.realm,
    retryAfterSeconds: positiveInteger(config.retryAfterSeconds, 'retryAfterSeconds', 5),
    maxBodyBytes: positiveInteger(config.maxBodyBytes, 'maxBodyBytes', 4 * 1024 * 1024),
    cors: resolveCors(config.cors),
    asyncContext: booleanOption(config.asyncContext, 'asyncContext', true),
  });
}
