import { GopherAuthError, GopherAuthException } from '../errors.js';
import { checkLogger, silentLogger, type Logger } from '../logger.js';
import type { JwksManagerOptions } from './types.js';

/** Resolved manager settings, durations in milliseconds. */
export interface JwksSettings {
  cacheDurationMs: number;
  minCacheDurationMs: number;
  maxCacheDurationMs: number;
  autoRefresh: boolean;
  requestTimeoutMs: number;
  unknownKidCooldownMs: number;
  maxStaleMs: number;
  maxResponseBytes: number;
  maxRedirects: number;
  logger: Logger;
  fetch: typeof fetch;
}

export const JWKS_DEFAULTS = {
  cacheDuration: 3600,
  minCacheDuration: 60,
  maxCacheDuration: 86_400,
  autoRefresh: true,
  requestTimeout: 10,
  unknownKidCooldown: 30,
  maxStale: 3600,
  maxResponseBytes: 1024 * 1024,
  maxRedirects: 5,
} as const;

function seconds(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new GopherAuthException(
      GopherAuthError.INVALID_CONFIG,
      `${name} must be a non-negative number of seconds, got ${String(value)}`,
    );
  }
  return v * 1000;
}

export function validateJwksUri(uri: string): void {
  let url: URL | null = null;
  try {
    url = new URL(uri);
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new GopherAuthException(GopherAuthError.INVALID_CONFIG, `JWKS URI must be an http:// or https:// URL, got "${uri}"`);
  }
  // fetch() refuses them anyway, and the URI appears in logs and status: a password would with it.
  if (url.username !== '' || url.password !== '') {
    throw new GopherAuthException(GopherAuthError.INVALID_CONFIG, 'JWKS URI must not contain credentials');
  }
}

export function resolveJwksSettings(options: JwksManagerOptions = {}): JwksSettings {
  const minCacheDurationMs = seconds('minCacheDuration', options.minCacheDuration, JWKS_DEFAULTS.minCacheDuration);
  const maxCacheDurationMs = seconds('maxCacheDuration', options.maxCacheDuration, JWKS_DEFAULTS.maxCacheDuration);
  if (maxCacheDurationMs < minCacheDurationMs) {
    throw new GopherAuthException(GopherAuthError.INVALID_CONFIG, 'maxCacheDuration must not be below minCacheDuration');
  }
  const maxResponseBytes = options.maxResponseBytes ?? JWKS_DEFAULTS.maxResponseBytes;
  if (!Number.isSafeInteger(maxResponseBytes) || maxResponseBytes <= 0) {
    throw new GopherAuthException(GopherAuthError.INVALID_CONFIG, `maxResponseBytes must be a positive integer, got ${String(maxResponseBytes)}`);
  }
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') {
    throw new GopherAuthException(GopherAuthError.INVALID_CONFIG, 'no fetch implementation available (Node >= 20 provides one)');
  }
  return {
    cacheDurationMs: seconds('cacheDuration', options.cacheDuration, JWKS_DEFAULTS.cacheDuration),
    minCacheDurationMs,
    maxCacheDurationMs,
    autoRefresh: flag('autoRefresh', options.autoRefresh, JWKS_DEFAULTS.autoRefresh),
    requestTimeoutMs: seconds('requestTimeout', options.requestTimeout, JWKS_DEFAULTS.requestTimeout),
    unknownKidCooldownMs: seconds('unknownKidCooldown', options.unknownKidCooldown, JWKS_DEFAULTS.unknownKidCooldown),
    maxStaleMs: seconds('maxStale', options.maxStale, JWKS_DEFAULTS.maxStale),
    maxResponseBytes,
    maxRedirects: JWKS_DEFAULTS.maxRedirects,
    logger: checkLogger(options.logger, 'logger') ?? silentLogger,
    fetch: fetchImpl,
  };
}

/** A string 'false' is truthy: only booleans are taken. */
function flag(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new GopherAuthException(GopherAuthError.INVALID_CONFIG, `${name} must be true or false, got ${JSON.stringify(value) ?? String(value)}`);
  }
  return value;
}
