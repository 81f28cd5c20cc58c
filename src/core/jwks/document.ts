import type { Jwk } from '../../backends/types.js';
import { JwksFetchError } from './jwks-error.js';

export interface ParsedJwks {
  keys: Jwk[];
  /** The text to hand to backends: the original, or a re-serialisation when entries were dropped. */
  json: string;
}

function isUsableKey(entry: unknown): entry is Jwk {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return false;
  const key = entry as Record<string, unknown>;
  return typeof key.kty === 'string' && (key.kid === undefined || typeof key.kid === 'string');
}

/**
 * Validates a JWKS document: a JSON object whose `keys` is an array. Entries that are not objects
 * with a string `kty` (and, when present, a string `kid`) are dropped; none left is an error.
 */
export function parseJwksDocument(text: string): ParsedJwks {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new JwksFetchError(`response is not JSON (${(error as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new JwksFetchError('response is not a JWKS document: expected a JSON object');
  }
  const entries = (doc as Record<string, unknown>).keys;
  if (!Array.isArray(entries)) {
    throw new JwksFetchError('response is not a JWKS document: "keys" is not an array');
  }
  const keys = entries.filter(isUsableKey);
  if (keys.length === 0) throw new JwksFetchError('JWKS document has no usable keys');
  const json = keys.length === entries.length ? text : JSON.stringify({ keys });
  return { keys, json };
}
