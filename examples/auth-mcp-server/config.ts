/**
 * `server.config`: `key=value` lines, `#` comments and blank lines skipped, split at the first `=`,
 * keys and values trimmed. CLI overrides are merged into the raw values BEFORE anything is derived,
 * so a `--port` also changes the derived `server_url`.
 */
import { readFileSync } from 'node:fs';
// The same rule gopherAuth() applies, checked here so the refusal names this file's key.
import { isLoopbackHostname } from '../../src/http/loopback.js';

export type BackendChoice = 'js' | 'native' | 'auto';

export interface AuthMcpServerConfig {
  host: string;
  /** 0 picks a free port (tests); `serverUrl` is then derived once the port is known. */
  port: number;
  /** Public base URL used in metadata; undefined only while port is 0 and not yet bound. */
  serverUrl: string | undefined;
  authServerUrl: string;
  jwksUri: string;
  issuer: string;
  clientId: string;
  /** Never sent to any client; only for flows that need a confidential client. */
  clientSecret: string;
  tokenEndpoint: string;
  oauthTokenUrl: string;
  oauthAuthorizeUrl: string;
  allowedScopes: string[];
  /** Needed for every /mcp request, and named in the `scope` of 401 challenges. Default none. */
  requiredScopes: string[];
  jwksCacheDuration: number;
  jwksAutoRefresh: boolean;
  requestTimeout: number;
  authDisabled: boolean;
  /** Allows http issuer/JWKS/server URLs off loopback (development only: tokens and keys travel unprotected). */
  allowInsecureHttp: boolean;
  backend: BackendChoice;
}

export type RawConfig = Record<string, string>;

export const KNOWN_KEYS = [
  'host',
  'port',
  'server_url',
  'auth_server_url',
  'jwks_uri',
  'issuer',
  'client_id',
  'client_secret',
  'token_endpoint',
  'oauth_token_url',
  'oauth_authorize_url',
  'allowed_scopes',
  'required_scopes',
  'jwks_cache_duration',
  'jwks_auto_refresh',
  'request_timeout',
  'auth_disabled',
  'allow_insecure_http',
  'backend',
] as const;

/** Keys of `raw` this server does not know (a typo would otherwise be ignored without a word). */
export function unknownKeys(raw: RawConfig): string[] {
  const known: ReadonlySet<string> = new Set(KNOWN_KEYS);
  return Object.keys(raw).filter((key) => !known.has(key));
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function parseConfigText(text: string): RawConfig {
  const raw: RawConfig = {};
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const eq = trimmed.indexOf('=');
    if (eq < 0) continue;
    const key = trimmed.slice(0, eq).trim();
    if (key === '') continue;
    raw[key] = trimmed.slice(eq + 1).trim();
  }
  return raw;
}

export function loadConfigFile(path: string): RawConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  return parseConfigText(text);
}

function integer(raw: RawConfig, key: string, fallback: number, min: number, max: number): number {
  const value = raw[key];
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value)) throw new ConfigError(`${key} must be a whole number, got "${value}"`);
  const n = Number(value);
  if (n < min || n > max) throw new ConfigError(`${key} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function boolean(raw: RawConfig, key: string, fallback: boolean): boolean {
  const value = raw[key]?.toLowerCase();
  if (value === undefined || value === '') return fallback;
  if (['true', '1', 'yes', 'on'].includes(value)) return true;
  if (['false', '0', 'no', 'off'].includes(value)) return false;
  throw new ConfigError(`${key} must be true or false, got "${raw[key]}"`);
}

function stripTrailingSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}

/** Applies defaults and derives every URL from `auth_server_url` (Keycloak realm layout) when left empty. */
export function buildConfig(raw: RawConfig, overrides: RawConfig = {}): AuthMcpServerConfig {
  const merged: RawConfig = { ...raw, ...overrides };
  const value = (key: string): string => merged[key] ?? '';
  const port = integer(merged, 'port', 3001, 0, 65535);
  const authServerUrl = stripTrailingSlash(value('auth_server_url'));
  const derive = (key: string, suffix: string): string =>
    value(key) !== '' ? value(key) : authServerUrl === '' ? '' : authServerUrl + suffix;
  const backend = value('backend') === '' ? 'auto' : value('backend');
  if (backend !== 'js' && backend !== 'native' && backend !== 'auto') {
    throw new ConfigError(`backend must be js, native or auto, got "${backend}"`);
  }
  const scopes = value('allowed_scopes') === '' ? 'openid profile email mcp:read mcp:admin' : value('allowed_scopes');
  const tokenEndpoint = derive('token_endpoint', '/protocol/openid-connect/token');
  return {
    host: value('host') === '' ? '0.0.0.0' : value('host'),
    port,
    serverUrl: value('server_url') !== '' ? stripTrailingSlash(value('server_url')) : port === 0 ? undefined : `http://localhost:${port}`,
    authServerUrl,
    jwksUri: derive('jwks_uri', '/protocol/openid-connect/certs'),
    issuer: value('issuer') !== '' ? value('issuer') : authServerUrl,
    clientId: value('client_id'),
    clientSecret: value('client_secret'),
    tokenEndpoint,
    oauthTokenUrl: value('oauth_token_url') !== '' ? value('oauth_token_url') : tokenEndpoint,
    oauthAuthorizeUrl: derive('oauth_authorize_url', '/protocol/openid-connect/auth'),
    allowedScopes: scopes.split(/\s+/).filter((s) => s !== ''),
    requiredScopes: value('required_scopes').split(/\s+/).filter((s) => s !== ''),
    jwksCacheDuration: integer(merged, 'jwks_cache_duration', 3600, 0, 86_400 * 365),
    jwksAutoRefresh: boolean(merged, 'jwks_auto_refresh', true),
    requestTimeout: integer(merged, 'request_timeout', 30, 0, 3600),
    authDisabled: boolean(merged, 'auth_disabled', false),
    allowInsecureHttp: boolean(merged, 'allow_insecure_http', false),
    backend,
  };
}

/** With auth on, the settings a token check cannot do without. Returns human-readable problems. */
export function missingAuthSettings(config: AuthMcpServerConfig): string[] {
  if (config.authDisabled) return [];
  const problems: string[] = [];
  if (config.issuer === '') problems.push('issuer (or auth_server_url) is required when auth is enabled');
  if (config.jwksUri === '') problems.push('jwks_uri (or auth_server_url) is required when auth is enabled');
  for (const [key, url] of [
    ['issuer', config.issuer],
    ['jwks_uri', config.jwksUri],
    ['server_url', config.serverUrl ?? 'http://localhost'],
  ] as const) {
    if (url === '') continue;
    try {
      const parsed = new URL(url);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') problems.push(`${key} must be an http(s) URL`);
      else if (parsed.protocol === 'http:' && !config.allowInsecureHttp && !isLoopbackHostname(parsed.hostname)) {
        problems.push(`${key} uses plain http on a non-loopback host (${parsed.host}): use https, or set allow_insecure_http=true for development only`);
      }
    } catch {
      problems.push(`${key} is not a URL: ${url}`);
    }
  }
  return problems;
}
