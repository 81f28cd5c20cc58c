/**
 * The logger of a gate created without one: silent, except that its first error — a JWKS or
 * discovery failure, a 503 or 500 answered to a client — becomes one process warning (stderr, as
 * Node's own warnings; `--no-warnings` hides it). Without it a permanent misconfiguration, such as a
 * wrong issuer URL, looked like an endless outage from the outside and printed nothing at all.
 */
import { logSafe } from '../core/log-safe.js';
import type { Logger } from '../core/logger.js';

export const UNLOGGED_ERROR_WARNING_CODE = 'GOPHER_AUTH_UNLOGGED_ERROR';

export function firstErrorAsWarning(): Logger {
  let warned = false;
  const quiet = (): void => {};
  return {
    debug: quiet,
    info: quiet,
    warn: quiet,
    error: (obj: unknown, msg?: string) => {
      if (warned) return;
      warned = true;
      process.emitWarning(
        `${logSafe(msg ?? 'gopher-auth: error')}: ${logSafe(detailOf(obj))}. This gopherAuth() gate has no logger, so its later errors are not shown: pass { logger } to see them.`,
        { type: 'GopherAuthWarning', code: UNLOGGED_ERROR_WARNING_CODE },
      );
    },
  };
}

function detailOf(obj: unknown): string {
  if (obj === null || typeof obj !== 'object') return String(obj);
  const record = obj as Record<string, unknown>;
  const detail = record['reason'] ?? record['err'] ?? record['error'];
  return typeof detail === 'string' ? detail : JSON.stringify(obj);
}
