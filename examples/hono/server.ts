/**
 * Run: RESOURCE=http://localhost:8787/mcp ISSUER=https://as.example/realms/demo \
 *      JWKS_URI=https://as.example/realms/demo/protocol/openid-connect/certs npx tsx examples/hono/server.ts
 */
import { serve } from '@hono/node-server';
import { gopherAuth } from '../../src/http/gopher-auth.js';
import { createHonoApp, HONO_TOOL_SCOPES } from './app.js';

const resource = process.env['RESOURCE'] ?? 'http://localhost:8787/mcp';
const issuer = process.env['ISSUER'];
const jwksUri = process.env['JWKS_URI'];
if (!issuer || !jwksUri) {
  console.error('set ISSUER and JWKS_URI (and RESOURCE, default http://localhost:8787/mcp)');
  process.exit(1);
}

const auth = gopherAuth({ resource, issuer, jwksUri, toolScopes: HONO_TOOL_SCOPES, logger: console });
const port = Number(new URL(resource).port || 8787);
serve({ fetch: createHonoApp(auth).fetch, port, hostname: process.env['HOST'] ?? '127.0.0.1' }, (info) => {
  console.log(`MCP on ${resource} (listening on ${info.address}:${info.port}); metadata at ${auth.resourceMetadataUrl}`);
});
