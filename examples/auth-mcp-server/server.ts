import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { hostHeaderValidation } from '@modelcontextprotocol/sdk/server/middleware/hostHeaderValidation.js';
import type { BackendName } from '../../src/backends/types.js';
import { silentLogger, type Logger } from '../../src/core/logger.js';
import type { AuthInfo } from '../../src/http/auth-info.js';
import { getAuthInfo } from '../../src/http/context.js';
import { AsMetadataLocator } from './as-metadata.js';
import { StartupError, createExampleAuth, createTokenClient, sessionSubject, type ExampleAuth } from './auth.js';
import { missingAuthSettings, type AuthMcpServerConfig } from './config.js';
import { cors } from './cors.js';
import { createMcpEndpoint, SERVER_INFO } from './mcp-endpoint.js';
import type { SessionLimits } from './session-table.js';
import { oauthRoutes } from './oauth-routes.js';

export { StartupError } from './auth.js';

export interface RunningAuthMcpServer {
  /** Public base URL (server_url), e.g. http://localhost:3001. */
  readonly url: string;
  /** The MCP endpoint: `${url}/mcp`. */
  readonly mcpUrl: string;
  /** The backend validating tokens, or null when auth is disabled. */
  readonly backend: BackendName | null;
  readonly authEnabled: boolean;
  /** The configuration in effect (server_url filled in). */
  readonly config: Readonly<AuthMcpServerConfig & { serverUrl: string }>;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Receives auth refusals and startup notes (never token contents). Default: silent. */
  logger?: Logger;
  /** Called with the loud no-auth and insecure-http warnings; default writes them to stderr. */
  warn?: (message: string) => void;
  /** Close MCP sessions unused this long. Default 30 minutes. */
  sessionIdleMs?: number;
  /** Caps on live MCP sessions: per token subject (default 32) and in total (default 1,000). */
  sessionLimits?: Partial<SessionLimits>;
}

export const NO_AUTH_WARNING = [
  '',
  '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
  '!!  AUTHENTICATION IS DISABLED (--no-auth / auth_disabled=true).            !!',
  '!!  Every tool, including get-weather-alerts (mcp:admin), is open to anyone  !!',
  '!!  who can reach this port. Use this for local development only.           !!',
  '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
  '',
].join('\n');

export const INSECURE_HTTP_WARNING =
  'WARNING: allow_insecure_http=true: the issuer, JWKS and server URLs may use plain http off loopback, so ' +
  'bearer tokens and signing keys can be read or replaced on the network. Development only.';

const startedAt = Date.now();

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function allowedHostnames(serverUrl: string): string[] {
  return [...new Set([new URL(serverUrl).hostname, 'localhost', '127.0.0.1', '[::1]'])];
}

/**
 * Starts the example server. With auth enabled it refuses to start (StartupError) when settings are
 * missing or no validation backend can run; it never falls back to serving without auth.
 */
export async function startAuthMcpServer(config: AuthMcpServerConfig, options: StartOptions = {}): Promise<RunningAuthMcpServer> {
  const logger = options.logger ?? silentLogger;
  const authEnabled = !config.authDisabled;
  const warn = options.warn ?? ((m: string) => process.stderr.write(`${m}\n`));
  if (authEnabled) {
    const problems = missingAuthSettings(config);
    if (problems.length > 0) throw new StartupError(`refusing to start with authentication enabled: ${problems.join('; ')}`);
    if (config.allowInsecureHttp) warn(INSECURE_HTTP_WARNING);
  } else {
    warn(NO_AUTH_WARNING);
  }
  const client = authEnabled ? createTokenClient(config, logger) : null;

  let app: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const server = createServer((req, res) => {
    if (app) return app(req, res);
    res.writeHead(503, { 'retry-after': '1' }).end();
  });
  let address: AddressInfo;
  try {
    address = await listen(server, config.port, config.host);
  } catch (error) {
    client?.destroy();
    throw new StartupError(`cannot listen on ${config.host}:${config.port}: ${(error as Error).message}`);
  }
  const serverUrl = config.serverUrl ?? `http://localhost:${address.port}`;
  const resolved = { ...config, port: address.port, serverUrl };

  let auth: ExampleAuth | null = null;
  try {
    if (client) {
      auth = createExampleAuth(resolved, client, logger);
      // Warm the key cache; an unreachable AS is not fatal (requests get 503 until it answers).
      await client.ready().catch((error: unknown) => {
        logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'JWKS not reachable yet');
      });
    }
  } catch (error) {
    client?.destroy();
    server.close();
    throw error;
  }

  const endpoint = createMcpEndpoint({
    ...(auth ? { onSessionInitialized: auth.sessions.onSessionInitialized, onSessionClosed: auth.sessions.onSessionClosed } : {}),
    ...(auth ? { subjectOf: (req: Request) => sessionSubject((req as Request & { auth?: AuthInfo }).auth ?? getAuthInfo()) } : {}),
    ...(options.sessionIdleMs !== undefined ? { sessionIdleMs: options.sessionIdleMs } : {}),
    ...(options.sessionLimits !== undefined ? { sessionLimits: options.sessionLimits } : {}),
  });
  const expressApp = express();
  expressApp.disable('x-powered-by');
  expressApp.use(hostHeaderValidation(allowedHostnames(serverUrl)));
  expressApp.use(cors(auth ? {} : { localOnly: { serverOrigin: new URL(serverUrl).origin } }));
  expressApp.get('/health', (_req, res) => {
    res.json({
      status: 'ok',
      timestamp: new Date().toISOString(),
      version: SERVER_INFO.version,
      uptime: Math.floor((Date.now() - startedAt) / 1000),
    });
  });
  if (auth) {
    expressApp.use(auth.gate.metadata);
    expressApp.use(oauthRoutes(resolved, new AsMetadataLocator(resolved.issuer, resolved.requestTimeout * 1000 || 30_000), logger));
    expressApp.all('/mcp', auth.gate, auth.sessions.middleware(), (req, res, next) => endpoint.handle(req, res).catch(next));
  } else {
    expressApp.all('/mcp', express.json({ limit: '4mb' }), (req, res, next) => endpoint.handle(req, res).catch(next));
  }
  expressApp.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = (error as { status?: unknown }).status;
    const clientError = typeof status === 'number' && status >= 400 && status < 500;
    // A client error's message may quote the request (V8's JSON errors quote the body around the bad
    // token: a secret in a registration, say): its type and status are logged, never its text.
    if (clientError) logger.warn({ status, type: String((error as { type?: unknown }).type ?? 'client_error') }, 'request refused');
    else logger.error({ err: error instanceof Error ? error.message : String(error) }, 'request failed');
    if (res.headersSent) return void res.end();
    // The OAuth routes answer in OAuth's terms (RFC 7591 §3.2.2, RFC 6749 §5.2), the MCP endpoint in JSON-RPC's.
    if (req.path !== '/mcp') {
      res.status(clientError ? status : 500).json(clientError ? { error: req.path.endsWith('/register') ? 'invalid_client_metadata' : 'invalid_request', error_description: 'The request body could not be read' } : { error: 'server_error' });
      return;
    }
    if (clientError) {
      res.status(status).json({ jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null });
      return;
    }
    res.status(500).json({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal error' }, id: null });
  });
  app = expressApp;

  let closed: Promise<void> | undefined;
  return {
    url: serverUrl,
    mcpUrl: `${serverUrl}/mcp`,
    backend: auth?.backend ?? null,
    authEnabled,
    config: resolved,
    close: () =>
      (closed ??= (async () => {
        await endpoint.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        auth?.close();
      })()),
  };
}
