import { describe, expect, it } from 'vitest';
import { GopherAuthClient } from '../../src/core/client.js';
import { GopherAuthError, getErrorDescription } from '../../src/core/errors.js';
import { validationResult } from '../../src/core/result.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer } from '../support/jwks-server.js';

describe('validationResult', () => {
  it('accepts only a valid verdict with SUCCESS, and then carries no message', () => {
    expect(validationResult(true, GopherAuthError.SUCCESS, 'ignored')).toEqual({ valid: true, errorCode: 0, errorMessage: null });
  });

  it('refuses a verdict that says valid with a failure code, keeping the code', () => {
    expect(validationResult(true, GopherAuthError.EXPIRED_TOKEN, null)).toEqual({
      valid: false,
      errorCode: GopherAuthError.EXPIRED_TOKEN,
      errorMessage: getErrorDescription(GopherAuthError.EXPIRED_TOKEN),
    });
  });

  it('never answers a refusal with code 0 or without a message', () => {
    expect(validationResult(false, GopherAuthError.SUCCESS, null)).toEqual({
      valid: false,
      errorCode: GopherAuthError.INTERNAL_ERROR,
      errorMessage: getErrorDescription(GopherAuthError.INTERNAL_ERROR),
    });
    expect(validationResult(false, GopherAuthError.INVALID_AUDIENCE, null).errorMessage).toBe(getErrorDescription(GopherAuthError.INVALID_AUDIENCE));
    expect(validationResult(false, GopherAuthError.INVALID_AUDIENCE, 'Invalid audience')).toEqual({
      valid: false,
      errorCode: GopherAuthError.INVALID_AUDIENCE,
      errorMessage: 'Invalid audience',
    });
  });

  it('every answer of a client, fresh or from its cache, has one of the two shapes', async () => {
    const issuer = new TestIssuer();
    const server = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
    const client = new GopherAuthClient(server.url, issuer.issuer, { backend: 'js', tokenCache: true });
    try {
      await client.ready();
      const tokens = [
        issuer.sign(),
        issuer.sign({ claims: { exp: Math.floor(Date.now() / 1000) - 3600 } }),
        issuer.sign({ claims: { aud: 'someone-else' } }),
        'not.a.jwt',
      ];
      const narrowed: string[] = [];
      for (let round = 0; round < 2; round++) {
        for (const token of tokens) {
          const result = await client.validateToken(token, { audience: 'someone-else' });
          if (result.valid) {
            expect(result.errorCode).toBe(GopherAuthError.SUCCESS);
            expect(result.errorMessage).toBeNull();
            narrowed.push('valid');
          } else {
            expect(result.errorCode).not.toBe(GopherAuthError.SUCCESS);
            expect(typeof result.errorMessage === 'string' && result.errorMessage.length > 0).toBe(true);
            narrowed.push(String(result.errorCode));
          }
        }
      }
      expect(narrowed.slice(0, 4)).toEqual(narrowed.slice(4));
      expect(narrowed).toContain('valid');
      expect(client.stats().tokenCache?.hits).toBeGreaterThan(0);
    } finally {
      client.destroy();
      await server.close();
    }
  });
});
