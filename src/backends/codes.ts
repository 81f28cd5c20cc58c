/**
 * Error codes of the gopher-auth C API (`gopher_auth_error_t`), shared by every backend.
 * Texts are exactly what `gopher_auth_error_to_string` returns.
 */
export enum GopherAuthError {
  SUCCESS = 0,
  INVALID_TOKEN = -1000,
  EXPIRED_TOKEN = -1001,
  INVALID_SIGNATURE = -1002,
  INVALID_ISSUER = -1003,
  INVALID_AUDIENCE = -1004,
  INSUFFICIENT_SCOPE = -1005,
  JWKS_FETCH_FAILED = -1006,
  INVALID_KEY = -1007,
  NETWORK_ERROR = -1008,
  INVALID_CONFIG = -1009,
  OUT_OF_MEMORY = -1010,
  INVALID_PARAMETER = -1011,
  NOT_INITIALIZED = -1012,
  INTERNAL_ERROR = -1013,
  TOKEN_EXCHANGE_FAILED = -1014,
  IDP_NOT_LINKED = -1015,
  INVALID_IDP_ALIAS = -1016,
}

export const ERROR_TEXT: Readonly<Record<GopherAuthError, string>> = {
  [GopherAuthError.SUCCESS]: 'Success',
  [GopherAuthError.INVALID_TOKEN]: 'Invalid or malformed JWT token',
  [GopherAuthError.EXPIRED_TOKEN]: 'JWT token has expired',
  [GopherAuthError.INVALID_SIGNATURE]: 'JWT signature verification failed',
  [GopherAuthError.INVALID_ISSUER]: 'Token issuer does not match',
  [GopherAuthError.INVALID_AUDIENCE]: 'Token audience does not match',
  [GopherAuthError.INSUFFICIENT_SCOPE]: 'Token lacks required scopes',
  [GopherAuthError.JWKS_FETCH_FAILED]: 'Failed to fetch JWKS',
  [GopherAuthError.INVALID_KEY]: 'No valid signing key found',
  [GopherAuthError.NETWORK_ERROR]: 'Network communication error',
  [GopherAuthError.INVALID_CONFIG]: 'Invalid configuration',
  [GopherAuthError.OUT_OF_MEMORY]: 'Memory allocation failed',
  [GopherAuthError.INVALID_PARAMETER]: 'Invalid parameter',
  [GopherAuthError.NOT_INITIALIZED]: 'Library not initialized',
  [GopherAuthError.INTERNAL_ERROR]: 'Internal library error',
  [GopherAuthError.TOKEN_EXCHANGE_FAILED]: 'Token exchange failed',
  [GopherAuthError.IDP_NOT_LINKED]: 'Account not linked to IDP',
  [GopherAuthError.INVALID_IDP_ALIAS]: 'Invalid IDP alias',
};

export function isGopherAuthError(code: unknown): code is GopherAuthError {
  return typeof code === 'number' && Object.prototype.hasOwnProperty.call(ERROR_TEXT, code);
}

/** The library's text for a code; unknown codes get a text that names them. */
export function getErrorDescription(code: number): string {
  return isGopherAuthError(code) ? ERROR_TEXT[code] : `Unknown error code ${code}`;
}
