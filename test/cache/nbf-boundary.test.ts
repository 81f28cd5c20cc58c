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
  it('nbf one second ahead: not remembered; nbf well past: remembered', () => {
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

    // Control: an nbf well past does not stop an INVALID_TOKEN refusal being remembered.
    const started = issuer.sign({ kid: 'k1', claims: { exp: seconds + 600, nbf: seconds - 3 } });
    const malformed: ValidationResult = { valid: false, errorCode: GopherAuthError.INVALID_TOKEN, errorMessage: "JWT payload has an invalid 'iat' claim" };
    cache.set(started, KEY, malformed);
    expect(cache.get(started, KEY)).toEqual(malformed);
  });
});

// The checks compare whole seconds (a fractional nbf counts from the next second, skew 0), and a
// refusal is stored a moment after it was decided: "already started" by the millisecond clock is not
// enough to keep a "not yet valid" refusal for the failure TTL.
describe('nbf refusals near the moment the token starts', () => {
  const second = Date.UTC(2030, 0, 1) / 1000;
  const NOT_YET_NBF: ValidationResult = { valid: false, errorCode: GopherAuthError.INVALID_TOKEN, errorMessage: 'JWT not yet valid (nbf)' };

  it('a fractional nbf earlier in the current second, and an nbf passed a moment ago: not remembered', () => {
    const nowMs = second * 1000 + 600;
    const cache = new TokenCache({ failureTtl: 5 }, () => nowMs);
    cache.setKeys(snapshot);
    for (const nbf of [second + 0.2, second, second - 1]) {
      const token = issuer.sign({ kid: 'k1', claims: { exp: second + 600, nbf } });
      cache.set(token, KEY, NOT_YET_NBF);
      expect(cache.get(token, KEY), `nbf ${nbf - second}`).toBeUndefined();
    }
  });

  it('through a client: refused at skew 0 while nbf (fractional) is ahead, valid once it has passed', async () => {
    const { GopherAuthClient } = await import('../../src/core/client.js');
    const { startJwksServer } = await import('../support/jwks-server.js');
    const server = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
    const client = new GopherAuthClient(server.url, issuer.issuer, { backend: 'js', tokenCache: { failureTtl: 30 } });
    try {
      await client.ready();
      // 0.6 s into a second, nbf 0.2 s into the same second: "not yet" until the next whole second.
      await new Promise((resolve) => setTimeout(resolve, 1600 - (Date.now() % 1000)));
      const token = issuer.sign({ claims: { nbf: Math.floor(Date.now() / 1000) + 0.2 } });
      expect((await client.validateToken(token, { clockSkew: 0 })).errorMessage).toBe('JWT not yet valid (nbf)');
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(await client.validateToken(token, { clockSkew: 0 })).toEqual({ valid: true, errorCode: GopherAuthError.SUCCESS, errorMessage: null });
    } finally {
      client.destroy();
      await server.close();
    }
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

  it('with maxTokenAge: an iat one second ahead is not remembered; an iat well past is', () => {
    const c = cacheWith(600);
    c.set(ahead, KEY, FUTURE);
    expect(c.get(ahead, KEY)).toBeUndefined();
    const issued = issuer.sign({ kid: 'k1', claims: { exp: seconds + 600, iat: seconds - 3 } });
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
