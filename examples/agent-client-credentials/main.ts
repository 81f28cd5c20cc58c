/**
 * Self-contained run: starts the development authorization server and the example MCP server,
 * registers a confidential machine client, and runs the agent.
 *   npx tsx examples/agent-client-credentials/main.ts
 */
import { startDevAuthorizationServer } from '../dev-authorization-server/index.js';
import { buildConfig } from '../auth-mcp-server/config.js';
import { startAuthMcpServer } from '../auth-mcp-server/server.js';
import { runAgent } from './agent.js';

const as = await startDevAuthorizationServer();
const server = await startAuthMcpServer(buildConfig({ host: '127.0.0.1', port: '0', auth_server_url: as.issuer }));
try {
  // An admin would do this once; RFC 7591 registration of a confidential client works the same way.
  const machine = as.registerClient({ client_name: 'cc-agent', grant_types: ['client_credentials'], scope: 'mcp:read' });
  const report = await runAgent({
    tokenEndpoint: as.tokenEndpoint,
    clientId: machine.client_id,
    clientSecret: machine.client_secret ?? '',
    mcpUrl: server.mcpUrl,
  });
  console.log(`initialize without a token      → HTTP ${report.withoutToken}`);
  console.log(`initialize with the agent token → HTTP ${report.initialize.status}, server ${report.initialize.serverName}`);
  console.log(`tools/list                      → ${report.tools.join(', ')}`);
  process.exitCode = report.withoutToken === 401 && report.initialize.status === 200 && report.tools.length > 0 ? 0 : 1;
} finally {
  await server.close();
  await as.close();
}
