/**
 * With maxTokenAge, a token whose iat is still ahead is refused ("issued in the future") and may be
 * valid a moment later, as a token before its nbf: its refusal is not remembered for the failure TTL.
 */
import { describe, expect, it } from 'vitest';
import type { JwksSnapshot } from '../../src/backends/types.js';
import { GopherAuthError } from '../../src/core/errors.js';
import type { ValidationResult } from '../../src/core/result.js';
import { TokenCache, optionsKey } from '../../src/core/token-cache.js';
import { TestIssuer } from '../support/issuer.js';

const issuer = new TestIssuer('https://issuer.test/cache-iat');
const KEY = optionsKey({ clockSkew: 0 });
const FUTURE: ValidationResult = { valid: false, errorCode: GopherAuthError.INVALID_TOKEN, errorMessage: 'JWT issued in the future (iat)' };
const keys = [{ kty: 'RSA', kid: 'k1', n: 'n-k1', e: 'AQAB' }];
const snapshot: JwksSnapshot = { keys, json: JSON.stringify({ keys }), fetchedAt: 0, version: 1 };
const nowMs = Date.UTC(2030, 0, 1);
const seconds = nowMs / 1000;

function cache(maxTokenAge?: number): TokenCache {
  const c = new TokenCache({ failureTtl: 5 }, () => nowMs, maxTokenAge);
  c.setKeys(snapshot);
  return c;
}

describe('iat refusals and the failure TTL', () => {
  it('with maxTokenAge: an iat one second ahead is not remembered; an iat now is', () => {
    const c = cache(600);
    const soon = issuer.sign({ kid: 'k1', claims: { exp: seconds + 600, iat: seconds + 1 } });
    c.set(soon, KEY, FUTURE);
    expect(c.get(soon, KEY)).toBeUndefined();

    const issued = issuer.sign({ kid: 'k1', claims: { exp: seconds + 600, iat: seconds } });
    const other: ValidationResult = { valid: false, errorCode: GopherAuthError.INVALID_TOKEN, errorMessage: "JWT payload has an invalid 'nbf' claim" };
    c.set(issued, KEY, other);
    expect(c.get(issued, KEY)).toEqual(other);
  });

  it('without maxTokenAge iat is not compared with the clock, so it does not stop a refusal being remembered', () => {
    const c = cache();
    const ahead = issuer.sign({ kid: 'k1', claims: { exp: seconds + 600, iat: seconds + 1 } });
    c.set(ahead, KEY, FUTURE);
    expect(c.get(ahead, KEY)).toEqual(FUTURE);
  });
});
