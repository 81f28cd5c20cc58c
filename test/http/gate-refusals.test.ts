/**
 * Gate refusals the other suites reach only partly:
 * - a token a custom client calls valid but that has no numeric exp is still refused (it would be a
 *   credential forever; RFC 9068 requires exp), and so is one whose exp has passed (beyond clockSkew);
 * - a custom client's answer that is not plainly "valid with code 0" (a plain-JS client can return
 *   anything) is a refusal, never an identity; so is a decoded payload without an object of claims,
 *   and an expiration that is not a finite number counts as no exp;
 * - one Authorization header holding two credentials is answered as "multiple credentials", not as a
 *   malformed header.
 */
import { describe, expect, it } from 'vitest';
import { GopherAuthError } from '../../src/core/errors.js';
import { extractTokenPayload } from '../../src/core/payload.js';
import { Authenticator } from '../../src/http/authenticator.js';
import { resolveAuthConfig, type TokenClient } from '../../src/http/config.js';
import { DESCRIPTIONS, isBearerAuthError } from '../../src/http/errors.js';
import { extractBearerToken } from '../../src/http/token.js';
import { TestIssuer } from '../support/issuer.js';

const issuer = new TestIssuer('https://issuer.test/gate-refusals');
const resource = 'http://127.0.0.1:3000/mcp';

/** A third-party validator that, unlike GopherAuthClient, does not insist on exp. */
const lenientClient: TokenClient = {
  validateToken: async () => ({ valid: true, errorCode: GopherAuthError.SUCCESS, errorMessage: null }),
  extractPayload: (token) => extractTokenPayload(token),
};

describe('a valid verdict on a token without a numeric exp', () => {
  it('is refused as invalid_token', async () => {
    const gate = new Authenticator(resolveAuthConfig({ resource, issuer: issuer.issuer, client: lenientClient }));
    try {
      for (const exp of [undefined, '9999999999', null]) {
        const token = issuer.sign({ claims: { aud: resource, exp } });
        const outcome = await gate.verifyToken(token);
        expect(isBearerAuthError(outcome), `exp ${String(exp)}`).toBe(true);
        expect(outcome).toMatchObject({ kind: 'invalid_token', reason: 'the token has no numeric exp claim' });
      }
      // Control: the same client and a numeric exp give an identity.
      const ok = await gate.verifyToken(issuer.sign({ claims: { aud: resource } }));
      expect(isBearerAuthError(ok)).toBe(false);
      expect(ok).toMatchObject({ expiresAt: expect.any(Number) });
    } finally {
      gate.close();
    }
  });
});

describe('a valid verdict from a custom client on an expired token', () => {
  it('is refused as expired past the gate clockSkew (default 60 s), as the SDK refuses it', async () => {
    const now = Math.floor(Date.now() / 1000);
    const gate = new Authenticator(resolveAuthConfig({ resource, issuer: issuer.issuer, client: lenientClient }));
    const strict = new Authenticator(resolveAuthConfig({ resource, issuer: issuer.issuer, client: lenientClient, clockSkew: 0 }));
    try {
      const expired = await gate.verifyToken(issuer.sign({ claims: { aud: resource, exp: now - 120 } }));
      expect(expired).toMatchObject({ kind: 'invalid_token', code: GopherAuthError.EXPIRED_TOKEN });
      // Within the skew: the client's word stands, unless the gate is told to allow none.
      const recent = issuer.sign({ claims: { aud: resource, exp: now - 5 } });
      expect(isBearerAuthError(await gate.verifyToken(recent))).toBe(false);
      expect(await strict.verifyToken(recent)).toMatchObject({ kind: 'invalid_token', code: GopherAuthError.EXPIRED_TOKEN });
    } finally {
      gate.close();
      strict.close();
    }
  });
});

describe("a custom client's extractPayload that answers oddly", () => {
  const valid = async () => ({ valid: true, errorCode: GopherAuthError.SUCCESS, errorMessage: null });
  const decoded = (token: string) => extractTokenPayload(token) as NonNullable<ReturnType<typeof extractTokenPayload>>;
  const cases: [string, (token: string) => unknown, object][] = [
    ['expiration as a string', (t) => ({ ...decoded(t), expiration: '9999999999' }), { kind: 'invalid_token', reason: 'the token has no numeric exp claim' }],
    ['expiration NaN', (t) => ({ ...decoded(t), expiration: Number.NaN }), { kind: 'invalid_token', reason: 'the token has no numeric exp claim' }],
    ['expiration Infinity', (t) => ({ ...decoded(t), expiration: Number.POSITIVE_INFINITY }), { kind: 'invalid_token', reason: 'the token has no numeric exp claim' }],
    ['undefined', () => undefined, { kind: 'server_error' }],
    ['claims that are not an object', (t) => ({ ...decoded(t), claims: 'sub=alice' }), { kind: 'server_error' }],
  ];
  it.each(cases)('%s gives no identity', async (_, extractPayload, refusal) => {
    const client = { validateToken: valid, extractPayload } as unknown as TokenClient;
    const gate = new Authenticator(resolveAuthConfig({ resource, issuer: issuer.issuer, client }));
    try {
      const outcome = await gate.verifyToken(issuer.sign({ claims: { aud: resource } }));
      expect(isBearerAuthError(outcome)).toBe(true);
      expect(outcome).toMatchObject(refusal);
    } finally {
      gate.close();
    }
  });
});

describe("a custom client's answer that contradicts itself", () => {
  const answers: [string, unknown, string][] = [
    ['valid with a failure code', { valid: true, errorCode: GopherAuthError.EXPIRED_TOKEN, errorMessage: null }, 'invalid_token'],
    ['valid with an internal error', { valid: true, errorCode: GopherAuthError.INTERNAL_ERROR, errorMessage: 'boom' }, 'server_error'],
    ['valid as a string', { valid: 'yes', errorCode: GopherAuthError.SUCCESS, errorMessage: null }, 'invalid_token'],
    ['valid as 1', { valid: 1, errorCode: GopherAuthError.SUCCESS, errorMessage: null }, 'invalid_token'],
    ['valid without a code', { valid: true, errorMessage: null }, 'invalid_token'],
  ];
  it.each(answers)('%s is refused', async (_, answer, kind) => {
    const client = { validateToken: async () => answer, extractPayload: (token: string) => extractTokenPayload(token) } as unknown as TokenClient;
    const gate = new Authenticator(resolveAuthConfig({ resource, issuer: issuer.issuer, client }));
    try {
      const outcome = await gate.verifyToken(issuer.sign({ claims: { aud: resource } }));
      expect(isBearerAuthError(outcome)).toBe(true);
      expect(outcome).toMatchObject({ kind });
    } finally {
      gate.close();
    }
  });
});

describe('two credentials in one Authorization header', () => {
  it.each(['Bearer abc, Bearer def', 'Bearer abc,def', 'Bearer abc, Basic dXNlcjpwYXNz'])('%j is refused as multiple credentials', (header) => {
    const result = extractBearerToken([header], '');
    expect('error' in result && result.error.kind).toBe('invalid_request');
    expect('error' in result && result.error.description).toBe(DESCRIPTIONS.multiple_credentials);
  });
});
