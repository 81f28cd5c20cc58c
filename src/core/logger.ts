import { GopherAuthError, GopherAuthException } from './errors.js';

/** A pino-compatible logger: any object with these four methods (pino, console, bunyan-likes). */
export interface Logger {
  debug(obj: unknown, msg?: string, ...args: unknown[]): void;
  info(obj: unknown, msg?: string, ...args: unknown[]): void;
  warn(obj: unknown, msg?: string, ...args: unknown[]): void;
  error(obj: unknown, msg?: string, ...args: unknown[]): void;
}

const noop = (): void => {};
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/**
 * A logger option checked when it is given: one missing a method would otherwise throw in the
 * middle of recording a JWKS failure (losing the reason and the retry) or refusing a request.
 */
export function checkLogger(value: unknown, where: string): Logger | undefined {
  if (value === undefined) return undefined;
  const missing = value !== null && (typeof value === 'object' || typeof value === 'function')
    ? LEVELS.filter((level) => typeof (value as Record<string, unknown>)[level] !== 'function')
    : LEVELS;
  if (missing.length > 0) {
    throw new GopherAuthException(
      GopherAuthError.INVALID_CONFIG,
      `${where} must be a pino-compatible logger (an object with debug, info, warn and error methods); missing: ${missing.join(', ')}`,
    );
  }
  return value as Logger;
}
