/**
 * The servers bench/http.ts compares, all on 127.0.0.1 with the example's MCP endpoint and tools:
 * - `example-*`: the example server itself (no auth, or auth on a backend: gate, OAuth routes,
 *   session binding; its client enables the verified-token cache);
 * - `gate-*` and `sdk-jose`: the example's MCP endpoint and CORS behind exactly one gate — none
 *   (`express.json()` only), `gopherAuth()` (cache on by default, or off), or the MCP SDK's
 *   `requireBearerAuth` with a jose verifier — so the gates are compared with nothing else differing.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { hostHeaderValidation } from '@modelcontextprotocol/sdk/server/middleware/hostHeaderValidation.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { buildConfig } from '../../examples/auth-mcp-server/config.js';
import { cors } from '../../examples/auth-mcp-server/cors.js';
import { createMcpEndpoint } from '../../examples/auth-mcp-server/mcp-endpoint.js';
import { startAuthMcpServer } from '../../examples/auth-mcp-server/server.js';
import { TOOL_SCOPES } from '../../examples/auth-mcp-server/tools.js';
import { gopherAuth } from '../../src/http/gopher-auth.js';

export type ServeMode =
  | 'example-none'
  | 'example-js'
  | 'example-native'
  | 'gate-none'
  | 'gate-js'
  | 'gate-native'
  | 'gate-js-nocache'
  | 'gate-js-noctx'
  | 'sdk-jose';

type GateMode = Exclude<ServeMode, 'example-none' | 'example-js' | 'example-native'>;

export interface RunningBenchServer {
  mcpUrl: string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export async function serveMode(mode: ServeMode, auth: { jwksUri: string; issuer: string }): Promise<RunningBenchServer> {
  const port = await freePort();
  const serverUrl = `http://127.0.0.1:${port}`;
  if (mode === 'example-none' || mode === 'example-js' || mode === 'example-native') {
    const config = buildConfig({
      host: '127.0.0.1',
      port: String(port),
      server_url: serverUrl,
      jwks_uri: auth.jwksUri,
      issuer: auth.issuer,
      auth_disabled: mode === 'example-none' ? 'true' : 'false',
      backend: mode === 'example-native' ? 'native' : 'js',
    });
    const running = await startAuthMcpServer(config, { warn: () => {} });
    return { mcpUrl: running.mcpUrl, close: () => running.close() };
  }
  return servePieces(mode, port, serverUrl, auth);
}

/** The example's MCP endpoint and CORS behind another gate, mounted the way the example mounts its own. */
async function servePieces(mode: GateMode, port: number, serverUrl: string, auth: { jwksUri: string; issuer: string }): Promise<RunningBenchServer> {
  const mcpUrl = `${serverUrl}/mcp`;
  const endpoint = createMcpEndpoint();
  const app = express();
  app.disable('x-powered-by');
  app.use(hostHeaderValidation(['127.0.0.1', 'localhost']));
  app.use(cors());
  let closeGate = (): void => {};
  if (mode === 'gate-none') {
    app.all('/mcp', express.json({ limit: '4mb' }), (req, res, next) => endpoint.handle(req, res).catch(next));
  } else if (mode === 'gate-js' || mode === 'gate-native' || mode === 'gate-js-nocache' || mode === 'gate-js-noctx') {
    const gate = gopherAuth({
      resource: mcpUrl,
      issuer: auth.issuer,
      jwksUri: auth.jwksUri,
      backend: mode === 'gate-native' ? 'native' : 'js',
      toolScopes: TOOL_SCOPES,
      ...(mode === 'gate-js-nocache' ? { clientOptions: { tokenCache: false } } : {}),
      ...(mode === 'gate-js-noctx' ? { asyncContext: false } : {}),
    });
    closeGate = () => gate.close();
    app.all('/mcp', gate, (req, res, next) => endpoint.handle(req, res).catch(next));
  } else {
    const keys = createRemoteJWKSet(new URL(auth.jwksUri));
    const verifier = {
      verifyAccessToken: async (token: string): Promise<AuthInfo> => {
        const { payload } = await jwtVerify(token, keys, { issuer: auth.issuer, audience: mcpUrl });
        return {
          token,
          clientId: typeof payload.client_id === 'string' ? payload.client_id : '',
          scopes: typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [],
          ...(payload.exp !== undefined ? { expiresAt: payload.exp } : {}),
          resource: new URL(mcpUrl),
        };
      },
    };
    app.all('/mcp', express.json({ limit: '4mb' }), requireBearerAuth({ verifier, requiredScopes: ['mcp:read'], expectedResource: new URL(mcpUrl) }), (req, res, next) =>
      endpoint.handle(req, res).catch(next),
    );
  }
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => app(req, res));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    mcpUrl,
    close: async () => {
      await endpoint.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      closeGate();
    },
  };
}
