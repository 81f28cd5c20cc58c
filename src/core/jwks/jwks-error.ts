import { logSafe, MAX_LOGGED_TEXT } from '../log-safe.js';

/** What a validation says before the reason: the reason is cut so that both fit the 512 every message is cut at. */
export const FETCH_FAILED_PREFIX = 'Failed to fetch JWKS: ';

/** Why one JWKS fetch attempt failed; `message` is the reason reported in status() and exceptions. */
export class JwksFetchError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    // It can quote what the endpoint sent (JSON.parse quotes the body's first characters, a content
    // type or status text can be kilobytes): escaped and cut, as it reaches jwksStatus().lastError,
    // ready()'s rejection, the warn log and validation results.
    super(logSafe(message, MAX_LOGGED_TEXT - FETCH_FAILED_PREFIX.length), options);
    this.name = 'JwksFetchError';
  }
}
