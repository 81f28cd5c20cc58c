/**
 * The verified-token cache's own cost per call, without any validation: what `TokenCache.get` and
 * `set` add to a request when the token is a repeat (hit) and when it is new (miss), with room in the
 * cache and with the cache full at its default size, where every new token evicts the least recently
 * used one. A flood of distinct tokens (many users at once, or someone sending random ones, whose
 * refusals are cached for failureTtl) keeps a cache in that last state.
 * Run: npx tsx bench/cache.ts [seconds-per-row, default 1] [rounds, default 5]
 */
import { randomBytes } from 'node:crypto';
import type { JwksSnapshot } from '../src/backends/types.js';
import { GopherAuthError } from '../src/core/errors.js';
import type { ValidationResult } from '../src/core/result.js';
import { DEFAULT_TOKEN_CACHE_MAX_ENTRIES, TokenCache, optionsKey } from '../src/core/token-cache.js';
import { median } from './lib/measure.js';

const SECONDS = Number(process.argv[2] ?? 1);
const ROUNDS = Number(process.argv[3] ?? 5);
const DISTINCT = DEFAULT_TOKEN_CACHE_MAX_ENTRIES * 4;

const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'bench' })).toString('base64url');
const exp = Math.floor(Date.now() / 1000) + 3600;
/** Shaped like real tokens (the cache reads only the header's kid and the payload's exp); never verified here. */
const tokens = Array.from({ length: DISTINCT }, (_, i) => {
  const payload = Buffer.from(JSON.stringify({ sub: `user-${i}`, iss: 'https://issuer.bench', aud: 'api', exp, iat: exp - 3600, jti: `t-${i}` }));
  return `${header}.${payload.toString('base64url')}.${randomBytes(256).toString('base64url')}`;
});
const keys: JwksSnapshot = { keys: [{ kty: 'RSA', kid: 'bench', n: 'n', e: 'AQAB' }], json: '', fetchedAt: Date.now(), version: 1 };
const KEY = optionsKey({ clockSkew: 60, audience: 'api' });
const VALID: ValidationResult = { valid: true, errorCode: GopherAuthError.SUCCESS, errorMessage: null };
const REFUSED: ValidationResult = { valid: false, errorCode: GopherAuthError.INVALID_SIGNATURE, errorMessage: 'JWT signature verification failed' };

function newCache(maxEntries: number): TokenCache {
  const cache = new TokenCache({ maxEntries });
  cache.setKeys(keys);
  return cache;
}

/** ns per call of `get`, and of `set` after a miss, cycling through `count` tokens from `cursor`. */
function run(cache: TokenCache, result: ValidationResult, count: number, cursor: { next: number }): number {
  const deadline = performance.now() + SECONDS * 1000;
  let calls = 0;
  const start = process.hrtime.bigint();
  while (performance.now() < deadline) {
    for (let i = 0; i < 1000; i++) {
      const token = tokens[cursor.next] as string;
      cursor.next = (cursor.next + 1) % count;
      if (cache.get(token, KEY) === undefined) cache.set(token, KEY, result, cache.generation);
    }
    calls += 1000;
  }
  return Number(process.hrtime.bigint() - start) / calls;
}

interface Row {
  name: string;
  cache: TokenCache;
  result: ValidationResult;
  count: number;
  cursor: { next: number };
  samples: number[];
}

const row = (name: string, maxEntries: number, result: ValidationResult, count: number): Row => ({
  name,
  cache: newCache(maxEntries),
  result,
  count,
  cursor: { next: 0 },
  samples: [],
});
const rows: Row[] = [
  row('hit: one repeated token', DEFAULT_TOKEN_CACHE_MAX_ENTRIES, VALID, 1),
  row('miss, valid, cache full (1,000): one eviction per call', 1000, VALID, DISTINCT),
  row(`miss, valid, cache full (${DEFAULT_TOKEN_CACHE_MAX_ENTRIES.toLocaleString('en-US')}): one eviction per call`, DEFAULT_TOKEN_CACHE_MAX_ENTRIES, VALID, DISTINCT),
  row(`miss, refused, cache full (${DEFAULT_TOKEN_CACHE_MAX_ENTRIES.toLocaleString('en-US')}): one eviction per call`, DEFAULT_TOKEN_CACHE_MAX_ENTRIES, REFUSED, DISTINCT),
];

for (let round = 0; round <= ROUNDS; round++) {
  for (const r of rows) {
    const ns = run(r.cache, r.result, r.count, r.cursor);
    if (round > 0) r.samples.push(ns); // round 0 warms up and fills the full caches
  }
}

console.log(`TokenCache get + set, ${SECONDS}s x ${ROUNDS} rounds (median), Node ${process.version}`);
for (const r of rows) {
  const s = r.cache.stats();
  console.log(`  ${r.name.padEnd(58)} ${median(r.samples).toFixed(0).padStart(6)} ns per call   (size ${s.size}, evictions ${s.evictions})`);
}
const small = median((rows[1] as Row).samples);
const large = median((rows[2] as Row).samples);
console.log(`\nA miss into a full cache of ${DEFAULT_TOKEN_CACHE_MAX_ENTRIES.toLocaleString('en-US')} costs ${(large / small).toFixed(2)}x one into a full cache of 1,000 (1x: evicting does not depend on the cache's size).`);
