import { describe, expect, it } from 'vitest';
import type { JwksSnapshot } from '../../src/backends/types.js';
import { GopherAuthError } from '../../src/core/errors.js';
import type { ValidationResult } from '../../src/core/result.js';
import { MAX_CACHED_TOKEN_LENGTH, TokenCache, optionsKey, resolveTokenCacheOptions } from '../../src/core/token-cache.js';
import { TestIssuer } from '../support/issuer.js';

const issuer = new TestIssuer('https://issuer.test/cache');
const VALID: ValidationResult = { valid: true, errorCode: GopherAuthError.SUCCESS, errorMessage: null };
const BAD_SIGNATURE: ValidationResult = { valid: false, errorCode: GopherAuthError.INVALID_SIGNATURE, errorMessage: 'JWT signature verification failed' };
const KEY = optionsKey({ clockSkew: 60 });

/** A controllable clock in ms. */
function clock(start = Date.UTC(2030, 0, 1)): { now: () => number; advance: (ms: number) => void; seconds: () => number } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms), seconds: () => Math.floor(t / 1000) };
}

let version = 0;
function snapshot(kids: Array<string | { kid: string; n: string }>): JwksSnapshot {
  const keys = kids.map((k) => (typeof k === 'string' ? { kty: 'RSA', kid: k, n: `n-${k}`, e: 'AQAB' } : { kty: 'RSA', kid: k.kid, n: k.n, e: 'AQAB' }));
  return { keys, json: JSON.stringify({ keys }), fetchedAt: 0, version: ++version };
}

/** Signature validity does not matter to the cache: it reads only the header kid and the payload exp. */
function token(exp: number, kid: string | null = 'k1', jti = 'a'): string {
  return issuer.sign({ kid, claims: { exp, jti } });
}

function cacheAt(c: ReturnType<typeof clock>, options: ConstructorParameters<typeof TokenCache>[0] = {}): TokenCache {
  const cache = new TokenCache(options, c.now);
  cache.setKeys(snapshot(['k1', 'k2']));
  return cache;
}

describe('TokenCache expiry', () => {
  it("keeps a valid verdict until the token's exp and not a millisecond longer, even with skew configured", () => {
    const c = clock();
    const cache = cacheAt(c, { ttl: 3600 });
    const exp = c.seconds() + 10;
    const t = token(exp);
    cache.set(t, optionsKey({ clockSkew: 300 }), VALID);
    c.advance(exp * 1000 - c.now() - 1);
    expect(cache.get(t, optionsKey({ clockSkew: 300 }))).toEqual(VALID);
    c.advance(1);
    expect(cache.get(t, optionsKey({ clockSkew: 300 }))).toBeUndefined();
    expect(cache.stats().size).toBe(0);
  });

  it('keeps a valid verdict no longer than the client\'s maxTokenAge allows (iat + maxTokenAge), and none without iat', () => {
    const c = clock();
    const cache = new TokenCache({ ttl: 3600 }, c.now, 100);
    cache.setKeys(snapshot(['k1', 'k2']));
    const iat = c.seconds() - 40;
    const t = issuer.sign({ kid: 'k1', claims: { exp: c.seconds() + 3600, iat } });
    cache.set(t, KEY, VALID);
    c.advance((iat + 100) * 1000 - c.now() - 1);
    expect(cache.get(t, KEY)).toEqual(VALID);
    c.advance(1);
    expect(cache.get(t, KEY)).toBeUndefined();
    const noIat = issuer.sign({ kid: 'k1', claims: { exp: c.seconds() + 3600, iat: undefined } });
    cache.set(noIat, KEY, VALID);
    expect(cache.get(noIat, KEY)).toBeUndefined();
  });

  it('keeps a valid verdict no longer than the TTL when exp is later', () => {
    const c = clock();
    const cache = cacheAt(c, { ttl: 2 });
    const t = token(c.seconds() + 3600);
    cache.set(t, KEY, VALID);
    c.advance(1999);
    expect(cache.get(t, KEY)?.valid).toBe(true);
    c.advance(1);
    expect(cache.get(t, KEY)).toBeUndefined();
  });

  it('does not cache a valid verdict for a token already past exp (accepted inside the skew)', () => {
    const c = clock();
    const cache = cacheAt(c);
    const t = token(c.seconds() - 5);
    cache.set(t, KEY, VALID);
    expect(cache.get(t, KEY)).toBeUndefined();
    expect(cache.stats().size).toBe(0);
  });

  it('keeps refusals only for failureTtl, and not at all with failureTtl 0', () => {
    const c = clock();
    const cache = cacheAt(c, { failureTtl: 3, ttl: 600 });
    const t = token(c.seconds() + 600);
    cache.set(t, KEY, BAD_SIGNATURE);
    c.advance(2999);
    expect(cache.get(t, KEY)).toEqual(BAD_SIGNATURE);
    c.advance(1);
    expect(cache.get(t, KEY)).toBeUndefined();

    const none = cacheAt(c, { failureTtl: 0 });
    none.set(t, KEY, BAD_SIGNATURE);
    expect(none.get(t, KEY)).toBeUndefined();
  });

  it('does not remember a refusal of a token whose nbf is still ahead (it may become valid within the failure TTL)', () => {
    const c = clock();
    const cache = cacheAt(c, { failureTtl: 5 });
    const early = issuer.sign({ kid: 'k1', claims: { exp: c.seconds() + 600, nbf: c.seconds() + 2 } });
    const notYet: ValidationResult = { valid: false, errorCode: GopherAuthError.INVALID_TOKEN, errorMessage: 'JWT not yet valid (nbf)' };
    cache.set(early, KEY, notYet);
    expect(cache.get(early, KEY)).toBeUndefined();
    // Once nbf has passed, a refusal of that token is remembered as usual.
    c.advance(3000);
    cache.set(early, KEY, BAD_SIGNATURE);
    expect(cache.get(early, KEY)).toEqual(BAD_SIGNATURE);
  });

  it('never caches refusals that new keys or a working network could turn around', () => {
    const c = clock();
    const cache = cacheAt(c);
    const t = token(c.seconds() + 600);
    for (const code of [GopherAuthError.JWKS_FETCH_FAILED, GopherAuthError.NETWORK_ERROR, GopherAuthError.INVALID_KEY, GopherAuthError.INTERNAL_ERROR] as const) {
      cache.set(t, KEY, { valid: false, errorCode: code, errorMessage: 'x' });
      expect(cache.get(t, KEY)).toBeUndefined();
    }
    cache.set(t, KEY, { valid: false, errorCode: GopherAuthError.EXPIRED_TOKEN, errorMessage: 'JWT has expired' });
    expect(cache.get(t, KEY)?.errorCode).toBe(GopherAuthError.EXPIRED_TOKEN);
  });
});

describe('TokenCache bounds', () => {
  it('evicts the least recently used token beyond maxEntries', () => {
    const c = clock();
    const cache = cacheAt(c, { maxEntries: 3 });
    const exp = c.seconds() + 600;
    const [a, b, d, e] = ['a', 'b', 'd', 'e'].map((jti) => token(exp, 'k1', jti)) as [string, string, string, string];
    for (const t of [a, b, d]) cache.set(t, KEY, VALID);
    c.advance(1000); // hits reorder at most once a second
    expect(cache.get(a, KEY)?.valid).toBe(true); // a is now the most recent; b the least
    cache.set(e, KEY, VALID);
    expect(cache.stats()).toMatchObject({ size: 3, evictions: 1, maxEntries: 3 });
    expect(cache.get(b, KEY)).toBeUndefined();
    for (const t of [a, d, e]) expect(cache.get(t, KEY)?.valid).toBe(true);
  });

  it('reorders a hot token at most once a second', () => {
    const c = clock();
    const cache = cacheAt(c, { maxEntries: 2 });
    const exp = c.seconds() + 600;
    const [a, b, d] = ['a', 'b', 'd'].map((jti) => token(exp, 'k1', jti)) as [string, string, string];
    cache.set(a, KEY, VALID);
    cache.set(b, KEY, VALID);
    c.advance(999);
    expect(cache.get(a, KEY)?.valid).toBe(true); // within the second: a stays the least recent
    cache.set(d, KEY, VALID);
    expect(cache.get(a, KEY)).toBeUndefined();
    expect(cache.get(b, KEY)?.valid).toBe(true);
  });

  it('stays at maxEntries under many distinct tokens', () => {
    const c = clock();
    const cache = cacheAt(c, { maxEntries: 50 });
    const exp = c.seconds() + 600;
    for (let i = 0; i < 500; i++) cache.set(token(exp, 'k1', `j${i}`), KEY, VALID);
    expect(cache.stats()).toMatchObject({ size: 50, evictions: 450 });
  });

  it('drops ended entries as new ones arrive, so a flood of short-lived refusals does not stay until pushed out', () => {
    const c = clock();
    const cache = cacheAt(c, { failureTtl: 5 });
    const exp = c.seconds() + 600;
    const kept = token(exp, 'k1', 'kept');
    cache.set(kept, KEY, VALID); // the oldest entry, valid for the TTL: the sweep walks past it
    for (let i = 0; i < 1000; i++) cache.set(token(exp, 'k1', `old${i}`), KEY, BAD_SIGNATURE);
    expect(cache.stats().size).toBe(1001);
    c.advance(6000); // every refusal has ended
    for (let i = 0; i < 600; i++) cache.set(token(exp, 'k1', `new${i}`), KEY, BAD_SIGNATURE);
    // Two looked at per new token: the 1,000 ended refusals are gone after 500 insertions.
    expect(cache.stats()).toMatchObject({ size: 601, evictions: 0 });
    expect(cache.get(kept, KEY)?.valid).toBe(true);
    expect(cache.get(token(exp, 'k1', 'new599'), KEY)).toEqual(BAD_SIGNATURE);
  });

  it('keeps the least-recently-used order through entries leaving from the middle (expiry, key drops)', () => {
    const c = clock();
    const cache = cacheAt(c, { maxEntries: 5, failureTtl: 2 });
    const exp = c.seconds() + 600;
    const [a, b, d, e, f, g, h] = ['a', 'b', 'd', 'e', 'f', 'g', 'h'].map((jti) => token(exp, jti === 'e' ? 'k2' : 'k1', jti)) as string[] as [string, string, string, string, string, string, string];
    cache.set(a, KEY, VALID);
    cache.set(b, KEY, BAD_SIGNATURE);
    cache.set(d, KEY, VALID);
    cache.set(e, KEY, VALID);
    c.advance(2000);
    expect(cache.get(b, KEY)).toBeUndefined(); // b's refusal ended: b leaves from between a and d
    cache.setKeys(snapshot(['k1'])); // e's key is gone: e leaves from the recent end
    expect(cache.stats()).toMatchObject({ size: 2, keyDrops: 1 });
    expect(cache.get(a, KEY)?.valid).toBe(true); // a becomes the most recent: order d, a
    for (const t of [f, g, h]) cache.set(t, KEY, VALID); // d, a, f, g, h: full
    cache.set(b, KEY, VALID); // evicts d, the least recently used
    expect(cache.get(d, KEY)).toBeUndefined();
    cache.set(e, KEY, VALID); // e's kid is gone: not stored, nothing evicted
    cache.set(token(exp, 'k1', 'i'), KEY, VALID); // evicts a
    expect(cache.get(a, KEY)).toBeUndefined();
    for (const t of [f, g, h, b]) expect(cache.get(t, KEY)?.valid).toBe(true);
    expect(cache.stats()).toMatchObject({ size: 5, evictions: 2 });
  });

  it("gives a new token none of an evicted token's verdicts or kid (evicted entries are reused)", () => {
    const c = clock();
    const cache = cacheAt(c, { maxEntries: 1 });
    const exp = c.seconds() + 600;
    const other = optionsKey({ clockSkew: 60, audience: 'api' });
    const [a, b] = ['a', 'b'].map((jti) => token(exp, 'k1', jti)) as [string, string];
    const d = token(exp, 'k2', 'd');
    cache.set(a, KEY, VALID);
    cache.set(a, other, BAD_SIGNATURE);
    cache.set(b, KEY, VALID); // evicts a
    cache.set(d, KEY, VALID); // evicts b; d takes a's old entry
    for (const t of [a, b]) expect(cache.get(t, KEY)).toBeUndefined();
    expect(cache.get(a, other)).toBeUndefined();
    expect(cache.get(d, other)).toBeUndefined();
    expect(cache.get(d, KEY)?.valid).toBe(true);
    cache.setKeys(snapshot(['k2', { kid: 'k1', n: 'changed' }])); // a's key changed, d's did not
    expect(cache.get(d, KEY)?.valid).toBe(true);
    cache.setKeys(snapshot(['k1'])); // d's key is gone
    expect(cache.get(d, KEY)).toBeUndefined();
    expect(cache.stats()).toMatchObject({ size: 0, evictions: 2, keyDrops: 1 });
  });

  it('does not cache tokens longer than MAX_CACHED_TOKEN_LENGTH', () => {
    const c = clock();
    const cache = cacheAt(c);
    const long = issuer.sign({ claims: { exp: c.seconds() + 600, pad: 'x'.repeat(MAX_CACHED_TOKEN_LENGTH) } });
    cache.set(long, KEY, VALID);
    expect(cache.get(long, KEY)).toBeUndefined();
  });

  it('counts hits and misses', () => {
    const c = clock();
    const cache = cacheAt(c);
    const t = token(c.seconds() + 600);
    expect(cache.get(t, KEY)).toBeUndefined();
    cache.set(t, KEY, VALID);
    cache.get(t, KEY);
    cache.get(t, KEY);
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 1, size: 1 });
  });

  it('answers a fresh object on every hit, so callers cannot corrupt the entry', () => {
    const c = clock();
    const cache = cacheAt(c);
    const t = token(c.seconds() + 600);
    cache.set(t, KEY, VALID);
    const first = cache.get(t, KEY) as ValidationResult;
    first.valid = false;
    expect(cache.get(t, KEY)).toEqual(VALID);
  });
});

describe('TokenCache keys', () => {
  it('keeps option sets apart, including scope lists that join to the same text', () => {
    const c = clock();
    const cache = cacheAt(c);
    const t = token(c.seconds() + 600);
    const audA = optionsKey({ clockSkew: 60, audience: 'a' });
    const audB = optionsKey({ clockSkew: 60, audience: 'b' });
    const joined = optionsKey({ clockSkew: 60, scopes: ['read write'] });
    const split = optionsKey({ clockSkew: 60, scopes: ['read', 'write'] });
    expect(new Set([KEY, audA, audB, joined, split, optionsKey({ clockSkew: 0 })]).size).toBe(6);
    expect(optionsKey({ clockSkew: 60, scopes: [] })).toBe(KEY);
    cache.set(t, audA, VALID);
    cache.set(t, split, { valid: false, errorCode: GopherAuthError.INSUFFICIENT_SCOPE, errorMessage: 'Insufficient scope' });
    expect(cache.get(t, audA)).toEqual(VALID);
    expect(cache.get(t, audB)).toBeUndefined();
    expect(cache.get(t, joined)).toBeUndefined();
    expect(cache.get(t, split)?.errorCode).toBe(GopherAuthError.INSUFFICIENT_SCOPE);
    expect(cache.get(t, KEY)).toBeUndefined();
  });

  it('is keyed by the exact token text', () => {
    const c = clock();
    const cache = cacheAt(c);
    const t = token(c.seconds() + 600);
    cache.set(t, KEY, VALID);
    expect(cache.get(`${t}x`, KEY)).toBeUndefined();
    expect(cache.get(t.slice(0, -1), KEY)).toBeUndefined();
    // Same text built anew (as from a request header) still hits.
    expect(cache.get([...t].join(''), KEY)).toEqual(VALID);
  });
});

describe('TokenCache and the key set', () => {
  it('drops entries whose kid disappears and keeps the others', () => {
    const c = clock();
    const cache = cacheAt(c);
    const exp = c.seconds() + 600;
    const t1 = token(exp, 'k1');
    const t2 = token(exp, 'k2');
    cache.set(t1, KEY, VALID);
    cache.set(t2, KEY, VALID);
    cache.setKeys(snapshot(['k2', 'k3']));
    expect(cache.get(t1, KEY)).toBeUndefined();
    expect(cache.get(t2, KEY)).toEqual(VALID);
    expect(cache.stats().keyDrops).toBe(1);
  });

  it('drops entries whose key material changed under the same kid', () => {
    const c = clock();
    const cache = cacheAt(c);
    const t1 = token(c.seconds() + 600, 'k1');
    cache.set(t1, KEY, VALID);
    cache.setKeys(snapshot([{ kid: 'k1', n: 'rotated' }, 'k2']));
    expect(cache.get(t1, KEY)).toBeUndefined();
  });

  it('drops verdicts made with a kid-less key once that key is replaced by another kid-less one', () => {
    const c = clock();
    const cache = new TokenCache({}, c.now);
    const keyless = (n: string): JwksSnapshot => {
      const keys = [{ kty: 'RSA', n, e: 'AQAB' }];
      return { keys, json: JSON.stringify({ keys }), fetchedAt: 0, version: ++version };
    };
    cache.setKeys(keyless('old'));
    const t = token(c.seconds() + 600, null);
    cache.set(t, KEY, VALID);
    cache.setKeys(keyless('old')); // a refetch with the same key keeps it
    expect(cache.get(t, KEY)).toEqual(VALID);
    cache.setKeys(keyless('new'));
    expect(cache.get(t, KEY)).toBeUndefined();
    expect(cache.stats().keyDrops).toBe(1);
  });

  it('keeps everything when a refetch brings the same keys', () => {
    const c = clock();
    const cache = cacheAt(c);
    const t1 = token(c.seconds() + 600, 'k1');
    cache.set(t1, KEY, VALID);
    cache.set(token(c.seconds() + 600, 'k1', 'bad'), KEY, BAD_SIGNATURE);
    cache.setKeys(snapshot(['k1', 'k2']));
    expect(cache.get(t1, KEY)).toEqual(VALID);
    expect(cache.stats().size).toBe(2);
  });

  it('on any key change drops refusals and kid-less tokens (their key is unknown)', () => {
    const c = clock();
    const cache = cacheAt(c);
    const exp = c.seconds() + 600;
    const noKid = token(exp, null);
    const refused = token(exp, 'k1', 'refused');
    const kept = token(exp, 'k2');
    cache.set(noKid, KEY, VALID);
    cache.set(refused, KEY, BAD_SIGNATURE);
    cache.set(kept, KEY, VALID);
    cache.setKeys(snapshot(['k1', 'k2', 'k3']));
    expect(cache.get(noKid, KEY)).toBeUndefined();
    expect(cache.get(refused, KEY)).toBeUndefined();
    expect(cache.get(kept, KEY)).toEqual(VALID);
  });

  it('does not cache a validation that straddled a key change, nor a valid token whose kid is gone', () => {
    const c = clock();
    const cache = cacheAt(c);
    const exp = c.seconds() + 600;
    const before = cache.generation;
    cache.setKeys(snapshot([{ kid: 'k1', n: 'rotated' }, 'k2']));
    cache.set(token(exp, 'k1'), KEY, VALID, before);
    expect(cache.get(token(exp, 'k1'), KEY)).toBeUndefined();
    cache.set(token(exp, 'gone'), KEY, VALID);
    expect(cache.get(token(exp, 'gone'), KEY)).toBeUndefined();
  });

  it('caches no valid verdict before it has seen a key set', () => {
    const c = clock();
    const cache = new TokenCache({}, c.now);
    const t = token(c.seconds() + 600);
    cache.set(t, KEY, VALID);
    expect(cache.get(t, KEY)).toBeUndefined();
  });
});

/** A promise settled from outside. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('TokenCache validations under way', () => {
  it('keeps several option sets of one token under way apart, whichever settles first, and remembers each result', async () => {
    const c = clock();
    const cache = cacheAt(c);
    const t = token(c.seconds() + 600);
    const keys = ['a', 'b', 'c'].map((audience) => optionsKey({ clockSkew: 60, audience }));
    const runs = keys.map(() => deferred<ValidationResult>());
    const live = (): boolean => true;
    const answers = keys.map((key, i) => cache.validateAndRemember(t, key, cache.generation, (runs[i] as (typeof runs)[number]).promise, live));
    const joined = keys.map((key) => cache.joinUnderway(t, key));
    expect(joined.every((p) => p !== undefined)).toBe(true);
    expect(cache.joinUnderway(t, optionsKey({ clockSkew: 60, audience: 'd' }))).toBeUndefined();

    const audienceRefused: ValidationResult = { valid: false, errorCode: GopherAuthError.INVALID_AUDIENCE, errorMessage: 'Invalid audience' };
    runs[1]?.resolve(audienceRefused); // the middle one of the three first
    expect(await answers[1]).toBe(audienceRefused);
    expect(await joined[1]).toEqual(audienceRefused);
    expect(cache.joinUnderway(t, keys[1] as string)).toBeUndefined();
    // The other two are still under way, each its own.
    const first = cache.joinUnderway(t, keys[0] as string);
    const last = cache.joinUnderway(t, keys[2] as string);

    runs[2]?.reject(new Error('destroyed'));
    await expect(answers[2]).rejects.toThrow('destroyed');
    await expect(joined[2]).rejects.toThrow('destroyed');
    await expect(last).rejects.toThrow('destroyed');
    runs[0]?.resolve(VALID);
    expect(await answers[0]).toBe(VALID);
    expect(await first).toEqual(VALID);

    for (const key of keys) expect(cache.joinUnderway(t, key)).toBeUndefined();
    expect(cache.get(t, keys[0] as string)).toEqual(VALID);
    expect(cache.get(t, keys[1] as string)).toEqual(audienceRefused);
    expect(cache.get(t, keys[2] as string)).toBeUndefined(); // a failed validation is not remembered
    expect(cache.stats().joined).toBe(5);
  });

  it('remembers nothing when the client is gone by the time the validation settles, or when the key set changed meanwhile', async () => {
    const c = clock();
    const cache = cacheAt(c);
    const t = token(c.seconds() + 600);
    let alive = false;
    await cache.validateAndRemember(t, KEY, cache.generation, Promise.resolve(VALID), () => alive);
    expect(cache.get(t, KEY)).toBeUndefined();
    alive = true;
    const run = deferred<ValidationResult>();
    const answer = cache.validateAndRemember(t, KEY, cache.generation, run.promise, () => alive);
    cache.setKeys(snapshot(['k1', 'k3']));
    run.resolve(VALID);
    expect(await answer).toBe(VALID);
    expect(cache.get(t, KEY)).toBeUndefined();
  });

  it("reads a remembered token's exp on its first hit: a token that expired before anyone asked again is a miss", () => {
    const c = clock();
    const cache = cacheAt(c, { ttl: 3600 });
    const soon = token(c.seconds() + 2, 'k1', 'soon');
    const later = token(c.seconds() + 600, 'k1', 'later');
    cache.set(soon, KEY, VALID);
    cache.set(later, KEY, VALID);
    c.advance(2000);
    expect(cache.get(soon, KEY)).toBeUndefined();
    expect(cache.get(later, KEY)).toEqual(VALID);
    expect(cache.stats().size).toBe(1);
  });
});

describe('resolveTokenCacheOptions', () => {
  it('fills defaults and refuses nonsense', () => {
    expect(resolveTokenCacheOptions(undefined)).toBeNull();
    expect(resolveTokenCacheOptions(false)).toBeNull();
    expect(resolveTokenCacheOptions(true)).toEqual({ maxEntries: 10_000, ttl: 300, failureTtl: 5 });
    expect(resolveTokenCacheOptions({ ttl: 60 })).toEqual({ maxEntries: 10_000, ttl: 60, failureTtl: 5 });
    for (const bad of [{ maxEntries: 0 }, { maxEntries: 1.5 }, { ttl: 0 }, { ttl: -1 }, { failureTtl: -1 }, { ttl: Number.POSITIVE_INFINITY }]) {
      expect(() => resolveTokenCacheOptions(bad)).toThrow(/tokenCache\./);
    }
  });
});
