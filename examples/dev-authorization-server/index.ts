/**
 * A small OAuth 2.1 authorization server for local development and tests (never for production):
 * RFC 8414 metadata, a rotating RS256 JWKS, authorization_code + PKCE S256 with automatic consent,
 * refresh_token, client_credentials, RFC 8707 resource indicators and RFC 7591 registration.
 */
import { createServer, type Server } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { handleAdminPreflight, handleRotateKeys } from './admin.js';
import { ClientRegistry, type ClientRegistrationRequest, type RegisteredClient } from './clients.js';
import {
  PATHS,
  authorizationServerMetadata,
  handleAuthorize,
  handleRegister,
  handleToken,
  type EndpointContext,
} from './endpoints.js';
import { DEFAULT_GRANT_LIMITS, GrantStore } from './grants.js';
import { HttpError, isAllowedHost, sendJson, sendOAuthError } from './http-util.js';
import { KeyRing } from './key-ring.js';
import { signAccessToken, type IssueTokenParams } from './tokens.js';

export type { ClientRegistrationRequest, RegisteredClient } from './clients.js';
export type { IssueTokenParams } from './tokens.js';

export const DEFAULT_SCOPES = ['openid', 'profile', 'email', 'mcp:read', 'mcp:admin'] as const;

export interface DevAuthorizationServerOptions {
  /** Bind address; default 127.0.0.1. A name (localhost) also becomes the issuer's host; an IP literal is used as bound. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** Scopes this server knows; clients can be limited further. Default: DEFAULT_SCOPES. */
  scopes?: readonly string[];
  /** Access-token lifetime in seconds; default 300. */
  accessTokenTtl?: number;
  /** `sub` of the automatically consenting user; a `login_hint` on /authorize overrides it. Default "dev-user". */
  defaultSubject?: string;
  /** `aud` when a request names no resource; by default such requests fail with invalid_target. */
  defaultAudience?: string;
  /** Serve POST /admin/rotate-keys (no authentication, application/json only, no CORS: loopback development only). Default false. */
  adminRoutes?: boolean;
  /** How many rotated-out keys stay in the JWKS; default 1. */
  retainRotatedKeys?: number;
  /** Refresh-token lifetime in seconds, counted from the authorization (rotation does not extend it); default 86400. */
  refreshTokenTtl?: number;
  /** Registered clients (dynamic and registerClient()); beyond it registration answers 503 temporarily_unavailable. Default 10,000. */
  maxClients?: number;
  /** Outstanding (unredeemed, unexpired) authorization codes; beyond it /authorize answers temporarily_unavailable. Default 1,000. */
  maxPendingCodes?: number;
}

export interface DevAuthorizationServer {
  /** `http://{host}:{port}`, host as in DevAuthorizationServerOptions.host; no trailing slash. Metadata fetched from it names it (RFC 8414 §3.3). */
  readonly issuer: string;
  readonly url: string;
  readonly jwksUri: string;
  readonly tokenEndpoint: string;
  readonly authorizationEndpoint: string;
  readonly registrationEndpoint: string;
  readonly metadataUrl: string;
  /** kid of the key that signs new tokens. */
  readonly currentKid: string;
  /** Requests received per endpoint path (this server's own paths only), for tests that watch JWKS refreshes. */
  readonly requestCounts: ReadonlyMap<string, number>;
  /** New signing key; the previous ones stay published unless keepPrevious is false. Returns the new kid. */
  rotateKeys(options?: { keepPrevious?: boolean }): Promise<string>;
  registerClient(metadata: ClientRegistrationRequest): RegisteredClient;
  /** Signs a token directly (no client, no HTTP), for tests. */
  issueToken(params?: IssueTokenParams): Promise<string>;
  close(): Promise<void>;
}

export async function startDevAuthorizationServer(options: DevAuthorizationServerOptions = {}): Promise<DevAuthorizationServer> {
  const scopes = [...(options.scopes ?? DEFAULT_SCOPES)];
  const ttl = options.accessTokenTtl ?? 300;
  const keys = new KeyRing(options.retainRotatedKeys ?? 1);
  await keys.rotate();
  const counts = new Map<string, number>();

  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  // A host name (localhost) is kept as given: it is how clients will reach, and name, this server.
  const named = options.host !== undefined && isIP(options.host) === 0 ? options.host.toLowerCase() : undefined;
  const host = named ?? (address.family === 'IPv6' ? `[${address.address}]` : address.address);
  const issuer = `http://${host}:${address.port}`;

  const ctx: EndpointContext = {
    issuer,
    scopes,
    clients: new ClientRegistry(scopes, options.maxClients),
    grants: new GrantStore({
      ...DEFAULT_GRANT_LIMITS,
      ...(options.refreshTokenTtl !== undefined ? { refreshTokenTtlMs: options.refreshTokenTtl * 1000 } : {}),
      ...(options.maxPendingCodes !== undefined ? { maxPendingCodes: options.maxPendingCodes } : {}),
    }),
    defaultSubject: options.defaultSubject ?? 'dev-user',
    defaultAudience: options.defaultAudience,
    sign: (params) => signAccessToken(keys, issuer, ttl, params),
  };
  const metadata = authorizationServerMetadata(issuer, scopes);

  const issuerHostname = new URL(issuer).hostname;
  const servedPaths = new Set<string>(Object.values(PATHS));
  server.on('request', (req, res) => {
    // Everything that reads the request runs inside run(), whose rejection is answered below: a
    // throw here, outside it, would be uncaught and end the process (and any server sharing it).
    const run = async (): Promise<void> => {
      if (!isAllowedHost(req.headers.host, issuerHostname)) {
        return sendJson(res, 421, { error: 'invalid_request', error_description: 'Host header not served here (DNS rebinding protection)' });
      }
      let url: URL;
      try {
        // Node's parser passes targets WHATWG URL refuses: `GET http://[ HTTP/1.1`, `GET //a:99999/ HTTP/1.1`.
        url = new URL(req.url ?? '/', issuer);
      } catch {
        throw new HttpError(400, 'invalid_request', 'the request target is not a valid URL');
      }
      // Only served paths are counted: one entry per distinct path requested would grow without end.
      if (servedPaths.has(url.pathname)) counts.set(url.pathname, (counts.get(url.pathname) ?? 0) + 1);
      const route = `${req.method ?? 'GET'} ${url.pathname}`;
      switch (route) {
        case `GET ${PATHS.metadata}`:
          return sendJson(res, 200, metadata, { 'cache-control': 'max-age=60' });
        case `GET ${PATHS.jwks}`:
          return sendJson(res, 200, keys.jwks(), { 'cache-control': 'no-cache' });
        case `GET ${PATHS.authorize}`:
          return handleAuthorize(ctx, url, res);
        case `POST ${PATHS.token}`:
          return handleToken(ctx, req, res);
        case `POST ${PATHS.register}`:
          return handleRegister(ctx, req, res);
        case `POST ${PATHS.rotateKeys}`:
          if (options.adminRoutes) return handleRotateKeys(req, res, keys);
          break;
        case `OPTIONS ${PATHS.rotateKeys}`:
          return handleAdminPreflight(res);
        case `OPTIONS ${PATHS.metadata}`:
        case `OPTIONS ${PATHS.token}`:
        case `OPTIONS ${PATHS.register}`:
        case `OPTIONS ${PATHS.jwks}`:
          res.writeHead(204, {
            'access-control-allow-origin': '*',
            'access-control-allow-methods': 'GET, POST, OPTIONS',
            // Browser MCP clients send MCP-Protocol-Version on discovery requests too.
            'access-control-allow-headers': 'Authorization, Content-Type, Accept, MCP-Protocol-Version, *',
            'access-control-max-age': '600',
          });
          res.end();
          return;
      }
      sendJson(res, 404, { error: 'not_found', error_description: `no route for ${route}` });
    };
    run().catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (err instanceof HttpError) sendOAuthError(res, err);
      else sendJson(res, 500, { error: 'server_error', error_description: 'internal error' });
    });
  });

  return {
    issuer,
    url: issuer,
    jwksUri: issuer + PATHS.jwks,
    tokenEndpoint: issuer + PATHS.token,
    authorizationEndpoint: issuer + PATHS.authorize,
    registrationEndpoint: issuer + PATHS.register,
    metadataUrl: issuer + PATHS.metadata,
    get currentKid() {
      return keys.signer.kid;
    },
    requestCounts: counts,
    rotateKeys: (rotateOptions) => keys.rotate(rotateOptions),
    registerClient: (request) => ctx.clients.register(request),
    issueToken: async (params = {}) => (await ctx.sign(params)).token,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
