import type { GopherAuthError } from '../core/errors.js';
import type { BearerAuthErrorKind } from './errors.js';

/** The detailed reason of one refusal; goes to the logger and `onAuthFailure`, never to the wire. */
export interface AuthFailureEvent {
  kind: BearerAuthErrorKind;
  status: number;
  /** Human-readable detail (expected vs actual issuer, unknown kid, missing scopes, …). */
  reason: string;
  /** The validation code when a token was checked. */
  code?: GopherAuthError;
  /** Scopes the request needed (insufficient_scope). */
  requiredScopes?: readonly string[];
  /** Scopes the token carried (insufficient_scope). */
  grantedScopes?: readonly string[];
  /** JSON-RPC methods and names in the body that set the requirement. */
  calls?: readonly string[];
  /** `sub` of the verified token (insufficient_scope only). Not logged by the library. */
  subject?: string | null;
  /**
   * The request's method and path. Absent for a refusal through `verifyAccessToken` (the MCP SDK's
   * `requireBearerAuth` with `sdkBearerAuthOptions`/`createTokenVerifier`), which sees only the token.
   */
  method?: string;
  path?: string;
}
