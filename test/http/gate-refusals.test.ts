/**
 * Gate refusals the other suites reach only partly:
 * - a token a custom client calls valid but that has no numeric exp is still refused (it would be a
 *   credential forever; RFC 9068 requires exp), and so is one whose exp has passed (beyond clockSkew);
 * - a custom client's answer that is not plainly "valid with code 0" (a plain-JS client can return
 *   anything) is a refusal, never an identity; so is a decoded payload without an object of claims,
 *   and an expiration that is not a finite number counts as no exp;
 * - a client handed in that checks another issuer than the gate's (whose metadata names the gate's
 *   issuer) does not let that issuer's tokens through;
 * - a custom client refusing a token for its aud or iss before checking its signature: the reason
 *   quotes those claims without walking them (nested 20,000 deep, they threw out of the gate);
 * - one Authorization header holding two credentials is answered as "multiple credentials", not as a
 *   malformed header.
 */
import { describe, expect, it } from 'vitest';
import { GopherAuthClient } from '../../src/core/client.js';
import { GopherAuthError } from '../../src/core/errors.js';
import { extractTokenPayload } from '../../src/core/payload.js';
import { Authenticator } from '../../src/http/authenticator.js';
import { resolveAuthConfig, type TokenClient } from '../../src/http/config.js';
import { DESCRIPTIONS, isBearerAuthError } from '../../src/http/errors.js';
import { extractBearerToken } from '../../src/http/token.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer } from '../support/jwks-server.js';

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

describe('a client handed in that checks another issuer', () => {
  it("does not let that issuer's tokens through: the gate's issuer is the one its metadata announces", async () => {
    const other = new TestIssuer('https://other.example/realms/other');
    const jwks = await startJwksServer({ jwks: other.jwks(['rsa2048']) });
    const client = new GopherAuthClient(jwks.url, other.issuer, { backend: 'js' });
    const gate = new Authenticator(resolveAuthConfig({ resource, issuer: issuer.issuer, client }));
    const lenient = new Authenticator(resolveAuthConfig({ resource, issuer: issuer.issuer, client: lenientClient }));
    try {
      const token = other.sign({ claims: { aud: resource } });
      expect((await client.validateToken(token)).valid).toBe(true); // the client's own verdict
      expect(await gate.verifyToken(token)).toMatchObject({ kind: 'invalid_token', code: GopherAuthError.INVALID_ISSUER });
      expect(await lenient.verifyToken(token)).toMatchObject({ kind: 'invalid_token', code: GopherAuthError.INVALID_ISSUER });
      for (const iss of [undefined, 42, { href: issuer.issuer }]) {
        const outcome = await lenient.verifyToken(issuer.sign({ claims: { aud: resource, iss } }));
        expect(outcome, `iss ${JSON.stringify(iss)}`).toMatchObject({ kind: 'invalid_token', code: GopherAuthError.INVALID_ISSUER });
      }
      // Control: the gate's issuer, with or without one trailing slash, as validation compares it.
      for (const iss of [issuer.issuer, `${issuer.issuer}/`]) {
        expect(isBearerAuthError(await lenient.verifyToken(issuer.sign({ claims: { aud: resource, iss } }))), iss).toBe(false);
      }
    } finally {
      gate.close();
      lenient.close();
      client.destroy();
      await jwks.close();
    }
  });
});

describe('a custom client refusing a token for claims it has not verified', () => {
  /** The claim as JSON text nested `depth` arrays deep (JSON.stringify cannot write it). */
  const signedWith = (claim: string, json: string): string => {
    const now = issuer.now();
    return issuer.signRaw({
      alg: 'RS256',
      headerJson: JSON.stringify({ alg: 'RS256', kid: 'rsa2048' }),
      payloadJson: `{"sub":"x",${claim === 'iss' ? '' : `"iss":${JSON.stringify(issuer.issuer)},`}"exp":${now + 600},${JSON.stringify(claim)}:${json}}`,
    });
  };
  const nested = (depth: number): string => `${'['.repeat(depth)}"x"${']'.repeat(depth)}`;
  it.each([
    ['aud', GopherAuthError.INVALID_AUDIENCE, /token aud an array of 1 entries, unverified/],
    ['iss', GopherAuthError.INVALID_ISSUER, /token iss an array of 1 entries, unverified/],
  ] as const)('%s nested 20,000 deep: a 401 with the claim described, not a throw', async (claim, code, detail) => {
    const refusing = {
      validateToken: async () => ({ valid: false, errorCode: code, errorMessage: 'refused' }),
      extractPayload: (token: string) => extractTokenPayload(token),
    } as unknown as TokenClient;
    const gate = new Authenticator(resolveAuthConfig({ resource, issuer: issuer.issuer, client: refusing }));
    try {
      const outcome = await gate.verifyToken(signedWith(claim, nested(20_000)));
      expect(outcome).toMatchObject({ kind: 'invalid_token', code });
      expect((outcome as { reason: string }).reason).toMatch(detail);
      const wide = await gate.verifyToken(signedWith(claim, JSON.stringify(Array.from({ length: 50_000 }, (_, i) => `https://x${i}.test`))));
      expect((wide as { reason: string }).reason).toMatch(new RegExp(`token ${claim} an array of 50000 entries, unverified`));
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
