/**
 * `gopherAuth(config)`: one call gives a bearer gate that is correct by default. The returned
 * function is Express 5 / node:http middleware; its properties are the other adapters.
 *
 *   const auth = gopherAuth({ resource: 'https://host/mcp', issuer, jwksUri });
 *   app.use(auth.metadata);          // RFC 9728 documents (+ CORS)
 *   app.all('/mcp', auth, handler);  // req.auth, getAuthInfo()
 */
import { GopherAuthClient } from '../core/client.js';
import type { ProtectedResourceMetadata } from '../core/metadata.js';
import type { AuthInfo } from './auth-info.js';
import { Authenticator, type AuthOutcome, type AuthRequest } from './authenticator.js';
import { resolveAuthConfig, type GopherAuthConfig, type ResolvedAuthConfig, type TokenClient } from './config.js';
import { corsHeaders } from './cors.js';
import { createMetadataMiddleware, createNodeMiddleware, type NodeMiddleware } from './express.js';
import { isBearerAuthError } from './errors.js';
import { DiscoveringClient } from './discovery.js';
import { createWebGate, createWebMetadataHandler, type WebGate } from './web.js';

export interface GopherAuth extends NodeMiddleware {
  /** The validated configuration and everything derived from it. */
  readonly config: ResolvedAuthConfig;
  /**
   * The token client in use: the one passed in, the GopherAuthClient the gate created, or — without
   * `jwksUri` — a wrapper that discovers the JWKS on first use (see `gopherAuthClient`).
   */
  readonly client: TokenClient;
  /**
   * The GopherAuthClient that validates (for `stats()`, `jwksStatus()`, `refreshJwks()`): the gate's
   * own, once discovered when it discovers, or yours when it is one; undefined otherwise.
   */
  readonly gopherAuthClient: GopherAuthClient | undefined;
  /** Serves the PRM documents (path-aware and root) with CORS; mount at the application root. */
  readonly metadata: NodeMiddleware;
  /** Web-standard gate: AuthInfo to go on, or the complete refusal Response. */
  readonly gate: WebGate;
  /** Web-standard PRM handler: a Response for the metadata paths, else null. */
  readonly metadataResponse: (request: Request) => Response | null;
  /** Framework-neutral decision, for other adapters. */
  authenticate(request: AuthRequest): Promise<AuthOutcome>;
  /**
   * Verifies a token for this resource (no per-call scopes); throws a BearerAuthError when refused,
   * after reporting it to `logger` and `onAuthFailure` as the gate reports its refusals (no method/path).
   */
  verifyAccessToken(token: string): Promise<AuthInfo>;
  /** CORS headers for an actual response to `origin` (for adapters answering themselves). */
  corsHeaders(origin: string | null | undefined): Record<string, string>;
  readonly resourceMetadataUrl: string;
  readonly protectedResourceMetadata: Readonly<ProtectedResourceMetadata>;
  /**
   * For start-up: discovers the JWKS (without `jwksUri`), loads the keys and readies the backend,
   * or rejects with the reason (a wrong issuer, an unreachable JWKS) — so a misconfigured server
   * fails when it starts instead of answering 503 to every request. Optional: the gate loads lazily.
   */
  ready(): Promise<void>;
  /** Destroys the client the gate created (not one passed in). Idempotent. */
  close(): void;
}

export function gopherAuth(config: GopherAuthConfig): GopherAuth {
  const resolved = resolveAuthConfig(config);
  const authenticator = new Authenticator(resolved);
  const middleware = createNodeMiddleware(authenticator);
  const { client } = authenticator;
  const gate = Object.assign(middleware, {
    config: resolved,
    client,
    metadata: createMetadataMiddleware(authenticator),
    gate: createWebGate(authenticator),
    metadataResponse: createWebMetadataHandler(authenticator),
    authenticate: (request: AuthRequest) => authenticator.authenticate(request),
    verifyAccessToken: async (token: string) => {
      const verified = await authenticator.verifyToken(token);
      if (isBearerAuthError(verified)) {
        authenticator.reportTokenRefusal(verified);
        throw verified;
      }
      return verified;
    },
    corsHeaders: (origin: string | null | undefined) => corsHeaders(resolved.cors, origin),
    resourceMetadataUrl: resolved.resourceMetadataUrl,
    protectedResourceMetadata: resolved.protectedResourceMetadata,
    ready: async () => {
      await client.ready?.();
    },
    close: () => authenticator.close(),
  });
  return Object.defineProperty(gate, 'gopherAuthClient', {
    enumerable: true,
    get: (): GopherAuthClient | undefined => (client instanceof GopherAuthClient ? client : client instanceof DiscoveringClient ? client.client : undefined),
  }) as GopherAuth;
}
