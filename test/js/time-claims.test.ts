/** Clock rules at their boundaries, with the clock fixed (request.now). */
import { describe, expect, it } from 'vitest';
import { checkClaims } from '../../src/backends/js/claims.js';
import { JS_ALGORITHMS } from '../../src/backends/js/index.js';
import { parseToken, type ParsedToken } from '../../src/backends/js/token.js';
import type { ValidationRequest } from '../../src/backends/types.js';
import { GopherAuthError } from '../../src/backends/codes.js';
import { TestIssuer } from '../support/issuer.js';

const issuer = new TestIssuer('https://issuer.test/time');
const NOW = 1_900_000_000;
const request = (clockSkew: number): ValidationRequest => ({ issuer: issuer.issuer, clockSkew, algorithms: JS_ALGORITHMS, now: NOW });

function verdict(claims: Record<string, unknown>, clockSkew: number) {
  const text = JSON.stringify({ sub: 'u', iss: issuer.issuer, exp: NOW + 600, ...claims });
  const token = issuer.signRaw({ alg: 'RS256', headerJson: '{"alg":"RS256","kid":"rsa2048"}', payloadJson: text });
  return checkClaims(parseToken(token, request(clockSkew)) as ParsedToken, request(clockSkew));
}

describe('exp and nbf at their boundaries', () => {
  it('exp: valid up to the second before exp + skew, expired from it on', () => {
    expect(verdict({ exp: NOW + 1 }, 0).valid).toBe(true);
    expect(verdict({ exp: NOW }, 0)).toMatchObject({ valid: false, code: GopherAuthError.EXPIRED_TOKEN });
    expect(verdict({ exp: NOW - 59 }, 60).valid).toBe(true);
    expect(verdict({ exp: NOW - 60 }, 60)).toMatchObject({ valid: false, code: GopherAuthError.EXPIRED_TOKEN });
  });

  it('nbf: a fractional value counts from its next whole second (now is whole seconds, rounded down)', () => {
    expect(verdict({ nbf: NOW }, 0).valid).toBe(true);
    expect(verdict({ nbf: NOW + 0.9 }, 0)).toMatchObject({ valid: false, code: GopherAuthError.INVALID_TOKEN, message: 'JWT not yet valid (nbf)' });
    expect(verdict({ nbf: NOW + 60 }, 60).valid).toBe(true);
    expect(verdict({ nbf: NOW + 60.9 }, 60)).toMatchObject({ valid: false, message: 'JWT not yet valid (nbf)' });
  });

  it('iat: any finite number; anything else is a malformed claim set', () => {
    for (const iat of [NOW, NOW + 86_400, 0, -1, 1.5]) expect(verdict({ iat }, 60).valid).toBe(true);
    for (const iat of ['yesterday', null, true, [NOW], { t: NOW }]) {
      expect(verdict({ iat }, 60)).toMatchObject({ valid: false, code: GopherAuthError.INVALID_TOKEN, message: "JWT payload has an invalid 'iat' claim" });
    }
  });
});
