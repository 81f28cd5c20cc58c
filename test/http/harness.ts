/**
 * A protected MCP server for tests: real Express 5 app on 127.0.0.1, the real MCP SDK McpServer and
 * StreamableHTTPServerTransport (stateful, sessions bound to subjects), tokens from the test issuer,
 * keys from the JWKS test server.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import express from 'express';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';
// Brings the SDK's `req.auth` typing for Express requests.
import type {} from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { gopherAuth, type GopherAuth } from '../../src/http/gopher-auth.js';
import type { GopherAuthConfig } from '../../src/http/config.js';
import { getAuthInfo } from '../../src/http/context.js';
import { SessionBinding } from '../../src/mcp/session-binding.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';

export const ISSUER = 'https://issuer.test/realms/demo';

export interface Harness {
  url: string;
  resource: string;
  auth: GopherAuth;
  issuer: TestIssuer;
  jwks: JwksServer;
  binding: SessionBinding;
  failures: import('../../src/http/failure.js').AuthFailureEvent[];
  /** A token for this resource with the given scopes (and claim overrides). */
  token(scopes: string, claims?: Record<string, unknown>): string;
  close(): Promise<void>;
}

export interface HarnessOptions {
  config?: Partial<GopherAuthConfig>;
  /** Mount express.json() before the gate (default: the gate reads the body itself). */
  jsonParser?: boolean;
  /** Start the JWKS server with this fault already set. */
  jwksDown?: boolean;
}

export function buildMcpServer(): McpServer {
  const server = new McpServer({ name: 'weather', version: '1.0.0' });
  const whoAmI = (extraSub: unknown) => {
    const contextSub = getAuthInfo()?.extra?.['sub'];
    return { contextSub, extraSub };
  };
  server.registerTool('get-weather', { description: 'Current weather', inputSchema: { city: z.string() } }, async ({ city }, extra) => ({
    content: [{ type: 'text', text: JSON.stringify({ city, ...whoAmI(extra.authInfo?.extra?.['sub']) }) }],
  }));
  server.registerTool('get-forecast', { description: 'Forecast', inputSchema: { city: z.string() } }, async ({ city }, extra) => ({
    content: [{ type: 'text', text: JSON.stringify({ city, days: 5, ...whoAmI(extra.authInfo?.extra?.['sub']) }) }],
  }));
  server.registerTool('get-weather-alerts', { description: 'Alerts', inputSchema: { region: z.string() } }, async ({ region }) => ({
    content: [{ type: 'text', text: JSON.stringify({ region, alerts: ['Storm Watch'] }) }],
  }));
  return server;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const issuer = new TestIssuer(ISSUER);
  const jwks = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
  if (options.jwksDown) jwks.setFault({ kind: 'status', status: 503 });

  const httpServer: Server = createServer();
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const port = (httpServer.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const resource = `${url}/mcp`;
  const failures: Harness['failures'] = [];

  const auth = gopherAuth({
    resource,
    issuer: ISSUER,
    jwksUri: jwks.url,
    backend: 'js',
    toolScopes: { 'get-forecast': ['mcp:read'], 'get-weather-alerts': ['mcp:admin'] },
    scopesSupported: ['mcp:read', 'mcp:admin'],
    onAuthFailure: (event) => failures.push(event),
    ...options.config,
  });
  const binding = new SessionBinding();
  const transports = new Map<string, StreamableHTTPServerTransport>();

  const app = express();
  app.use(auth.metadata);
  if (options.jsonParser) app.use(express.json());
  app.all('/mcp', auth, binding.middleware(), async (req, res) => {
    const sessionId = req.headers['mcp-session-id'];
    let transport = typeof sessionId === 'string' ? transports.get(sessionId) : undefined;
    if (transport === undefined) {
      if (typeof sessionId === 'string') {
        res.status(404).json({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null });
        return;
      }
      const created = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        enableJsonResponse: true,
        onsessioninitialized: (id) => {
          binding.onSessionInitialized(id);
          transports.set(id, created);
        },
        onsessionclosed: (id) => {
          binding.onSessionClosed(id);
          transports.delete(id);
        },
      });
      await buildMcpServer().connect(created);
      transport = created;
    }
    await transport.handleRequest(req, res, req.body);
  });
  // A plain JSON endpoint behind the same gate, for the concurrency proof.
  app.post('/whoami', auth, async (req, res) => {
    const before = getAuthInfo()?.extra?.['sub'];
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 5)));
    await Promise.resolve();
    res.json({ header: req.get('x-expect'), before, after: getAuthInfo()?.extra?.['sub'], req: req.auth?.extra?.['sub'], scopes: req.auth?.scopes });
  });
  httpServer.on('request', app);

  return {
    url,
    resource,
    auth,
    issuer,
    jwks,
    binding,
    failures,
    token: (scopes, claims = {}) => issuer.sign({ claims: { aud: resource, scope: scopes, client_id: 'test-client', ...claims } }),
    close: async () => {
      for (const t of transports.values()) await t.close();
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await jwks.close();
      auth.close();
    },
  };
}
