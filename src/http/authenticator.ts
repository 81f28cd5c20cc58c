/**
 * The framework-neutral gate: token from the request, verdict from the client, scopes from the
 * JSON-RPC body, identity as AuthInfo. Adapters (Express, web-standard, MCP SDK) only translate.
 * Order: token shape (400/401) → signature and claims (401/503) → body rules (400/413) → scopes (403).
 */
import { GopherAuthClient } from '../core/client.js';
import { describeClaim, refusalDetail } from './refusal-detail.js';
import { GopherAuthError } from '../core/errors.js';
import { DiscoveringClient } from './discovery.js';
import { DEFAULT_CLOCK_SKEW_SECONDS, GopherValidationOptions } from '../core/options.js';
import { sameIssuer } from '../core/metadata.js';
import { extractTokenPayload } from '../core/payload.js';
import { logSafe } from '../core/log-safe.js';
import type { AuthInfo } from './auth-info.js';
import type { ResolvedAuthConfig, TokenClient } from './config.js';
import { authErrors, httpStatus, isBearerAuthError, type BearerAuthError } from './errors.js';
import type { AuthFailureEvent } from './failure.js';
import { requiredScopesFor } from './jsonrpc.js';
import { extractBearerToken } from './token.js';
import { TokenIdentities } from './token-identity.js';

export interface AuthRequest {
  /** HTTP method. */
  method: string;
  /** Path and query as received (for logs; the query is searched for `access_token`). */
  url: string;
  /** Every Authorization header value as received. */
  authorization: readonly string[] | undefined;
  mcpMethod?: string | undefined;
  mcpName?: string | undefined;
  /** The `Origin` header, when sent (browsers send it; with a `cors.origin` list, others get 403). */
  origin?: string | undefined;
  /**
   * The parsed JSON-RPC body (undefined when there is none). Called only once the token is valid;
   * may throw a BearerAuthError (too large, unparsable).
   */
  body: () => Promise<unknown>;
}

export type AuthOutcome = { authInfo: AuthInfo } | { error: BearerAuthError };

const UNAVAILABLE = new Set<GopherAuthError>([GopherAuthError.JWKS_FETCH_FAILED, GopherAuthError.NETWORK_ERROR]);
const SERVER_FAULT = new Set<GopherAuthError>([
  GopherAuthError.INVALID_CONFIG,
  GopherAuthError.OUT_OF_MEMORY,
  GopherAuthError.NOT_INITIALIZED,
  GopherAuthError.INTERNAL_ERROR,
]);

export class Authenticator {
  readonly config: ResolvedAuthConfig;
  readonly client: TokenClient;
  readonly #ownsClient: boolean;
  readonly #options: GopherValidationOptions;
  readonly #identities = new TokenIdentities();
  /** Reads a validated token's claims: without the client when it is one of ours (it may be closed by then). */
  readonly #decoder: Pick<TokenClient, 'extractPayload'>;
  readonly #expirySkew: number | null;
  #closed = false;

  constructor(config: ResolvedAuthConfig) {
    this.config = config;
    if (config.client !== undefined) {
      this.client = config.client;
      this.#ownsClient = false;
    } else {
      const clientOptions = {
        ...config.clientOptions,
        // An MCP client sends the same bearer token on every request: cache verdicts unless told not to.
        tokenCache: config.clientOptions.tokenCache ?? true,
        ...(config.backend !== undefined ? { backend: config.backend } : {}),
        logger: config.logger,
      };
      this.client =
        config.jwksUri !== undefined
          ? new GopherAuthClient(config.jwksUri, config.issuer, clientOptions)
          : // A failed discovery is tried again when the 503's Retry-After says to come back.
            new DiscoveringClient({ issuer: config.issuer, clientOptions, logger: config.logger, allowInsecureHttp: config.allowInsecureHttp, retryAfterSeconds: config.retryAfterSeconds });
      this.#ownsClient = true;
    }
    // A subclass may read claims its own way: only this package's own client is bypassed.
    const ours = this.#ownsClient || Object.getPrototypeOf(this.client) === GopherAuthClient.prototype;
    this.#decoder = ours ? { extractPayload: extractTokenPayload } : this.client;
    // Another validator may not check exp at all (the SDK's requireBearerAuth checks it too); ours does.
    this.#expirySkew = ours ? null : (config.clockSkew ?? DEFAULT_CLOCK_SKEW_SECONDS);
    const options = new GopherValidationOptions().setAudience(config.audience);
    if (config.clockSkew !== undefined) options.setClockSkew(config.clockSkew);
    this.#options = options;
  }

  /** Verifies a bearer token (no per-call scopes). Resolves with AuthInfo or a typed refusal. */
  async verifyToken(token: string): Promise<AuthInfo | BearerAuthError> {
    // A server shutting down: "come back later", whoever owns the client.
    if (this.#closed) return authErrors.unavailable('the gate is closed');
    let verdict;
    try {
      verdict = await this.client.validateToken(token, this.#options);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // Requests still arriving while the server shuts down: "come back later", not a server fault.
      if (this.#closed) return authErrors.unavailable(`the gate is closed: ${message}`);
      return authErrors.serverError(`validateToken threw: ${message}`);
    }
    // Only a plain "valid, code 0" is an acceptance: a custom client written in JS can answer anything.
    if (verdict.valid !== true || verdict.errorCode !== GopherAuthError.SUCCESS) {
      const reason = `${verdict.errorMessage ?? `validation failed with code ${String(verdict.errorCode)}`}${refusalDetail(verdict.errorCode, token, this.config)}`;
      if (UNAVAILABLE.has(verdict.errorCode)) return authErrors.unavailable(reason, verdict.errorCode);
      // No key for this kid while the JWKS endpoint is failing: the key may well exist (rotation), so
      // the honest answer is "try later", not "your token is bad" (which sends clients round a re-auth loop).
      const jwksError = verdict.errorCode === GopherAuthError.INVALID_KEY ? this.#jwksError() : null;
      if (jwksError !== null) return authErrors.unavailable(`${reason}; the JWKS endpoint is failing: ${jwksError}`, verdict.errorCode);
      if (SERVER_FAULT.has(verdict.errorCode)) return authErrors.serverError(reason, verdict.errorCode);
      return authErrors.invalidToken(reason, verdict.errorCode, verdict.errorCode === GopherAuthError.EXPIRED_TOKEN);
    }
    let identity;
    try {
      identity = this.#identities.of(token, this.#decoder);
    } catch (error) {
      // A custom client's extractPayload that throws; claims nested past what can be walked.
      return authErrors.serverError(`the claims of a valid token could not be read: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (identity === null) return authErrors.serverError('a valid token could not be decoded');
    // A bearer token without exp would be a credential forever (RFC 9068 requires exp; the SDK refuses it too).
    if (identity.expiresAt === null) return authErrors.invalidToken('the token has no numeric exp claim');
    if (this.#expirySkew !== null && identity.expiresAt + this.#expirySkew < Date.now() / 1000) {
      return authErrors.invalidToken(`the client called valid a token that expired at ${identity.expiresAt} (clockSkew ${this.#expirySkew} s)`, GopherAuthError.EXPIRED_TOKEN, true);
    }
    // A client handed in may check another issuer than the one this gate announces (its metadata
    // names config.issuer as the authorization server): the token must be that issuer's.
    if (!this.#ownsClient && !(typeof identity.claims.iss === 'string' && sameIssuer(identity.claims.iss, this.config.issuer))) {
      return authErrors.invalidToken(
        `the client called valid a token whose iss is ${describeClaim(identity.claims.iss)}, not this gate's issuer ${JSON.stringify(this.config.issuer)}`,
        GopherAuthError.INVALID_ISSUER,
      );
    }
    return {
      token,
      clientId: identity.clientId,
      // Shared by every request with this token, hence frozen (docs/http.md).
      scopes: identity.scopes as string[],
      expiresAt: identity.expiresAt,
      resource: new URL(this.config.resourceUrl.href),
      extra: identity.claims as Record<string, unknown>,
    };
  }

  #jwksError(): string | null {
    try {
      return this.client.jwksStatus?.().lastError ?? null;
    } catch {
      return null;
    }
  }

  /**
   * For adapters that answer OPTIONS themselves (preflights need no token): the 403 a present but
   * disallowed Origin gets, reported as any refusal, or null.
   */
  refuseOrigin(request: Pick<AuthRequest, 'method' | 'url' | 'origin'>): BearerAuthError | null {
    const refused = this.#originRefusal(request.origin);
    if (refused !== null) this.#report(refused, { ...request, authorization: [], body: async () => undefined });
    return refused;
  }

  /** MCP transports: a present but disallowed Origin MUST get 403 (DNS rebinding, cross-site use). */
  #originRefusal(origin: string | undefined): BearerAuthError | null {
    const cors = this.config.cors;
    if (origin === undefined || cors === null || cors.origin === '*' || cors.origin.includes(origin)) return null;
    return authErrors.forbiddenOrigin(`Origin ${JSON.stringify(origin)} is not in cors.origin`);
  }

  async authenticate(request: AuthRequest): Promise<AuthOutcome> {
    const outcome = await this.#decide(request);
    if ('error' in outcome) this.#report(outcome.error, request, outcome.context);
    return 'error' in outcome ? { error: outcome.error } : outcome;
  }

  async #decide(
    request: AuthRequest,
  ): Promise<{ authInfo: AuthInfo } | { error: BearerAuthError; context?: Partial<AuthFailureEvent> }> {
    const refused = this.#originRefusal(request.origin);
    if (refused !== null) return { error: refused };
    const query = request.url.indexOf('?');
    const lookup = extractBearerToken(request.authorization, query === -1 ? '' : request.url.slice(query));
    if ('error' in lookup) return lookup;

    const verified = await this.verifyToken(lookup.token);
    if (isBearerAuthError(verified)) return { error: verified };

    let body: unknown;
    try {
      body = await request.body();
    } catch (error) {
      if (isBearerAuthError(error)) return { error };
      // Typically the client aborted mid-body; nothing was dispatched.
      return { error: authErrors.badRequest(`reading the body failed: ${error instanceof Error ? error.message : String(error)}`) };
    }
    const requirement = requiredScopesFor(body, { method: request.mcpMethod, name: request.mcpName }, this.config);
    if ('error' in requirement) return requirement;

    const granted = new Set(verified.scopes);
    const missing = requirement.required.filter((s) => !granted.has(s));
    if (missing.length > 0) {
      return {
        error: authErrors.insufficientScope(
          requirement.required,
          `missing scopes: ${missing.join(' ')}`,
          verified.scopes.filter((s) => this.config.scopesSupported.includes(s)),
        ),
        context: {
          requiredScopes: requirement.required,
          grantedScopes: verified.scopes,
          calls: loggableCalls(requirement.calls),
          subject: typeof verified.extra?.['sub'] === 'string' ? verified.extra['sub'] : null,
        },
      };
    }
    return { authInfo: verified };
  }

  /** A refusal of `verifyAccessToken` (the SDK adapters' path: no request to describe), reported as the gate's are. */
  reportTokenRefusal(error: BearerAuthError): void {
    this.#report(error, undefined);
  }

  #report(error: BearerAuthError, request: AuthRequest | undefined, context: Partial<AuthFailureEvent> = {}): void {
    const query = request?.url.indexOf('?') ?? -1;
    const event: AuthFailureEvent = {
      kind: error.kind,
      status: httpStatus(error),
      reason: error.reason,
      ...(error.code !== undefined ? { code: error.code } : {}),
      ...context,
      ...(request !== undefined ? { method: request.method, path: query === -1 ? request.url : request.url.slice(0, query) } : {}),
    };
    const { subject: _subject, ...loggable } = event;
    const logger = this.config.logger;
    try {
      if (event.status >= 500) logger.error(loggable, 'gopher-auth: request refused');
      else if (event.kind === 'missing_token') logger.debug(loggable, 'gopher-auth: request refused');
      else logger.warn(loggable, 'gopher-auth: request refused');
    } catch {
      // a broken logger must not turn a refusal into a crash
    }
    if (this.config.onAuthFailure !== undefined) {
      try {
        this.config.onAuthFailure(event);
      } catch (hookError) {
        try {
          logger.error({ err: String(hookError) }, 'gopher-auth: onAuthFailure threw');
        } catch {
          // ignore
        }
      }
    }
  }

  /** Destroys the client when this gate created it. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#identities.clear();
    if (this.#ownsClient) this.client.destroy?.();
  }
}

/** Calls named in a refusal's report: the names are the client's text, so escaped and cut, and at most this many. */
const MAX_REPORTED_CALLS = 20;

function loggableCalls(calls: readonly string[]): string[] {
  const shown = calls.slice(0, MAX_REPORTED_CALLS).map((call) => logSafe(call));
  if (calls.length > MAX_REPORTED_CALLS) shown.push(`... (${calls.length - MAX_REPORTED_CALLS} more)`);
  return shown;
}
