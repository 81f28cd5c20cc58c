/**
 * Everything about tokens in this example, in one place: a GopherAuthClient on the chosen backend
 * and the package's `gopherAuth` gate (PRM documents, 401/403/503 answers, per-tool scopes checked
 * before the MCP server sees the call) plus session-to-subject binding.
 *
 * In your own project, import these from 'gopher-auth' instead of the source tree.
 */
import type { BackendName } from '../../src/backends/types.js';
import { GopherAuthClient } from '../../src/core/client.js';
import { GopherAuthException } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';
import type { AuthInfo } from '../../src/http/auth-info.js';
import { gopherAuth, type GopherAuth } from '../../src/http/gopher-auth.js';
import { SessionBinding } from '../../src/mcp/session-binding.js';
import type { AuthMcpServerConfig } from './config.js';
import { TOOL_SCOPES } from './tools.js';

export class StartupError extends Error {
  override name = 'StartupError';
}

export interface ExampleAuth {
  /** The backend that validates this server's tokens. */
  readonly backend: BackendName;
  /** Bearer gate for /mcp: sets req.auth, or answers 401/403/503 itself. */
  readonly gate: GopherAuth;
  readonly sessions: SessionBinding;
  close(): void;
}

/**
 * Whom a session counts against for the session caps: issuer + `sub`, else issuer + `client_id` (the
 * identity SessionBinding binds sessions to by default).
 */
export function sessionSubject(authInfo: AuthInfo | undefined): string | undefined {
  const claims = authInfo?.extra ?? {};
  const iss = typeof claims['iss'] === 'string' ? claims['iss'] : '';
  if (typeof claims['sub'] === 'string' && claims['sub'] !== '') return JSON.stringify([iss, 'sub', claims['sub']]);
  if (authInfo !== undefined && authInfo.clientId !== '') return JSON.stringify([iss, 'client', authInfo.clientId]);
  return undefined;
}

/**
 * Creates the token client first so a forced backend that cannot run stops the server before it
 * listens: with auth on, there is no path that serves requests unchecked.
 */
export function createTokenClient(config: AuthMcpServerConfig, logger: Logger): GopherAuthClient {
  try {
    const client = new GopherAuthClient(config.jwksUri, config.issuer, {
      backend: config.backend,
      cacheDuration: config.jwksCacheDuration,
      autoRefresh: config.jwksAutoRefresh,
      requestTimeout: config.requestTimeout,
      // Verified-token cache, as gopherAuth() enables for the clients it creates.
      tokenCache: true,
      logger,
    });
    // Touching `backend` instantiates the backend now rather than on the first request.
    void client.backend;
    return client;
  } catch (error) {
    const detail = error instanceof GopherAuthException ? error.message : String(error);
    throw new StartupError(`refusing to start with authentication enabled: no usable token validation backend (${detail})`);
  }
}

export function createExampleAuth(
  config: AuthMcpServerConfig & { serverUrl: string },
  client: GopherAuthClient,
  logger: Logger,
): ExampleAuth {
  let gate: GopherAuth;
  try {
    gate = gopherAuth({
      resource: `${config.serverUrl}/mcp`,
      issuer: config.issuer,
      client,
      authorizationServers: [config.issuer],
      scopesSupported: config.allowedScopes,
      requiredScopes: config.requiredScopes,
      toolScopes: TOOL_SCOPES,
      resourceName: 'Auth MCP Server (gopher-auth example)',
      allowInsecureHttp: config.allowInsecureHttp,
      logger,
    });
  } catch (error) {
    throw new StartupError(`refusing to start: ${error instanceof Error ? error.message : String(error)}`);
  }
  const sessions = new SessionBinding({ logger });
  return {
    backend: client.backend,
    gate,
    sessions,
    close: () => {
      gate.close();
      client.destroy();
    },
  };
}
