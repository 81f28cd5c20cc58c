import { describe, expect, it } from 'vitest';
import { cacheLifetimeSeconds, parseCacheControl } from '../../src/core/jwks/cache-control.js';

const bounds = { cacheDuration: 3600, minCacheDuration: 60, maxCacheDuration: 86_400 };

describe('Cache-Control parsing', () => {
  it.each([
    ['max-age=300', { maxAge: 300, noStore: false, noCache: false }],
    ['public, MAX-AGE=120, must-revalidate', { maxAge: 120, noStore: false, noCache: false }],
    ['max-age="45"', { maxAge: 45, noStore: false, noCache: false }],
    ['no-store', { maxAge: null, noStore: true, noCache: false }],
    ['no-cache, max-age=600', { maxAge: 600, noStore: false, noCache: true }],
    ['max-age=-5', { maxAge: null, noStore: false, noCache: false }],
    ['max-age=1.5', { maxAge: null, noStore: false, noCache: false }],
    ['max-age=abc', { maxAge: null, noStore: false, noCache: false }],
    ['max-age=10, max-age=20', { maxAge: null, noStore: false, noCache: false }],
    ['max-age=10, max-age=10', { maxAge: 10, noStore: false, noCache: false }],
    ['', { maxAge: null, noStore: false, noCache: false }],
  ])('%j', (header, expected) => {
    expect(parseCacheControl(header)).toEqual(expected);
  });
});

describe('cache lifetime', () => {
  it('uses max-age inside the bounds', () => {
    expect(cacheLifetimeSeconds('max-age=300', null, bounds)).toBe(300);
  });
  it('clamps max-age to the bounds', () => {
    expect(cacheLifetimeSeconds('max-age=5', null, bounds)).toBe(60);
    expect(cacheLifetimeSeconds('max-age=0', null, bounds)).toBe(60);
    expect(cacheLifetimeSeconds('max-age=999999', null, bounds)).toBe(86_400);
  });
  it('subtracts the Age header before clamping', () => {
    expect(cacheLifetimeSeconds('max-age=1000', '400', bounds)).toBe(600);
    expect(cacheLifetimeSeconds('max-age=1000', '990', bounds)).toBe(60);
    expect(cacheLifetimeSeconds('max-age=1000', 'junk', bounds)).toBe(1000);
  });
  it('treats no-store and no-cache as the lower bound', () => {
    expect(cacheLifetimeSeconds('no-store', null, bounds)).toBe(60);
    expect(cacheLifetimeSeconds('no-cache, max-age=600', null, bounds)).toBe(60);
  });
  it('falls back to cacheDuration without a usable directive', () => {
    expect(cacheLifetimeSeconds(null, null, bounds)).toBe(3600);
    expect(cacheLifetimeSeconds('public', null, bounds)).toBe(3600);
    expect(cacheLifetimeSeconds('max-age=oops', null, { ...bounds, cacheDuration: 700 })).toBe(700);
  });
  // 0 ("do not cache") refetched on nearly every validation; a long one outlived maxCacheDuration.
  it('holds cacheDuration between the bounds, as it holds max-age', () => {
    expect(cacheLifetimeSeconds(null, null, { ...bounds, cacheDuration: 0 })).toBe(60);
    expect(cacheLifetimeSeconds(null, null, { ...bounds, cacheDuration: 7 })).toBe(60);
    expect(cacheLifetimeSeconds(null, null, { ...bounds, cacheDuration: 10 * 86_400 })).toBe(86_400);
    expect(cacheLifetimeSeconds('public', '30', { ...bounds, cacheDuration: 120 })).toBe(120);
  });
});
