import { describe, expect, it } from 'vitest';
import { GopherAuthError, GopherAuthException } from '../../src/core/errors.js';
import { BearerAuthError, authErrors } from '../../src/http/errors.js';

// The other bundle's instances carry the same registered symbol and nothing else in common:
// test/package/exports.test.ts checks the real ESM/CJS pair; here the rules themselves.
describe('instanceof for the error classes', () => {
  it('holds for an instance the class made, and not for look-alikes without the mark', () => {
    expect(new GopherAuthException(GopherAuthError.INVALID_CONFIG)).toBeInstanceOf(GopherAuthException);
    expect(authErrors.badRequest('x')).toBeInstanceOf(BearerAuthError);
    expect(new Error('x') instanceof GopherAuthException).toBe(false);
    expect({ name: 'GopherAuthException', code: GopherAuthError.INVALID_CONFIG } instanceof GopherAuthException).toBe(false);
    expect(Object.assign(Object.create(null), authErrors.badRequest('x')) instanceof BearerAuthError).toBe(false);
    expect((null as unknown as object) instanceof GopherAuthException).toBe(false);
    expect(authErrors.badRequest('x') instanceof GopherAuthException).toBe(false);
    expect(new GopherAuthException(GopherAuthError.INVALID_CONFIG) instanceof BearerAuthError).toBe(false);
  });

  it('a subclass keeps the ordinary answer: its instances are the base class\'s, not the reverse', () => {
    class AppException extends GopherAuthException {}
    const sub = new AppException(GopherAuthError.INVALID_CONFIG);
    expect(sub).toBeInstanceOf(AppException);
    expect(sub).toBeInstanceOf(GopherAuthException);
    expect(sub).toBeInstanceOf(Error);
    expect(new GopherAuthException(GopherAuthError.INVALID_CONFIG) instanceof AppException).toBe(false);
  });
});
