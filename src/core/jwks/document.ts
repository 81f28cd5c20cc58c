import type { Jwk } from '../../backends/types.js';
import { JwksFetchError } from './jwks-error.js';

export interface ParsedJwks {
  keys: Jwk[];
  /** The keys kept, serialised (the text handed to backends and compared across fetches). */
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

/** The members any part of the package reads from a JWK (key rules, import, the native key set). */
const READ_MEMBERS = ['kty', 'kid', 'alg', 'use', 'key_ops', 'n', 'e', 'crv', 'x', 'y'] as const;
/** Deeper than any member a key rule may describe (`key_ops` is an array of strings). */
const MAX_MEMBER_DEPTH = 4;

/**
 * The key with the members the package reads, or null when one of them nests deeper than
 * MAX_MEMBER_DEPTH. Members nobody reads (`x5c`, `ext`, private parts) are not kept: V8's JSON.parse
 * reads any depth, but the key set is cloned to the verify workers and serialised for fingerprints,
 * and both recurse — a member nested 5,000 deep threw out of a worker's 'ready' handler and ended
 * the process.
 */
function readMembers(key: Jwk): Jwk | null {
  const out: Record<string, unknown> = {};
  for (const name of READ_MEMBERS) {
    if (!Object.prototype.hasOwnProperty.call(key, name)) continue;
    const value = (key as Record<string, unknown>)[name];
    if (nestsDeeperThan(value, MAX_MEMBER_DEPTH)) return null;
    out[name] = value;
  }
  return out as Jwk;
}

function nestsDeeperThan(value: unknown, depth: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (depth === 0) return true;
  for (const inner of Object.values(value)) if (nestsDeeperThan(inner, depth - 1)) return true;
  return false;
}

/**
 * Validates a JWKS document: a JSON object whose `keys` is an array. Entries that are not objects
 * with a string `kty` (and, when present, a string `kid`), or whose read members nest too deep, are
 * dropped; none left is an error; past MAX_JWKS_KEYS the rest are dropped (the manager logs it).
 * Each key keeps only the members the package reads, and `json` is their serialisation.
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
  const usable = entries.filter(isUsableKey).map(readMembers).filter((key): key is Jwk => key !== null);
  if (usable.length === 0) throw new JwksFetchError('JWKS document has no usable keys');
  const keys = usable.length > MAX_JWKS_KEYS ? usable.slice(0, MAX_JWKS_KEYS) : usable;
  return { keys, json: JSON.stringify({ keys }), truncated: usable.length - keys.length };
}
