/**
 * CLI: `npx tsx examples/auth-mcp-server/main.ts [config] [--host H] [--port P] [--no-auth] [--backend js|native|auto]`
 */
import type { Logger } from '../../src/core/logger.js';
import { USAGE, parseCliArgs, resolveConfig } from './cli.js';
import { ConfigError } from './config.js';
import { StartupError, startAuthMcpServer } from './server.js';

/** Refusals and warnings go to stderr as one line each; token contents never reach the logger. */
const stderrLogger: Logger = {
  debug: () => {},
  info: (obj, msg) => process.stderr.write(`[info] ${msg ?? ''} ${JSON.stringify(obj)}\n`),
  warn: (obj, msg) => process.stderr.write(`[warn] ${msg ?? ''} ${JSON.stringify(obj)}\n`),
  error: (obj, msg) => process.stderr.write(`[error] ${msg ?? ''} ${JSON.stringify(obj)}\n`),
};

async function main(): Promise<number> {
  const args = parseCliArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const { config, source, warnings } = resolveConfig(args);
  for (const warning of warnings) process.stderr.write(`${warning}\n`);
  const server = await startAuthMcpServer(config, { logger: stderrLogger });
  // The MCP URL comes first and is the only address printed as host:port: it is the OAuth resource,
  // and clients compare it with the metadata's `resource` character for character (127.0.0.1 is not
  // localhost to them). The socket's address is printed apart, so it is not mistaken for a URL.
  const lines = [
    'Auth MCP Server (gopher-auth example)',
    `  MCP endpoint      ${server.mcpUrl}`,
    '                    connect MCP clients to exactly this URL: it is the resource tokens are issued for',
    `  config            ${source}`,
    `  health            ${server.url}/health`,
    `  listening on      ${config.host}, port ${server.config.port} (the socket; server_url sets the URL above)`,
  ];
  if (server.authEnabled) {
    lines.push(
      `  authorization     ${server.config.issuer}`,
      `  resource metadata ${server.url}/.well-known/oauth-protected-resource/mcp`,
      `  token validation  ${server.backend} backend`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return -1;
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof StartupError) {
      process.stderr.write(`auth-mcp-server: ${error.message}\n`);
      if (error instanceof ConfigError) process.stderr.write(USAGE);
      else process.stderr.write('hint: start from examples/auth-mcp-server/server.config.example (auth_server_url), or --no-auth for local development only\n');
      process.exit(2);
    }
    process.stderr.write(`auth-mcp-server: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
