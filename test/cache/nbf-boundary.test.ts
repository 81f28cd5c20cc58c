/**
 * A refusal of a token whose nbf is still ahead is never remembered, down to the last second: with
 * nbf exactly one second ahead the token may be valid before the failure TTL ends. With maxTokenAge,
 * the same holds for an iat still ahead ("issued in the future").
 */
import { describe, expect, it } from 'vitest';
import type { JwksSnapshot } from '../../src/backends/types.js';
import { GopherAuthError } from '../../src/core/errors.js';
import type { ValidationResult } from '../../src/core/result.js';
import { TokenCache, optionsKey } from '../../src/core/token-cache.js';
import { TestIssuer } from '../support/issuer.js';

const issuer = new TestIssuer('https://issuer.test/cache-nbf');
const KEY = optionsKey({ clockSkew: 0 });
const NOT_YET: ValidationResult = { valid: false, errorCode: GopherAuthError.INVALID_TOKEN, errorMessage: 'JWT not yet valid (nbf)' };
const keys = [{ kty: 'RSA', kid: 'k1', n: 'n-k1', e: 'AQAB' }];
const snapshot: JwksSnapshot = { keys, json: JSON.stringify({ keys }), fetchedAt: 0, version: 1 };

describe('nbf refusals and the failure TTL, at the boundary', () => {
  it('nbf one second ahead: not remembered; nbf now: remembered', () => {
    const nowMs = Date.UTC(2030, 0, 1); // a whole second
    const cache = new TokenCache({ failureTtl: 5 }, () => nowMs);
    cache.setKeys(snapshot);
    const seconds = nowMs / 1000;

    const soon = issuer.sign({ kid: 'k1', claims: { exp: seconds + 600, nbf: seconds + 1 } });
    cache.set(soon, KEY, NOT_YET);
    expect(cache.get(soon, KEY)).toBeUndefined();

    const fractional = issuer.sign({ kid: 'k1', claims: { exp: seconds + 600, nbf: seconds + 0.5 } });
    cache.set(fractional, KEY, NOT_YET);
    expect(cache.get(fractional, KEY)).toBeUndefined();

    // Control: an nbf that is not ahead does not stop an INVALID_TOKEN refusal being remembered.
    const started = issuer.sign({ kid: 'k1', claims: { exp: seconds + 600, nbf: seconds } });
    const malformed: ValidationResult = { valid: false, errorCode: GopherAuthError.INVALID_TOKEN, errorMessage: "JWT payload has an invalid 'iat' claim" };
    cache.set(started, KEY, malformed);
    expect(cache.get(started, KEY)).toEqual(malformed);
  });
});

describe('iat refusals and the failure TTL (maxTokenAge)', () => {
  const FUTURE: ValidationResult = { valid: false, errorCode: GopherAuthError.INVALID_TOKEN, errorMessage: 'JWT issued in the future (iat)' };
  const nowMs = Date.UTC(2030, 0, 1);
  const seconds = nowMs / 1000;
  const cacheWith = (maxTokenAge?: number): TokenCache => {
    const c = new TokenCache({ failureTtl: 5 }, () => nowMs, maxTokenAge);
    c.setKeys(snapshot);
    return c;
  };
  const ahead = issuer.sign({ kid: 'k1', claims: { exp: seconds + 600, iat: seconds + 1 } });

  it('with maxTokenAge: an iat one second ahead is not remembered; an iat now is', () => {
    const c = cacheWith(600);
    c.set(ahead, KEY, FUTURE);
    expect(c.get(ahead, KEY)).toBeUndefined();
    const issued = issuer.sign({ kid: 'k1', claims: { exp: seconds + 600, iat: seconds } });
    const other: ValidationResult = { valid: false, errorCode: GopherAuthError.INVALID_TOKEN, errorMessage: "JWT payload has an invalid 'nbf' claim" };
    c.set(issued, KEY, other);
    expect(c.get(issued, KEY)).toEqual(other);
  });

  it('without maxTokenAge iat is not compared with the clock, so it does not stop a refusal being remembered', () => {
    const c = cacheWith();
    c.set(ahead, KEY, FUTURE);
    expect(c.get(ahead, KEY)).toEqual(FUTURE);
  });
});
