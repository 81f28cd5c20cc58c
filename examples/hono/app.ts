/**
 * A small MCP server on Hono, protected by the web-standard gate of gopher-auth.
 * The gate answers every refusal itself (401/403/400/503 with the right WWW-Authenticate); on
 * success it hands back the AuthInfo, which goes to the MCP transport and the auth context.
 */
import { Hono } from 'hono';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { z } from 'zod';
import type { AuthInfo } from '../../src/http/auth-info.js';
import { getAuthInfo, runWithAuthInfo } from '../../src/http/context.js';
import type { GopherAuth } from '../../src/http/gopher-auth.js';

/** Scopes per tool, passed to gopherAuth({ toolScopes }). */
export const HONO_TOOL_SCOPES = { 'get-weather-alerts': ['mcp:admin'] } as const;

function weatherServer(): McpServer {
  const server = new McpServer({ name: 'hono-weather', version: '1.0.0' });
  server.registerTool('get-weather', { description: 'Current weather for a city', inputSchema: { city: z.string() } }, async ({ city }) => ({
    content: [{ type: 'text', text: JSON.stringify({ city, condition: 'Sunny', requestedBy: getAuthInfo()?.extra?.['sub'] ?? null }) }],
  }));
  server.registerTool('get-weather-alerts', { description: 'Weather alerts (mcp:admin)', inputSchema: { region: z.string() } }, async ({ region }) => ({
    content: [{ type: 'text', text: JSON.stringify({ region, alerts: [] }) }],
  }));
  return server;
}

export function createHonoApp(auth: GopherAuth): Hono<{ Variables: { auth: AuthInfo } }> {
  const app = new Hono<{ Variables: { auth: AuthInfo } }>();

  app.on(['GET', 'HEAD', 'OPTIONS'], '/.well-known/oauth-protected-resource/*', (c) => auth.metadataResponse(c.req.raw) ?? c.notFound());
  app.on(['GET', 'HEAD', 'OPTIONS'], '/.well-known/oauth-protected-resource', (c) => auth.metadataResponse(c.req.raw) ?? c.notFound());

  app.use('/mcp', async (c, next) => {
    const verdict = await auth.gate(c.req.raw);
    if (verdict instanceof Response) return verdict;
    c.set('auth', verdict);
    await runWithAuthInfo(verdict, next);
    for (const [name, value] of Object.entries(auth.corsHeaders(c.req.header('origin')))) c.res.headers.set(name, value);
  });

  // Stateless Streamable HTTP: one server and transport per request.
  app.all('/mcp', async (c) => {
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await weatherServer().connect(transport);
    return transport.handleRequest(c.req.raw, { authInfo: c.get('auth') });
  });

  return app;
}
