// The public API of gopher-auth. See docs/api.md for the contract.
export { GopherAuthClient } from './core/client.js';
export type { GopherAuthClientOptions, GopherAuthClientStats, ValidationOptionsInput } from './core/client.js';
export type { TokenCacheOptions, TokenCacheStats } from './core/token-cache.js';
export type { JwksTuning, NativeOptionName } from './core/client-options.js';
export { NATIVE_OPTION_NAMES } from './core/client-options.js';
export type { BackendMode } from './core/backend-selection.js';
export { GopherValidationOptions, gopherCreateValidationOptions, DEFAULT_CLOCK_SKEW_SECONDS } from './core/options.js';
export { GopherAuthError, GopherAuthException, getErrorDescription, isGopherAuthError } from './core/errors.js';
export type { ValidationResult, ValidResult, InvalidResult, TokenPayload } from './core/result.js';
export type { Logger } from './core/logger.js';
export type { JwksStatus } from './core/jwks/types.js';
export { hasAllScopes, hasAnyScope, readTokenScopes } from './core/scopes.js';
export { extractTokenPayload } from './core/payload.js';
export { JS_ALGORITHMS } from './backends/js/index.js';
export type { BackendName } from './backends/types.js';
export type { VerifyPoolStats } from './backends/js/index.js';
export {
  gopherInitAuthLibrary,
  gopherShutdownAuthLibrary,
  gopherGetAuthLibraryVersion,
  gopherIsAuthLibraryInitialized,
  gopherSetNativeLogger,
} from './core/library.js';
export { gopherGenerateWwwAuthenticateHeader, gopherGenerateWwwAuthenticateHeaderV2 } from './core/www-authenticate.js';
export type { WwwAuthenticateV2Params } from './core/www-authenticate.js';
export {
  buildProtectedResourceMetadata,
  buildAuthorizationServerMetadata,
  buildOpenIdConfiguration,
  protectedResourceMetadataUrl,
} from './core/metadata.js';
export type {
  ProtectedResourceMetadata,
  ProtectedResourceMetadataInput,
  AuthorizationServerMetadata,
  AuthorizationServerMetadataInput,
} from './core/metadata.js';
export { rootProtectedResourceMetadataUrl, authorizationServerMetadataUrls } from './core/metadata.js';
export { buildChallenge, quoteHeaderValue, formatScopes } from './core/www-authenticate.js';

// HTTP glue: one-call resource-server gate for Express 5 / node:http and web-standard frameworks.
export { gopherAuth } from './http/gopher-auth.js';
export type { GopherAuth } from './http/gopher-auth.js';
export { resolveAuthConfig } from './http/config.js';
export type { GopherAuthConfig, ResolvedAuthConfig, TokenClient, ScopeMap, CorsConfig } from './http/config.js';
export type { AuthInfo } from './http/auth-info.js';
export type { AuthFailureEvent } from './http/failure.js';
export type { AuthRequest, AuthOutcome } from './http/authenticator.js';
export type { WebGate } from './http/web.js';
export {
  BearerAuthError,
  isBearerAuthError,
  httpStatus,
  wwwAuthenticate,
  authErrorResponse,
  authErrors,
} from './http/errors.js';
export type { BearerAuthErrorKind, ChallengeContext, AuthErrorResponse } from './http/errors.js';
export { getAuthInfo, requireAuthInfo, runWithAuthInfo } from './http/context.js';
export { extractBearerToken } from './http/token.js';
export { requiredScopesFor } from './http/jsonrpc.js';
export type { ScopeRules, McpHeaders, Requirement } from './http/jsonrpc.js';

// MCP SDK adapter.
export { createTokenVerifier, sdkBearerAuthOptions, sdkErrorFor, sdkMetadataRouterOptions } from './mcp/verifier.js';
export type { GopherTokenVerifier, SdkAuthErrorClasses, SdkAuthErrors, SdkOAuthErrorNamespace, TokenVerifierOptions } from './mcp/verifier.js';
export { SessionBinding } from './mcp/session-binding.js';
export type { SessionBindingOptions, SessionCheck } from './mcp/session-binding.js';
