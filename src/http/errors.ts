/**
 * Typed refusals of the bearer gate and how each is answered on the wire. The wire text is fixed per
 * class (`error_description`); the detail (`reason`) is only for logs and the onAuthFailure hook.
 * Recognised by a registered symbol brand rather than `instanceof`, so errors from an ESM and a CJS
 * copy of this package are both understood.
 */
import { logSafe } from '../core/log-safe.js';
import { brandedInstanceOf, hasBrand, markBrand } from '../core/brand.js';
import type { GopherAuthError } from '../core/errors.js';
import { gopherGenerateWwwAuthenticateHeaderV2 } from '../core/www-authenticate.js';

export type BearerAuthErrorKind =
  | 'missing_token'
  | 'invalid_request'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'bad_request'
  | 'forbidden_origin'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'unavailable'
  | 'server_error';

const BRAND = Symbol.for('gopher-auth.BearerAuthError');

interface WireForm {
  status: number;
  /** RFC 6750 error code in the challenge; null: no challenge or a challenge without `error`. */
  error: string | null;
  challenge: boolean;
  body: Record<string, unknown>;
}

/** JSON-RPC error of MCP 2026-07-28 for headers that disagree with the body (SEP-2243). */
export const HEADER_MISMATCH_CODE = -32020;
/** JSON-RPC 2.0 "Parse error": the body is not JSON (what the MCP SDK answers too). */
export const PARSE_ERROR_CODE = -32700;

/** A 400 answered with a JSON-RPC error object rather than an OAuth-style body. */
export interface JsonRpcRefusal {
  readonly id: string | number | null;
  readonly code: number;
  readonly message: string;
}

export class BearerAuthError extends Error {
  readonly kind: BearerAuthErrorKind;
  /** Detailed reason for logs; never sent to the client. */
  readonly reason: string;
  readonly code: GopherAuthError | undefined;
  /** Everything the request needs (insufficient_scope). */
  readonly requiredScopes: readonly string[];
  /**
   * The challenge's `scope` (insufficient_scope): what the request needs plus the advertised scopes
   * the token already has, so a client that asks for exactly this keeps what it had (MCP
   * authorization 2025-11-25, runtime insufficient scope errors).
   */
  readonly challengeScopes: readonly string[];
  /** Fixed client-facing text. */
  readonly description: string;
  /** Set for Mcp-Method/Mcp-Name disagreements: answered as a JSON-RPC error to that request id. */
  readonly headerMismatch: { readonly id: string | number | null } | undefined;
  /** Set when the 400 is answered as a JSON-RPC error (header mismatch -32020, unparsable body -32700). */
  readonly jsonRpc: JsonRpcRefusal | undefined;

  constructor(
    kind: BearerAuthErrorKind,
    description: string,
    reason: string,
    extra: { code?: GopherAuthError; requiredScopes?: readonly string[]; challengeScopes?: readonly string[]; headerMismatch?: { id: string | number | null }; jsonRpc?: JsonRpcRefusal } = {},
  ) {
    super(description);
    this.name = 'BearerAuthError';
    this.kind = kind;
    this.description = description;
    // Reasons quote what the client sent (headers, names, the validation message): safe to log.
    this.reason = logSafe(reason);
    this.code = extra.code;
    this.requiredScopes = Object.freeze([...(extra.requiredScopes ?? [])]);
    this.challengeScopes = extra.challengeScopes === undefined ? this.requiredScopes : Object.freeze([...extra.challengeScopes]);
    this.headerMismatch = extra.headerMismatch === undefined ? undefined : Object.freeze({ id: extra.headerMismatch.id });
    this.jsonRpc = extra.jsonRpc === undefined ? undefined : Object.freeze({ ...extra.jsonRpc });
    markBrand(this, BRAND);
  }

  /** True for errors of either bundle (ESM or CJS) of this package, as isBearerAuthError. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return brandedInstanceOf(BearerAuthError, this, BRAND, value);
  }
}

/** Fixed `error_description` texts. */
export const DESCRIPTIONS = Object.freeze({
  missing_token: 'Authentication required',
  multiple_credentials: 'Send the access token in exactly one Authorization header',
  query_token: 'Access tokens are not accepted in the URL',
  malformed_authorization: "The Authorization header must be 'Bearer <token>'",
  invalid_token: 'The access token is invalid',
  expired_token: 'The access token has expired',
  insufficient_scope: 'The access token lacks a scope this request needs',
  bad_request: 'The request body is not JSON-RPC this server can check',
  parse_error: 'The request body is not valid JSON',
  header_mismatch: 'The Mcp-Method/Mcp-Name headers do not match the JSON-RPC body',
  forbidden_origin: 'Requests from this Origin are not allowed',
  payload_too_large: 'The request body is too large',
  unsupported_media_type: 'The request body must be JSON in UTF-8, without a Content-Encoding',
  unavailable: 'Token verification is temporarily unavailable',
  server_error: 'Token verification failed on the server',
});

export const authErrors = {
  missingToken: (reason = 'no bearer token in the request') =>
    new BearerAuthError('missing_token', DESCRIPTIONS.missing_token, reason),
  multipleCredentials: (reason: string) =>
    new BearerAuthError('invalid_request', DESCRIPTIONS.multiple_credentials, reason),
  queryToken: () =>
    new BearerAuthError('invalid_request', DESCRIPTIONS.query_token, 'access_token in the query string'),
  malformedAuthorization: (reason: string) =>
    new BearerAuthError('invalid_request', DESCRIPTIONS.malformed_authorization, reason),
  invalidToken: (reason: string, code?: GopherAuthError, expired = false) =>
    new BearerAuthError('invalid_token', expired ? DESCRIPTIONS.expired_token : DESCRIPTIONS.invalid_token, reason, { code }),
  /** `kept`: scopes the token has that the challenge should name too (see challengeScopes). */
  insufficientScope: (requiredScopes: readonly string[], reason: string, kept: readonly string[] = []) =>
    new BearerAuthError('insufficient_scope', DESCRIPTIONS.insufficient_scope, reason, {
      requiredScopes,
      challengeScopes: [...requiredScopes, ...kept.filter((s) => !requiredScopes.includes(s))],
    }),
  badRequest: (reason: string) => new BearerAuthError('bad_request', DESCRIPTIONS.bad_request, reason),
  /** The body is not JSON: answered as the JSON-RPC parse error the MCP SDK would give. */
  parseError: (reason: string) =>
    new BearerAuthError('bad_request', DESCRIPTIONS.parse_error, reason, { jsonRpc: { id: null, code: PARSE_ERROR_CODE, message: 'Parse error' } }),
  /** `id`: the JSON-RPC id of the request whose headers disagree (null when there is none). */
  headerMismatch: (reason: string, id: string | number | null) =>
    new BearerAuthError('bad_request', DESCRIPTIONS.header_mismatch, reason, {
      headerMismatch: { id },
      jsonRpc: { id, code: HEADER_MISMATCH_CODE, message: 'Bad Request: the request headers and body disagree' },
    }),
  forbiddenOrigin: (reason: string) => new BearerAuthError('forbidden_origin', DESCRIPTIONS.forbidden_origin, reason),
  payloadTooLarge: (reason: string) => new BearerAuthError('payload_too_large', DESCRIPTIONS.payload_too_large, reason),
  unsupportedMediaType: (reason: string) => new BearerAuthError('unsupported_media_type', DESCRIPTIONS.unsupported_media_type, reason),
  unavailable: (reason: string, code?: GopherAuthError) =>
    new BearerAuthError('unavailable', DESCRIPTIONS.unavailable, reason, { code }),
  serverError: (reason: string, code?: GopherAuthError) =>
    new BearerAuthError('server_error', DESCRIPTIONS.server_error, reason, { code }),
};

export function isBearerAuthError(value: unknown): value is BearerAuthError {
  return hasBrand(value, BRAND);
}

const STATUS: Readonly<Record<BearerAuthErrorKind, number>> = {
  missing_token: 401,
  invalid_request: 400,
  invalid_token: 401,
  insufficient_scope: 403,
  bad_request: 400,
  forbidden_origin: 403,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unavailable: 503,
  server_error: 500,
};

function wireForm(error: BearerAuthError): WireForm {
  const status = STATUS[error.kind];
  switch (error.kind) {
    case 'missing_token':
      return { status, error: null, challenge: true, body: { error: 'unauthorized', error_description: error.description } };
    case 'invalid_request':
    case 'invalid_token':
    case 'insufficient_scope':
      return { status, error: error.kind, challenge: true, body: { error: error.kind, error_description: error.description } };
    case 'bad_request':
      if (error.jsonRpc !== undefined) {
        // As MCP servers answer these: a 2026-07-28 client that gets a header mismatch without -32020
        // takes the server for a pre-2026 one; -32700 is what the SDK answers a body that is not JSON.
        const { id, code, message } = error.jsonRpc;
        return { status, error: null, challenge: false, body: { jsonrpc: '2.0', id, error: { code, message } } };
      }
      return { status, error: null, challenge: false, body: { error: 'invalid_request', error_description: error.description } };
    case 'forbidden_origin':
      return { status, error: null, challenge: false, body: { error: 'forbidden', error_description: error.description } };
    case 'payload_too_large':
    case 'unsupported_media_type':
      return { status, error: null, challenge: false, body: { error: 'invalid_request', error_description: error.description } };
    case 'unavailable':
      return { status, error: null, challenge: false, body: { error: 'temporarily_unavailable', error_description: error.description } };
    case 'server_error':
      return { status, error: null, challenge: false, body: { error: 'server_error', error_description: error.description } };
  }
}

/** The HTTP status for an error; anything that is not a BearerAuthError is a 500. */
export function httpStatus(error: unknown): number {
  return isBearerAuthError(error) ? STATUS[error.kind] : 500;
}

export interface ChallengeContext {
  /** Absolute URL of the protected-resource metadata (`resource_metadata`). */
  resourceMetadata: string;
  realm?: string;
  /**
   * The scopes every request needs (`requiredScopes`): the `scope` of 401 challenges, so a client
   * asks for them when it (re)authorizes instead of for everything the metadata lists (MCP
   * authorization 2025-11-25, scope selection). 403s name the request's own scopes (and the
   * advertised ones the token already has) instead.
   */
  scopes?: readonly string[];
}

function challengeScopes(error: BearerAuthError, context: ChallengeContext): readonly string[] | null {
  if (error.kind === 'insufficient_scope') return error.challengeScopes;
  if ((error.kind === 'missing_token' || error.kind === 'invalid_token') && context.scopes !== undefined && context.scopes.length > 0) return context.scopes;
  return null;
}

/**
 * The `WWW-Authenticate` value for an error, or null when the answer carries no challenge
 * (503, 500, 413, 400 body problems). 401 without a token has no `error` (RFC 6750 §3.1).
 */
export function wwwAuthenticate(error: unknown, context: ChallengeContext): string | null {
  if (!isBearerAuthError(error)) return null;
  const form = wireForm(error);
  if (!form.challenge) return null;
  return gopherGenerateWwwAuthenticateHeaderV2({
    realm: context.realm,
    resourceMetadata: context.resourceMetadata,
    error: form.error,
    errorDescription: form.error === null ? null : error.description,
    scopes: challengeScopes(error, context),
  });
}

export interface AuthErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Status, headers and JSON body for an error; framework adapters only copy these out. */
export function authErrorResponse(error: unknown, context: ChallengeContext & { retryAfterSeconds: number }): AuthErrorResponse {
  const known = isBearerAuthError(error) ? error : authErrors.serverError(String(error));
  const form = wireForm(known);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'cache-control': 'no-store',
  };
  const challenge = wwwAuthenticate(known, context);
  if (challenge !== null) headers['www-authenticate'] = challenge;
  if (known.kind === 'unavailable') headers['retry-after'] = String(context.retryAfterSeconds);
  return { status: form.status, headers, body: JSON.stringify(form.body) };
}
