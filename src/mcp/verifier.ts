/**
 * An `OAuthTokenVerifier` for the MCP SDK's own `requireBearerAuth`, backed by a gopherAuth gate.
 *
 * The SDK's middleware decides 401/403/500 with `instanceof` against ITS error classes. When an app
 * ends up with two copies of the SDK (ESM and CJS builds, or two versions in node_modules), errors
 * made from the other copy fall through to 500. So the classes are taken from the caller when given
 * (`errors`: the namespace the app's `requireBearerAuth` comes from), and only otherwise imported.
 */
import { GopherAuthError, GopherAuthException } from '../core/errors.js';
import type { AuthInfo } from '../http/auth-info.js';
import { isBearerAuthError, type BearerAuthError } from '../http/errors.js';

type ErrorClass = new (message: string) => Error;

/** The three SDK error classes the verifier throws (e.g. `import * as errors from '@modelcontextprotocol/sdk/server/auth/errors.js'`). */
export interface SdkAuthErrorClasses {
  InvalidTokenError: ErrorClass;
  InsufficientScopeError: ErrorClass;
  ServerError: ErrorClass;
}

export interface TokenSource {
  verifyAccessToken(token: string): Promise<AuthInfo>;
  readonly resourceMetadataUrl: string;
  readonly config: { readonly resourceUrl: URL; readonly requiredScopes: readonly string[] };
}

export interface GopherTokenVerifier {
  verifyAccessToken(token: string): Promise<AuthInfo>;
}

export interface TokenVerifierOptions {
  /** The SDK error classes to throw; default: imported from `@modelcontextprotocol/sdk`. */
  errors?: SdkAuthErrorClasses;
}

const SDK_ERRORS_MODULE = '@modelcontextprotocol/sdk/server/auth/errors.js';

function checkClasses(errors: SdkAuthErrorClasses): SdkAuthErrorClasses {
  for (const name of ['InvalidTokenError', 'InsufficientScopeError', 'ServerError'] as const) {
    if (typeof errors[name] !== 'function') throw new TypeError(`errors.${name} must be the MCP SDK's ${name} class`);
  }
  return errors;
}

/**
 * Default classes: the copy matching this build's module system (CommonJS build → the SDK's CJS
 * build, ESM → ESM), which is what an app in the same module system gets from its own imports.
 */
async function importSdkErrors(): Promise<SdkAuthErrorClasses> {
  // The CommonJS bundle is `*.cjs`; there `require` is the real one and loads the SDK's CJS build.
  if (import.meta.url.endsWith('.cjs') && typeof require === 'function') {
    return checkClasses(require(SDK_ERRORS_MODULE) as SdkAuthErrorClasses);
  }
  return checkClasses((await import(SDK_ERRORS_MODULE)) as SdkAuthErrorClasses);
}

/** Which SDK class a refusal becomes. 503-class refusals become ServerError: the SDK has no 503. */
export function sdkErrorFor(error: BearerAuthError, classes: SdkAuthErrorClasses): Error {
  switch (error.kind) {
    case 'missing_token':
    case 'invalid_request':
    case 'invalid_token':
      return new classes.InvalidTokenError(error.description);
    case 'insufficient_scope':
      return new classes.InsufficientScopeError(error.description);
    default:
      return new classes.ServerError(error.description);
  }
}

export function createTokenVerifier(source: TokenSource, options: TokenVerifierOptions = {}): GopherTokenVerifier {
  let classes: Promise<SdkAuthErrorClasses> | undefined = options.errors ? Promise.resolve(checkClasses(options.errors)) : undefined;
  return {
    async verifyAccessToken(token: string): Promise<AuthInfo> {
      try {
        return await source.verifyAccessToken(token);
      } catch (error) {
        classes ??= importSdkErrors();
        const sdk = await classes;
        throw isBearerAuthError(error) ? sdkErrorFor(error, sdk) : new sdk.ServerError('Token verification failed on the server');
      }
    },
  };
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
    readonly resourceUrl: URL;
    readonly issuer: string;
    readonly scopesSupported: readonly string[];
    readonly protectedResourceMetadata: { readonly resource_name?: string };
  };
}

/**
 * Options for the SDK's `mcpAuthMetadataRouter` describing the same resource as the gate. The
 * authorization-server metadata must be the configured issuer's (RFC 8414 §3.3). Note the SDK
 * publishes `resource` as `URL.href`, so a root resource gains a trailing `/` there.
 */
export function sdkMetadataRouterOptions<M extends { issuer: string }>(
  source: MetadataSource,
  oauthMetadata: M,
): { oauthMetadata: M; resourceServerUrl: URL; scopesSupported?: string[]; resourceName?: string } {
  if (oauthMetadata?.issuer?.replace(/\/$/, '') !== source.config.issuer.replace(/\/$/, '')) {
    throw new GopherAuthException(
      GopherAuthError.INVALID_CONFIG,
      `authorization-server metadata names issuer ${JSON.stringify(oauthMetadata?.issuer)}, but tokens are expected from ${source.config.issuer}`,
    );
  }
  const name = source.config.protectedResourceMetadata.resource_name;
  return {
    oauthMetadata,
    resourceServerUrl: new URL(source.config.resourceUrl.href),
    ...(source.config.scopesSupported.length > 0 ? { scopesSupported: [...source.config.scopesSupported] } : {}),
    ...(name !== undefined ? { resourceName: name } : {}),
  };
}
