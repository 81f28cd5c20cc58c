import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, KNOWN_KEYS, buildConfig, loadConfigFile, unknownKeys, type AuthMcpServerConfig, type RawConfig } from './config.js';

export const USAGE = `Usage: auth-mcp-server [config] [--host H] [--port P] [--no-auth] [--backend js|native|auto]

  config            path to a server.config file (default: ./server.config, then the example's own)
  --host H          bind address (overrides host)
  --port P          port (overrides port; server_url is derived from it when not set explicitly)
  --no-auth         serve WITHOUT authentication (development only; overrides auth_disabled).
                    With the default host 0.0.0.0 every tool is open to your whole network:
                    add --host 127.0.0.1 to keep it on this machine
  --backend NAME    token validation backend: js, native or auto (default auto)
`;

export interface CliArgs {
  configPath: string | undefined;
  /** Raw `server.config` keys set on the command line; they win over the file. */
  overrides: RawConfig;
  help: boolean;
}

export function parseCliArgs(argv: readonly string[]): CliArgs {
  const overrides: RawConfig = {};
  let configPath: string | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const valueOf = (name: string): string => {
      const inline = arg.startsWith(`${name}=`) ? arg.slice(name.length + 1) : undefined;
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new ConfigError(`${name} needs a value`);
      i++;
      return next;
    };
    if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--no-auth') overrides.auth_disabled = 'true';
    else if (arg === '--host' || arg.startsWith('--host=')) overrides.host = valueOf('--host');
    else if (arg === '--port' || arg.startsWith('--port=')) overrides.port = valueOf('--port');
    else if (arg === '--backend' || arg.startsWith('--backend=')) overrides.backend = valueOf('--backend');
    else if (arg.startsWith('-')) throw new ConfigError(`unknown option ${arg}`);
    else if (configPath === undefined) configPath = arg;
    else throw new ConfigError(`unexpected argument ${arg}`);
  }
  return { configPath, overrides, help };
}

function defaultConfigPath(): string | undefined {
  const candidates = [join(process.cwd(), 'server.config'), join(dirname(fileURLToPath(import.meta.url)), 'server.config')];
  return candidates.find((p) => existsSync(p));
}

/**
 * File (if any), then CLI overrides, then defaults and derivation: in that order. `warnings`: one line
 * per key of the file this server does not know (ignored, as before, but no longer silently).
 */
export function resolveConfig(args: CliArgs): { config: AuthMcpServerConfig; source: string; warnings: string[] } {
  const path = args.configPath ?? defaultConfigPath();
  const raw = path === undefined ? {} : loadConfigFile(path);
  const warnings = unknownKeys(raw).map((key) => `auth-mcp-server: ignoring unknown key ${JSON.stringify(key)} in ${path}; the keys are: ${KNOWN_KEYS.join(', ')}`);
  return { config: buildConfig(raw, args.overrides), source: path ?? '(no config file; defaults)', warnings };
}
