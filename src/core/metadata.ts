/**
 * Metadata documents: RFC 9728 protected-resource metadata (PRM) and RFC 8414 authorization-server
 * metadata (plus its OpenID Connect discovery superset). Builders return plain JSON-safe objects
 * (strings and arrays of strings only, absent members omitted); serialise them with JSON.stringify.
 * PRM never advertises the `query` bearer method: tokens in URLs leak into logs and are forbidden
 * by the MCP authorization spec.
 */
import { GopherAuthError, GopherAuthException } from './errors.js';
import { isScopeToken } from './scopes.js';
import { issuerMatches } from '../backends/js/claims.js';

export const PRM_WELL_KNOWN = '/.well-known/oauth-protected-resource';
export const AS_WELL_KNOWN = '/.well-known/oauth-authorization-server';
export const OIDC_WELL_KNOWN = '/.well-known/openid-configuration';

export type BearerMethod = 'header' | 'body';

export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers?: string[];
  jwks_uri?: string;
  scopes_supported?: string[];
  bearer_methods_supported: BearerMethod[];
  resource_signing_alg_values_supported?: string[];
  resource_name?: string;
  resource_documentation?: string;
  resource_policy_uri?: string;
  resource_tos_uri?: string;
}

export interface ProtectedResourceMetadataInput {
  resource: string;
  authorizationServers?: readonly string[];
  scopesSupported?: readonly string[];
  /** Default `['header']`. `query` is refused. */
  bearerMethodsSupported?: readonly BearerMethod[];
  jwksUri?: string;
  resourceName?: string;
  resourceDocumentation?: string;
  resourcePolicyUri?: string;
  resourceTosUri?: string;
  resourceSigningAlgValuesSupported?: readonly string[];
}

function invalid(message: string): never {
  throw new GopherAuthException(GopherAuthError.INVALID_CONFIG, message);
}

/**
 * Two issuer identifiers alike but for one trailing `/` on either side: the very rule token
 * validation applies (the gate's own `iss` check and the metadata must never disagree with it).
 */
export const sameIssuer: (a: string, b: string) => boolean = issuerMatches;

/** Parses an absolute http(s) URL without fragment; refuses anything else with a message naming `what`. */
export function parseHttpUrl(value: unknown, what: string): URL {
  if (typeof value !== 'string' || value === '') invalid(`${what} must be a non-empty absolute URL string`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    invalid(`${what} is not an absolute URL: ${JSON.stringify(value)}`);
  }
  // The https-only rule (RFC 8414 §2, RFC 9728 §1.2) is the caller's: gopherAuth() enforces it, loopback and allowInsecureHttp aside.
  if (url.protocol !== 'https:' && url.protocol !== 'http:') invalid(`${what} must use https or http: ${value}`);
  if (value.includes('#')) invalid(`${what} must not contain a fragment: ${value}`);
  if (url.username !== '' || url.password !== '') invalid(`${what} must not contain credentials`);
  return url;
}

/** RFC 6749 §3.3 scope-tokens, as stringList. */
function scopeList(value: readonly string[] | undefined, what: string): string[] | undefined {
  const list = stringList(value, what);
  for (const scope of list ?? []) if (!isScopeToken(scope)) invalid(`${what}: ${JSON.stringify(scope)} is not a scope-token (RFC 6749 §3.3)`);
  return list;
}

/** RFC 9728 §2: "The value none MUST NOT be used." */
function signingAlgs(value: readonly string[] | undefined): string[] | undefined {
  const algs = stringList(value, 'resourceSigningAlgValuesSupported');
  if (algs?.includes('none')) invalid('resourceSigningAlgValuesSupported must not contain "none" (RFC 9728 §2)');
  return algs;
}

function stringList(value: readonly string[] | undefined, what: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) invalid(`${what} must be an array of strings`);
  const out: string[] = [];
  for (const item of value) {
    if (typeof item !== 'string' || item === '') invalid(`${what} must contain non-empty strings`);
    if (!out.includes(item)) out.push(item);
  }
  return out;
}

function optionalString(value: string | undefined, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') invalid(`${what} must be a string`);
  return value === '' ? undefined : value;
}

function optionalUrl(value: string | undefined, what: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  parseHttpUrl(value, what);
  return value;
}

function compact<T extends object>(doc: T): T {
  for (const key of Object.keys(doc) as (keyof T)[]) {
    if (doc[key] === undefined) delete doc[key];
  }
  return doc;
}

/**
 * The RFC 9728 path-aware metadata URL for a resource:
 * `https://host/mcp` → `https://host/.well-known/oauth-protected-resource/mcp`.
 */
export function protectedResourceMetadataUrl(resource: string): string {
  const url = parseHttpUrl(resource, 'resource');
  const path = url.pathname === '/' ? '' : url.pathname;
  return `${url.origin}${PRM_WELL_KNOWN}${path}${url.search}`;
}

/** The origin-level metadata URL (`https://host/.well-known/oauth-protected-resource`). */
export function rootProtectedResourceMetadataUrl(resource: string): string {
  return `${parseHttpUrl(resource, 'resource').origin}${PRM_WELL_KNOWN}`;
}

function requireInput(input: unknown, what: string): void {
  if (input === null || typeof input !== 'object') invalid(`${what} needs an options object`);
}

export function buildProtectedResourceMetadata(input: ProtectedResourceMetadataInput): ProtectedResourceMetadata {
  requireInput(input, 'buildProtectedResourceMetadata');
  parseHttpUrl(input.resource, 'resource');
  const methods = stringList(input.bearerMethodsSupported, 'bearerMethodsSupported') ?? ['header'];
  for (const method of methods) {
    if (method !== 'header' && method !== 'body') {
      invalid(`bearer method ${JSON.stringify(method)} is not allowed (tokens in URLs are forbidden)`);
    }
  }
  const servers = stringList(input.authorizationServers, 'authorizationServers');
  servers?.forEach((s) => parseHttpUrl(s, 'authorization server'));
  return compact<ProtectedResourceMetadata>({
    resource: input.resource,
    authorization_servers: servers,
    jwks_uri: optionalUrl(input.jwksUri, 'jwksUri'),
    scopes_supported: scopeList(input.scopesSupported, 'scopesSupported'),
    bearer_methods_supported: methods as BearerMethod[],
    resource_signing_alg_values_supported: signingAlgs(input.resourceSigningAlgValuesSupported),
    resource_name: optionalString(input.resourceName, 'resourceName'),
    resource_documentation: optionalUrl(input.resourceDocumentation, 'resourceDocumentation'),
    resource_policy_uri: optionalUrl(input.resourcePolicyUri, 'resourcePolicyUri'),
    resource_tos_uri: optionalUrl(input.resourceTosUri, 'resourceTosUri'),
  });
}

export interface AuthorizationServerMetadataInput {
  issuer: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  jwksUri?: string;
  registrationEndpoint?: string;
  revocationEndpoint?: string;
  introspectionEndpoint?: string;
  scopesSupported?: readonly string[];
  /** Default `['code']`. */
  responseTypesSupported?: readonly string[];
  /** Default `['authorization_code', 'refresh_token']`. */
  grantTypesSupported?: readonly string[];
  /** Default `['S256']` (OAuth 2.1 / MCP require PKCE with S256). */
  codeChallengeMethodsSupported?: readonly string[];
  tokenEndpointAuthMethodsSupported?: readonly string[];
  serviceDocumentation?: string;
  /** OpenID Connect discovery members (only emitted by buildOpenIdConfiguration). */
  userinfoEndpoint?: string;
  endSessionEndpoint?: string;
  idTokenSigningAlgValuesSupported?: readonly string[];
  subjectTypesSupported?: readonly string[];
}

export type AuthorizationServerMetadata = Record<string, string | string[]> & { issuer: string };

/** Issuer rules of RFC 8414 §2: absolute URL, no query, no fragment. */
export function checkIssuer(issuer: unknown): string {
  const url = parseHttpUrl(issuer, 'issuer');
  if (url.search !== '' || (issuer as string).includes('?')) invalid(`issuer must not contain a query: ${String(issuer)}`);
  return issuer as string;
}

export function buildAuthorizationServerMetadata(input: AuthorizationServerMetadataInput): AuthorizationServerMetadata {
  requireInput(input, 'buildAuthorizationServerMetadata');
  const issuer = checkIssuer(input.issuer);
  const responseTypes = stringList(input.responseTypesSupported, 'responseTypesSupported') ?? ['code'];
  const grantTypes = stringList(input.grantTypesSupported, 'grantTypesSupported') ?? ['authorization_code', 'refresh_token'];
  // RFC 8414 §2: response_types_supported is REQUIRED; the endpoints are required by what is advertised.
  if (responseTypes.length === 0) invalid('responseTypesSupported must not be empty (RFC 8414 §2)');
  if (input.authorizationEndpoint === undefined && responseTypes.some((t) => t !== 'none')) {
    invalid('authorizationEndpoint is required when response types are advertised (RFC 8414 §2)');
  }
  if (input.tokenEndpoint === undefined && grantTypes.some((g) => g !== 'implicit')) {
    invalid('tokenEndpoint is required unless only the implicit grant is advertised (RFC 8414 §2)');
  }
  return compact({
    issuer,
    authorization_endpoint: optionalUrl(input.authorizationEndpoint, 'authorizationEndpoint'),
    token_endpoint: optionalUrl(input.tokenEndpoint, 'tokenEndpoint'),
    jwks_uri: optionalUrl(input.jwksUri, 'jwksUri'),
    registration_endpoint: optionalUrl(input.registrationEndpoint, 'registrationEndpoint'),
    revocation_endpoint: optionalUrl(input.revocationEndpoint, 'revocationEndpoint'),
    introspection_endpoint: optionalUrl(input.introspectionEndpoint, 'introspectionEndpoint'),
    scopes_supported: scopeList(input.scopesSupported, 'scopesSupported'),
    response_types_supported: responseTypes,
    grant_types_supported: grantTypes,
    code_challenge_methods_supported: stringList(input.codeChallengeMethodsSupported, 'codeChallengeMethodsSupported') ?? ['S256'],
    token_endpoint_auth_methods_supported: stringList(input.tokenEndpointAuthMethodsSupported, 'tokenEndpointAuthMethodsSupported'),
    service_documentation: optionalUrl(input.serviceDocumentation, 'serviceDocumentation'),
  }) as AuthorizationServerMetadata;
}

/** OpenID Connect discovery document: the RFC 8414 members plus the OIDC ones. */
export function buildOpenIdConfiguration(input: AuthorizationServerMetadataInput): AuthorizationServerMetadata {
  requireInput(input, 'buildOpenIdConfiguration');
  // OpenID Connect Discovery 1.0 §3: jwks_uri is REQUIRED (the endpoints are checked as for RFC 8414).
  if (input.jwksUri === undefined) invalid('jwksUri is required in an OpenID Connect discovery document');
  return compact({
    ...buildAuthorizationServerMetadata(input),
    userinfo_endpoint: optionalUrl(input.userinfoEndpoint, 'userinfoEndpoint'),
    end_session_endpoint: optionalUrl(input.endSessionEndpoint, 'endSessionEndpoint'),
    subject_types_supported: stringList(input.subjectTypesSupported, 'subjectTypesSupported') ?? ['public'],
    id_token_signing_alg_values_supported: stringList(input.idTokenSigningAlgValuesSupported, 'idTokenSigningAlgValuesSupported') ?? ['RS256'],
  }) as AuthorizationServerMetadata;
}

/**
 * Where an issuer's metadata lives: RFC 8414 path insertion first, then the OpenID Connect forms.
 * `https://as/realms/x` → `https://as/.well-known/oauth-authorization-server/realms/x`, ….
 */
export function authorizationServerMetadataUrls(issuer: string): string[] {
  const url = parseHttpUrl(checkIssuer(issuer), 'issuer');
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return [
    `${url.origin}${AS_WELL_KNOWN}${path}`,
    `${url.origin}${OIDC_WELL_KNOWN}${path}`,
    `${url.origin}${path}${OIDC_WELL_KNOWN}`,
  ].filter((u, i, all) => all.indexOf(u) === i);
}
