import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isSupportedGrant, type ClientRegistry, type RegisteredClient, type TokenEndpointAuthMethod } from './clients.js';
import type { Grant, GrantStore } from './grants.js';
import { HttpError, errorDescription, readForm, readJson, sendJson, single, splitScope } from './http-util.js';
import { matchesRegisteredRedirect } from './redirect-uris.js';
import { narrowResources, parseResources } from './resource-indicators.js';
import type { IssueTokenParams } from './tokens.js';

export const PATHS = {
  metadata: '/.well-known/oauth-authorization-server',
  authorize: '/protocol/openid-connect/auth',
  token: '/protocol/openid-connect/token',
  jwks: '/protocol/openid-connect/certs',
  register: '/clients-registrations/openid-connect',
  rotateKeys: '/admin/rotate-keys',
} as const;

export interface EndpointContext {
  issuer: string;
  scopes: readonly string[];
  clients: ClientRegistry;
  grants: GrantStore;
  defaultSubject: string;
  defaultAudience: string | undefined;
  sign(params: IssueTokenParams): Promise<{ token: string; expiresIn: number }>;
}

export function authorizationServerMetadata(issuer: string, scopes: readonly string[]): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: issuer + PATHS.authorize,
    token_endpoint: issuer + PATHS.token,
    jwks_uri: issuer + PATHS.jwks,
    registration_endpoint: issuer + PATHS.register,
    scopes_supported: [...scopes],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post'],
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
  };
}

/** GET /authorize: validates the request, consents automatically, redirects back with a code. */
export function handleAuthorize(ctx: EndpointContext, url: URL, res: ServerResponse): void {
  const q = url.searchParams;
  const clientId = single(q, 'client_id');
  const client = clientId === undefined ? undefined : ctx.clients.get(clientId);
  if (!client) throw new HttpError(400, 'invalid_request', 'unknown client_id');
  // Answered here, before any redirect URI is looked at: only a code-flow client may be sent back anywhere.
  if (!client.grant_types.includes('authorization_code')) {
    throw new HttpError(400, 'unauthorized_client', 'client may not use authorization_code');
  }
  const requestedRedirect = single(q, 'redirect_uri');
  const redirectUri = requestedRedirect ?? (client.redirect_uris.length === 1 ? client.redirect_uris[0] : undefined);
  // Never redirect to an unregistered URI (RFC 6749 §4.1.2.1): answer here instead. Loopback IP
  // redirects match with any port (RFC 8252 §7.3).
  if (redirectUri === undefined || !matchesRegisteredRedirect(client.redirect_uris, redirectUri)) {
    throw new HttpError(400, 'invalid_request', 'redirect_uri missing or not registered for this client');
  }
  // Echoed exactly as received, an empty value included (RFC 6749 §4.1.2).
  const states = q.getAll('state');
  if (states.length > 1) throw new HttpError(400, 'invalid_request', 'parameter state repeated');
  const state = states[0];
  const back = new URL(redirectUri);
  try {
    if (single(q, 'response_type') !== 'code') throw new HttpError(400, 'unsupported_response_type', 'only response_type=code');
    const challenge = single(q, 'code_challenge');
    if (challenge === undefined || !/^[A-Za-z0-9_-]{43}$/.test(challenge)) {
      throw new HttpError(400, 'invalid_request', 'PKCE code_challenge (S256) is required');
    }
    if (single(q, 'code_challenge_method') !== 'S256') {
      throw new HttpError(400, 'invalid_request', 'code_challenge_method must be S256');
    }
    const scope = ctx.clients.grantScope(client, single(q, 'scope'));
    const resources = parseResources(q.getAll('resource'));
    audienceFor(ctx, resources); // a code the token endpoint would refuse (invalid_target) is not issued
    const code = ctx.grants.issueCode({
      clientId: client.client_id,
      subject: single(q, 'login_hint') ?? ctx.defaultSubject,
      scope,
      resources,
      redirectUri,
      redirectUriGiven: requestedRedirect !== undefined,
      codeChallenge: challenge,
    });
    back.searchParams.set('code', code);
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    back.searchParams.set('error', err.error);
    back.searchParams.set('error_description', errorDescription(err.description));
  }
  if (state !== undefined) back.searchParams.set('state', state);
  back.searchParams.set('iss', ctx.issuer);
  res.writeHead(302, { location: back.href, 'cache-control': 'no-store' });
  res.end();
}

/** application/x-www-form-urlencoded decoding; a bad escape is a failed client authentication (RFC 6749 §5.2). */
function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    throw new HttpError(401, 'invalid_client', 'malformed Basic credentials');
  }
}

function clientCredentialsFrom(req: IncomingMessage, form: URLSearchParams): {
  clientId?: string;
  clientSecret?: string;
  method: TokenEndpointAuthMethod;
} {
  const header = req.headers.authorization;
  const bodyId = single(form, 'client_id');
  const bodySecret = single(form, 'client_secret');
  if (header !== undefined && /^basic /i.test(header)) {
    if (bodySecret !== undefined) throw new HttpError(400, 'invalid_request', 'use one client authentication method');
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new HttpError(401, 'invalid_client', 'malformed Basic credentials');
    // RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
    const id = formDecode(decoded.slice(0, colon));
    const secret = formDecode(decoded.slice(colon + 1));
    if (bodyId !== undefined && bodyId !== id) throw new HttpError(400, 'invalid_request', 'client_id mismatch');
    return { clientId: id, clientSecret: secret, method: 'client_secret_basic' };
  }
  if (bodySecret !== undefined) return { clientId: bodyId, clientSecret: bodySecret, method: 'client_secret_post' };
  return { clientId: bodyId, method: 'none' };
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

function audienceFor(ctx: EndpointContext, resources: string[]): string | string[] {
  if (resources.length === 1) return resources[0] as string;
  if (resources.length > 1) return resources;
  if (ctx.defaultAudience !== undefined) return ctx.defaultAudience;
  throw new HttpError(400, 'invalid_target', 'the resource parameter (RFC 8707) is required: tokens are bound to one resource');
}

/**
 * Signs the access token for `grant`; `issueRefresh` runs first, before the signing awaits, so that a
 * replayed code or refresh token arriving meanwhile already finds the new token to revoke.
 */
async function tokenResponse(
  ctx: EndpointContext,
  res: ServerResponse,
  client: RegisteredClient,
  grant: Grant,
  issueRefresh?: () => string,
): Promise<void> {
  const audience = audienceFor(ctx, grant.resources);
  const refreshToken = issueRefresh?.();
  const { token, expiresIn } = await ctx.sign({ subject: grant.subject, scope: grant.scope, audience, clientId: client.client_id });
  sendJson(res, 200, {
    access_token: token,
    token_type: 'Bearer',
    expires_in: expiresIn,
    scope: grant.scope,
    ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
  });
}

/** POST /token: authorization_code (PKCE S256), refresh_token (rotating), client_credentials. */
export async function handleToken(ctx: EndpointContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const form = await readForm(req);
  const client = ctx.clients.authenticate(clientCredentialsFrom(req, form));
  const grantType = single(form, 'grant_type');
  if (grantType === undefined) throw new HttpError(400, 'invalid_request', 'grant_type is required');
  // A grant this server does not implement is not the client's fault (RFC 6749 §5.2): asked before its grant list.
  if (!isSupportedGrant(grantType)) throw new HttpError(400, 'unsupported_grant_type', `unsupported grant_type ${grantType}`);
  if (!client.grant_types.includes(grantType)) {
    throw new HttpError(400, 'unauthorized_client', `client may not use ${grantType}`);
  }
  const requestedResources = parseResources(form.getAll('resource'));
  const canRefresh = client.grant_types.includes('refresh_token');

  if (grantType === 'authorization_code') {
    const code = single(form, 'code');
    const verifier = single(form, 'code_verifier');
    if (code === undefined || verifier === undefined) throw new HttpError(400, 'invalid_request', 'code and code_verifier are required');
    const pending = ctx.grants.takeCode(code);
    if (!pending || pending.clientId !== client.client_id) throw new HttpError(400, 'invalid_grant', 'unknown, used or expired code');
    // RFC 6749 §4.1.3: required only if the authorization request had it; when sent, it must be the one used.
    const presentedRedirect = single(form, 'redirect_uri');
    if (presentedRedirect === undefined ? pending.redirectUriGiven : presentedRedirect !== pending.redirectUri) {
      throw new HttpError(400, 'invalid_grant', 'redirect_uri does not match the authorization request');
    }
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || s256(verifier) !== pending.codeChallenge) {
      throw new HttpError(400, 'invalid_grant', 'PKCE verification failed');
    }
    const grant: Grant = { ...pending, resources: narrowResources(pending.resources, requestedResources) };
    await tokenResponse(ctx, res, client, grant, canRefresh ? () => ctx.grants.startRefreshFamily(grant, code) : undefined);
    return;
  }
  if (grantType === 'refresh_token') {
    const presented = single(form, 'refresh_token');
    const found = presented === undefined ? undefined : ctx.grants.findRefreshToken(presented);
    if (!found || found.grant.clientId !== client.client_id) throw new HttpError(400, 'invalid_grant', 'unknown, used, expired or revoked refresh token');
    const original = found.grant;
    const wanted = splitScope(single(form, 'scope'));
    const allowed = splitScope(original.scope);
    if (wanted.some((s) => !allowed.includes(s))) throw new HttpError(400, 'invalid_scope', 'scope exceeds the original grant');
    const narrowed: Grant = {
      ...original,
      scope: wanted.length > 0 ? wanted.join(' ') : original.scope,
      resources: narrowResources(original.resources, requestedResources),
    };
    // Rotation: the new refresh token carries the original grant, so narrowing once is not forever.
    await tokenResponse(ctx, res, client, narrowed, () => ctx.grants.rotateRefreshToken(found.familyId));
    return;
  }
  if (grantType === 'client_credentials') {
    const grant: Grant = {
      clientId: client.client_id,
      subject: client.client_id,
      scope: ctx.clients.grantScope(client, single(form, 'scope')),
      resources: requestedResources,
    };
    await tokenResponse(ctx, res, client, grant);
    return;
  }
  throw new HttpError(400, 'unsupported_grant_type', `unsupported grant_type ${grantType}`);
}

/** POST /register (RFC 7591). The response carries a secret only for a confidential client, to its registrant. */
export async function handleRegister(ctx: EndpointContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJson(req);
  const client = ctx.clients.register(body as Parameters<ClientRegistry['register']>[0]);
  sendJson(res, 201, client);
}
