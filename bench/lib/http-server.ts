/**
 * The servers bench/http.ts compares, all on 127.0.0.1 with the example's MCP endpoint and tools:
 * the example server itself (no auth, or our middleware on a backend; it enables the verified-token
 * cache), the example's pieces behind our middleware with the cache off, and the same pieces behind
 * the MCP SDK's `requireBearerAuth` with a jose verifier.
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

export type ServeMode = 'none' | 'ours-js' | 'ours-native' | 'ours-js-nocache' | 'sdk-jose';

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
  if (mode === 'none' || mode === 'ours-js' || mode === 'ours-native') {
    const config = buildConfig({
      host: '127.0.0.1',
      port: String(port),
      server_url: serverUrl,
      jwks_uri: auth.jwksUri,
      issuer: auth.issuer,
      auth_disabled: mode === 'none' ? 'true' : 'false',
      backend: mode === 'ours-native' ? 'native' : 'js',
    });
    const running = await startAuthMcpServer(config, { warn: () => {} });
    return { mcpUrl: running.mcpUrl, close: () => running.close() };
  }
  return servePieces(mode, port, serverUrl, auth);
}

/** The example's MCP endpoint and CORS behind another gate, mounted the way the example mounts its own. */
async function servePieces(mode: 'ours-js-nocache' | 'sdk-jose', port: number, serverUrl: string, auth: { jwksUri: string; issuer: string }): Promise<RunningBenchServer> {
  const mcpUrl = `${serverUrl}/mcp`;
  const endpoint = createMcpEndpoint();
  const app = express();
  app.disable('x-powered-by');
  app.use(hostHeaderValidation(['127.0.0.1', 'localhost']));
  app.use(cors());
  let closeGate = (): void => {};
  if (mode === 'ours-js-nocache') {
    const gate = gopherAuth({
      resource: mcpUrl,
      issuer: auth.issuer,
      jwksUri: auth.jwksUri,
      backend: 'js',
      toolScopes: TOOL_SCOPES,
      clientOptions: { tokenCache: false },
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
