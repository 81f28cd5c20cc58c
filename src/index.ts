// The public API of gopher-auth. See docs/api.md for the contract.
export { GopherAuthClient } from './core/client.js';
export type { GopherAuthClientOptions, ValidationOptionsInput } from './core/client.js';
export type { JwksTuning, NativeOptionName } from './core/client-options.js';
export { NATIVE_OPTION_NAMES } from './core/client-options.js';
export type { BackendMode } from './core/backend-selection.js';
export { GopherValidationOptions, gopherCreateValidationOptions, DEFAULT_CLOCK_SKEW_SECONDS } from './core/options.js';
export { GopherAuthError, GopherAuthException, getErrorDescription, isGopherAuthError } from './core/errors.js';
export type { ValidationResult, TokenPayload } from './core/result.js';
export type { Logger } from './core/logger.js';
export type { JwksStatus } from './core/jwks/types.js';
export { hasAllScopes, hasAnyScope, readTokenScopes } from './core/scopes.js';
export { extractTokenPayload } from './core/payload.js';
export { JS_ALGORITHMS } from './backends/js/index.js';
export type { BackendName } from './backends/types.js';
export {
  gopherInitAuthLibrary,
  gopherShutdownAuthLibrary,
  gopherGetAuthLibraryVersion,
  gopherIsAuthLibraryInitialized,
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
