/**
 * An `OAuthTokenVerifier` for the MCP SDK's own `requireBearerAuth`, backed by a gopherAuth gate.
 *
 * The SDK's middleware decides 401/403/500 from the error it catches, and only recognises errors of
 * its own making: v1 (`@modelcontextprotocol/sdk`) by `instanceof` against its classes — so errors
 * from another copy of the SDK (ESM and CJS builds, two versions) fall through to 500 — and v2
 * (`@modelcontextprotocol/server`) by its `OAuthError`'s brand and `code`. So the errors are made
 * with what the caller passes (`errors`: the namespace the app's `requireBearerAuth` comes from), and
 * only otherwise with an SDK imported here.
 */
import { GopherAuthError, GopherAuthException } from '../core/errors.js';
import { sameIssuer } from '../core/metadata.js';
import type { AuthInfo } from '../http/auth-info.js';
import { isBearerAuthError, type BearerAuthError } from '../http/errors.js';

type ErrorClass = new (message: string) => Error;

/** SDK v1's three error classes (e.g. `import * as errors from '@modelcontextprotocol/sdk/server/auth/errors.js'`). */
export interface SdkAuthErrorClasses {
  InvalidTokenError: ErrorClass;
  InsufficientScopeError: ErrorClass;
  ServerError: ErrorClass;
}

/** SDK v2's `OAuthError` and `OAuthErrorCode` (e.g. `import * as sdk from '@modelcontextprotocol/server'`). */
export interface SdkOAuthErrorNamespace {
  OAuthError: new (code: string, message: string) => Error;
  OAuthErrorCode: { readonly InvalidToken: string; readonly InsufficientScope: string; readonly ServerError: string };
}

/** Either SDK generation's errors. */
export type SdkAuthErrors = SdkAuthErrorClasses | SdkOAuthErrorNamespace;

export interface TokenSource {
  verifyAccessToken(token: string): Promise<AuthInfo>;
  readonly resourceMetadataUrl: string;
  readonly config: {
    readonly resourceUrl: URL;
    readonly requiredScopes: readonly string[];
    readonly toolScopes?: ReadonlyMap<string, unknown>;
    readonly resourceScopes?: ReadonlyMap<string, unknown>;
    readonly promptScopes?: ReadonlyMap<string, unknown>;
    readonly cors?: { readonly origin: '*' | readonly string[] } | null;
  };
}

export interface GopherTokenVerifier {
  verifyAccessToken(token: string): Promise<AuthInfo>;
}

export interface TokenVerifierOptions {
  /**
   * The SDK errors to throw: v1's classes or v2's namespace. Default: imported from
   * `@modelcontextprotocol/sdk` (v1) when it is installed, else from `@modelcontextprotocol/server` (v2).
   */
  errors?: SdkAuthErrors;
  /**
   * Set only when the gate itself also runs in front of these routes and so checks its
   * `toolScopes` / `resourceScopes` / `promptScopes` there. Without it, a gate with any such rule is
   * refused: the SDK's `requireBearerAuth` sees the token, never the body, so those rules would
   * silently not apply.
   */
  perCallRulesCheckedElsewhere?: boolean;
  /**
   * Set when something else refuses requests from an Origin outside the gate's `cors.origin` list:
   * the transport (v1 `StreamableHTTPServerTransport`'s `allowedOrigins` with
   * `enableDnsRebindingProtection`) or the gate itself in front of these routes (then
   * `perCallRulesCheckedElsewhere` says so too). Without either, a gate with an Origin list is
   * refused: the SDK's `requireBearerAuth` never sees the Origin, and MCP requires the 403.
   */
  originCheckedElsewhere?: boolean;
}

type Refusal = 'invalid_token' | 'insufficient_scope' | 'server_error';
type ErrorFactory = (refusal: Refusal, message: string) => Error;

const V1_ERRORS_MODULE = '@modelcontextprotocol/sdk/server/auth/errors.js';
const V2_MODULE = '@modelcontextprotocol/server';

function errorFactory(errors: unknown): ErrorFactory {
  const e = (errors ?? {}) as Partial<SdkAuthErrorClasses & SdkOAuthErrorNamespace>;
  if (typeof e.InvalidTokenError === 'function' || typeof e.OAuthError !== 'function') {
    for (const name of ['InvalidTokenError', 'InsufficientScopeError', 'ServerError'] as const) {
      if (typeof e[name] !== 'function') {
        throw new TypeError(
          `errors.${name} must be the MCP SDK's ${name} class (v1), or pass v2's namespace with OAuthError and OAuthErrorCode (import * as sdk from '${V2_MODULE}')`,
        );
      }
    }
    const v1 = e as SdkAuthErrorClasses;
    const classes: Record<Refusal, ErrorClass> = { invalid_token: v1.InvalidTokenError, insufficient_scope: v1.InsufficientScopeError, server_error: v1.ServerError };
    return (refusal, message) => new classes[refusal](message);
  }
  const codes = e.OAuthErrorCode;
  if (codes?.InvalidToken !== 'invalid_token' || codes.InsufficientScope !== 'insufficient_scope' || codes.ServerError !== 'server_error') {
    throw new TypeError(`errors.OAuthErrorCode must be the MCP SDK's OAuthErrorCode (from '${V2_MODULE}') next to its OAuthError`);
  }
  const OAuthError = e.OAuthError as SdkOAuthErrorNamespace['OAuthError'];
  return (refusal, message) => new OAuthError(refusal, message);
}

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/**
 * Default errors: SDK v1 if installed, else v2; each in the build matching this package's module
 * system (CommonJS build → the SDK's CJS build, ESM → ESM), which is what an app in the same module
 * system gets from its own imports.
 */
async function importSdkErrors(): Promise<ErrorFactory> {
  // The CommonJS bundle is `*.cjs`; there `require` is the real one and loads the SDK's CJS build.
  const load = async (specifier: string): Promise<unknown> =>
    import.meta.url.endsWith('.cjs') && typeof require === 'function' ? require(specifier) : await import(specifier);
  try {
    return errorFactory(await load(V1_ERRORS_MODULE));
  } catch (error) {
    if (!isModuleNotFound(error)) throw error;
  }
  try {
    return errorFactory(await load(V2_MODULE));
  } catch (error) {
    if (!isModuleNotFound(error)) throw error;
    throw new GopherAuthException(
      GopherAuthError.NOT_INITIALIZED,
      `neither ${V1_ERRORS_MODULE} nor ${V2_MODULE} is installed: install the MCP SDK, or pass its errors as the errors option`,
    );
  }
}

function refusalOf(error: BearerAuthError): Refusal {
  switch (error.kind) {
    case 'missing_token':
    case 'invalid_request':
    case 'invalid_token':
      return 'invalid_token';
    case 'insufficient_scope':
      return 'insufficient_scope';
    default:
      return 'server_error';
  }
}

/**
 * The SDK error a refusal becomes. 503-class refusals become a server error: neither SDK has a 503
 * (v2 answers its `temporarily_unavailable` with 400, which would tell clients their request is bad).
 */
export function sdkErrorFor(error: BearerAuthError, errors: SdkAuthErrors): Error {
  return errorFactory(errors)(refusalOf(error), error.description);
}

/**
 * The gate as an `OAuthTokenVerifier`. Throws INVALID_CONFIG for a gate with per-tool, per-resource
 * or per-prompt scopes, or with a `cors.origin` list, which a verifier (token only, no body, no
 * headers) cannot enforce; see `perCallRulesCheckedElsewhere` and `originCheckedElsewhere`.
 */
export function createTokenVerifier(source: TokenSource, options: TokenVerifierOptions = {}): GopherTokenVerifier {
  refuseUnenforcedRules(source, options);
  let factory: Promise<ErrorFactory> | undefined = options.errors ? Promise.resolve(errorFactory(options.errors)) : undefined;
  return {
    async verifyAccessToken(token: string): Promise<AuthInfo> {
      try {
        return await source.verifyAccessToken(token);
      } catch (error) {
        const pending = (factory ??= importSdkErrors());
        // A failed import is not kept: the next refusal tries again (and says why again).
        pending.catch(() => {
          if (factory === pending) factory = undefined;
        });
        const make = await pending;
        throw isBearerAuthError(error) ? make(refusalOf(error), error.description) : make('server_error', 'Token verification failed on the server');
      }
    },
  };
}

function refuseUnenforcedRules(source: TokenSource, options: TokenVerifierOptions): void {
  const { toolScopes, resourceScopes, promptScopes, cors } = source.config;
  const originList = cors !== null && cors !== undefined && cors.origin !== '*';
  if (originList && options.originCheckedElsewhere !== true && options.perCallRulesCheckedElsewhere !== true) {
    throw new GopherAuthException(
      GopherAuthError.INVALID_CONFIG,
      "a token verifier for the SDK's requireBearerAuth never sees the request's Origin, so the gate's cors.origin list would not be enforced; " +
        'mount the gate itself (app.post(path, auth, handler)) instead, or pass { originCheckedElsewhere: true } if the transport (allowedOrigins) or the gate in front refuses other Origins',
    );
  }
  const perCall = [['toolScopes', toolScopes], ['resourceScopes', resourceScopes], ['promptScopes', promptScopes]] as const;
  const unenforced = perCall.filter(([, rules]) => rules !== undefined && rules.size > 0).map(([name]) => name);
  if (unenforced.length > 0 && options.perCallRulesCheckedElsewhere !== true) {
    throw new GopherAuthException(
      GopherAuthError.INVALID_CONFIG,
      `a token verifier for the SDK's requireBearerAuth never reads the request body, so the gate's ${unenforced.join(', ')} would not be enforced; ` +
        'mount the gate itself (app.post(path, auth, handler)) instead, or pass { perCallRulesCheckedElsewhere: true } if it also runs in front of these routes',
    );
  }
}

/**
 * Options for the SDK's `requireBearerAuth` that match the gate: same verifier, same
 * `resource_metadata`, same expected resource and default scopes.
 */
export function sdkBearerAuthOptions(
  source: TokenSource,
  options: TokenVerifierOptions = {},
): { verifier: GopherTokenVerifier; resourceMetadataUrl: string; expectedResource: URL; requiredScopes: string[] } {
  return {
    verifier: createTokenVerifier(source, options),
    resourceMetadataUrl: source.resourceMetadataUrl,
    expectedResource: new URL(source.config.resourceUrl.href),
    requiredScopes: [...source.config.requiredScopes],
  };
}

export interface MetadataSource {
  readonly config: {
    readonly resource: string;
    readonly resourceUrl: URL;
    readonly audience: string;
    readonly issuer: string;
    readonly scopesSupported: readonly string[];
    readonly protectedResourceMetadata: { readonly resource_name?: string };
  };
}

/**
 * Options for the SDK's `mcpAuthMetadataRouter` describing the same resource as the gate. The
 * authorization-server metadata must be the configured issuer's (RFC 8414 §3.3). The SDK publishes
 * `resource` as `URL.href`, so a root resource must be configured with its trailing `/` (refused
 * otherwise, unless `audience` is set apart from `resource`).
 */
export function sdkMetadataRouterOptions<M extends { issuer: string }>(
  source: MetadataSource,
  oauthMetadata: M,
): { oauthMetadata: M; resourceServerUrl: URL; scopesSupported?: string[]; resourceName?: string } {
  const { config } = source;
  if (typeof oauthMetadata?.issuer !== 'string' || !sameIssuer(oauthMetadata.issuer, config.issuer)) {
    throw new GopherAuthException(
      GopherAuthError.INVALID_CONFIG,
      `authorization-server metadata names issuer ${JSON.stringify(oauthMetadata?.issuer)}, but tokens are expected from ${config.issuer}`,
    );
  }
  // Clients ask the authorization server for the `resource` this router publishes, and the token's
  // `aud` is that; the gate expects `audience`. For a root resource configured without its `/`
  // the two differ by that `/`, and every token would be refused (a re-authorization loop).
  if (config.audience === config.resource && config.resourceUrl.href !== config.resource) {
    throw new GopherAuthException(
      GopherAuthError.INVALID_CONFIG,
      `the SDK's metadata router publishes resource ${JSON.stringify(config.resourceUrl.href)} (URL.href), but tokens are checked for audience ${JSON.stringify(config.audience)}: configure resource: ${JSON.stringify(config.resourceUrl.href)}, or serve auth.metadata instead of mcpAuthMetadataRouter`,
    );
  }
  const name = config.protectedResourceMetadata.resource_name;
  return {
    oauthMetadata,
    resourceServerUrl: new URL(config.resourceUrl.href),
    ...(config.scopesSupported.length > 0 ? { scopesSupported: [...config.scopesSupported] } : {}),
    ...(name !== undefined ? { resourceName: name } : {}),
  };
}
