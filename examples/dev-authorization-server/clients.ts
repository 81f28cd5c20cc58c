import { randomBytes, timingSafeEqual } from 'node:crypto';
import { HttpError, splitScope } from './http-util.js';
import { isAllowedRedirect } from './redirect-uris.js';

export type GrantType = 'authorization_code' | 'refresh_token' | 'client_credentials';
export type TokenEndpointAuthMethod = 'none' | 'client_secret_basic' | 'client_secret_post';

export interface RegisteredClient {
  client_id: string;
  /** Only for confidential clients (client_credentials). */
  client_secret?: string;
  client_id_issued_at: number;
  client_secret_expires_at?: number;
  client_name?: string;
  redirect_uris: string[];
  grant_types: GrantType[];
  response_types: string[];
  token_endpoint_auth_method: TokenEndpointAuthMethod;
  /** Space-separated scopes granted when a request names none (RFC 6749 §3.3 default); not a cap. */
  scope: string;
}

/** RFC 7591 client metadata as accepted here. */
export interface ClientRegistrationRequest {
  client_name?: string;
  redirect_uris?: string[];
  grant_types?: string[];
  response_types?: string[];
  token_endpoint_auth_method?: string;
  scope?: string;
  [other: string]: unknown;
}

/** Largest client record stored (serialized): client_name and redirect_uris are the caller's to fill. */
const MAX_CLIENT_BYTES = 8 * 1024;

const GRANTS: readonly GrantType[] = ['authorization_code', 'refresh_token', 'client_credentials'];

export function isSupportedGrant(grantType: string): grantType is GrantType {
  return (GRANTS as readonly string[]).includes(grantType);
}

function invalid(description: string, error = 'invalid_client_metadata'): HttpError {
  return new HttpError(400, error, description);
}

export class ClientRegistry {
  #clients = new Map<string, RegisteredClient>();

  /** Registrations are never forgotten; beyond `maxClients` new ones are refused rather than old ones dropped. */
  constructor(
    private readonly supportedScopes: readonly string[],
    private readonly maxClients = 10_000,
  ) {}

  /**
   * Validates RFC 7591 metadata and stores the client. Public clients (auth method `none`) may use
   * authorization_code + refresh_token; client_credentials requires a confidential client, for which
   * a secret is generated and returned once, to the registrant only.
   */
  register(request: ClientRegistrationRequest): RegisteredClient {
    if (this.#clients.size >= this.maxClients) {
      throw new HttpError(503, 'temporarily_unavailable', `client registry full (${this.maxClients} clients); restart the server or raise maxClients`);
    }
    if (typeof request !== 'object' || request === null || Array.isArray(request)) throw invalid('metadata must be a JSON object');
    const grantTypes = request.grant_types ?? ['authorization_code', 'refresh_token'];
    if (!Array.isArray(grantTypes) || grantTypes.length === 0) throw invalid('grant_types must be a non-empty array');
    // RFC 7591 §3.2.1: the server may replace requested values. Unsupported grant types (a client that
    // also lists device_code, say) are dropped and the response carries what was granted.
    const grants = [...new Set(grantTypes.filter(isSupportedGrant))];
    if (grants.length === 0) throw invalid(`none of the grant_types is supported (${GRANTS.join(', ')})`);
    const confidential = grants.includes('client_credentials');
    const method = (request.token_endpoint_auth_method ?? (confidential ? 'client_secret_basic' : 'none')) as string;
    if (!['none', 'client_secret_basic', 'client_secret_post'].includes(method)) {
      throw invalid(`unsupported token_endpoint_auth_method ${method}`);
    }
    if (confidential && method === 'none') throw invalid('client_credentials requires a confidential client');

    const redirectUris = request.redirect_uris ?? [];
    if (!Array.isArray(redirectUris) || redirectUris.some((u) => typeof u !== 'string')) {
      throw invalid('redirect_uris must be an array of strings', 'invalid_redirect_uri');
    }
    // Checked whatever the grant types: a stored URI is one /authorize may be asked to match.
    for (const uri of redirectUris) {
      if (!isAllowedRedirect(uri)) throw invalid(`redirect_uri not allowed: ${uri}`, 'invalid_redirect_uri');
    }
    if (grants.includes('authorization_code') && redirectUris.length === 0) {
      throw invalid('authorization_code needs redirect_uris', 'invalid_redirect_uri');
    }
    const responseTypes = grants.includes('authorization_code') ? ['code'] : [];
    if (request.response_types !== undefined) {
      if (!Array.isArray(request.response_types) || request.response_types.some((t) => t !== 'code')) {
        throw invalid('only response_type code is supported');
      }
    }
    if (request.scope !== undefined && typeof request.scope !== 'string') throw invalid('scope must be a string');
    const requested = request.scope === undefined ? [...this.supportedScopes] : splitScope(request.scope);
    const scope = requested.filter((s) => this.supportedScopes.includes(s)).join(' ');

    const client: RegisteredClient = {
      client_id: `dev-client-${randomBytes(9).toString('base64url')}`,
      client_id_issued_at: Math.floor(Date.now() / 1000),
      redirect_uris: [...redirectUris],
      grant_types: grants,
      response_types: responseTypes,
      token_endpoint_auth_method: method as TokenEndpointAuthMethod,
      scope,
      ...(typeof request.client_name === 'string' ? { client_name: request.client_name } : {}),
      ...(method === 'none' ? {} : { client_secret: randomBytes(24).toString('base64url'), client_secret_expires_at: 0 }),
    };
    if (JSON.stringify(client).length > MAX_CLIENT_BYTES) throw invalid(`client metadata larger than ${MAX_CLIENT_BYTES} bytes`);
    this.#clients.set(client.client_id, client);
    return client;
  }

  get(clientId: string): RegisteredClient | undefined {
    return this.#clients.get(clientId);
  }

  /** Returns the client if the presented credentials fit its registered auth method (RFC 6749 §2.3). */
  authenticate(creds: { clientId?: string; clientSecret?: string; method: TokenEndpointAuthMethod }): RegisteredClient {
    const fail = (): HttpError => new HttpError(401, 'invalid_client', 'client authentication failed');
    if (!creds.clientId) throw fail();
    const client = this.#clients.get(creds.clientId);
    if (!client) throw fail();
    if (client.token_endpoint_auth_method === 'none') {
      if (creds.clientSecret !== undefined) throw fail();
      return client;
    }
    if (creds.method === 'none' || creds.clientSecret === undefined || client.client_secret === undefined) throw fail();
    const a = Buffer.from(creds.clientSecret);
    const b = Buffer.from(client.client_secret);
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw fail();
    return client;
  }

  /**
   * The scope to grant (RFC 6749 §3.3): what was asked for, as long as this server supports all of it
   * (else `invalid_scope`, never a silent narrowing); nothing asked for means the registered default.
   * The registration scope is not a cap: MCP clients register with the first challenge's scope and
   * later step up to more.
   */
  grantScope(client: RegisteredClient, requested: string | undefined): string {
    const wanted = [...new Set(splitScope(requested))];
    if (wanted.length === 0) return client.scope;
    const unknown = wanted.filter((s) => !this.supportedScopes.includes(s));
    if (unknown.length > 0) throw new HttpError(400, 'invalid_scope', `unsupported scope: ${unknown.join(' ')}`);
    return wanted.join(' ');
  }
}
