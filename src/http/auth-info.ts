/**
 * The verified identity of one request, shaped exactly like the MCP SDK's `AuthInfo`
 * (`@modelcontextprotocol/sdk/server/auth/types.js`) so it can be handed to the SDK as is.
 */
export interface AuthInfo {
  /** The access token as received. */
  token: string;
  /** `client_id` claim (RFC 9068), else `azp`, else ''. */
  clientId: string;
  /** Scopes granted by the token (the first of `scope`, `scp`, `scopes` it carries). Frozen: copy it to change it. */
  scopes: string[];
  /** `exp` in seconds since the epoch. */
  expiresAt?: number;
  /** The protected resource the token was verified for (its audience). */
  resource?: URL;
  /** Every claim of the verified token. */
  extra?: Record<string, unknown>;
}
