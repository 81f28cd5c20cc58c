import { logSafe } from '../log-safe.js';

/** Why one JWKS fetch attempt failed; `message` is the reason reported in status() and exceptions. */
export class JwksFetchError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    // It can quote what the endpoint sent (JSON.parse quotes the body's first characters): escaped,
    // as it reaches jwksStatus().lastError, ready()'s rejection and the warn log.
    super(logSafe(message, Number.POSITIVE_INFINITY), options);
    this.name = 'JwksFetchError';
  }
}
