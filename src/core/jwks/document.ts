import type { Jwk } from '../../backends/types.js';
import { JwksFetchError } from './jwks-error.js';

export interface ParsedJwks {
  keys: Jwk[];
  /** The text to hand to backends: the original, or a re-serialisation when entries were dropped. */
  json: string;
  /** Usable keys left out past MAX_JWKS_KEYS. */
  truncated: number;
}

/**
 * Keys kept from one document. Real key sets hold a handful; every key kept may be imported and
 * checked when the set arrives (native-key-set.ts), so a 1 MiB document of thousands of keys would
 * stall the event loop on each refresh.
 */
export const MAX_JWKS_KEYS = 200;

function isUsableKey(entry: unknown): entry is Jwk {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return false;
  const key = entry as Record<string, unknown>;
  return typeof key.kty === 'string' && (key.kid === undefined || typeof key.kid === 'string');
}

/**
 * Validates a JWKS document: a JSON object whose `keys` is an array. Entries that are not objects
 * with a string `kty` (and, when present, a string `kid`) are dropped; none left is an error; past
 * MAX_JWKS_KEYS the rest are dropped (the manager logs it).
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
  const usable = entries.filter(isUsableKey);
  if (usable.length === 0) throw new JwksFetchError('JWKS document has no usable keys');
  const keys = usable.length > MAX_JWKS_KEYS ? usable.slice(0, MAX_JWKS_KEYS) : usable;
  const json = keys.length === entries.length ? text : JSON.stringify({ keys });
  return { keys, json, truncated: usable.length - keys.length };
}
