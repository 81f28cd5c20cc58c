import { describe, expect, it } from 'vitest';
import { authErrorResponse, authErrors, httpStatus, isBearerAuthError, wwwAuthenticate, DESCRIPTIONS } from '../../src/http/errors.js';

const ctx = { resourceMetadata: 'https://api.example/.well-known/oauth-protected-resource/mcp', retryAfterSeconds: 7 };
const RM = `resource_metadata="${ctx.resourceMetadata}"`;

describe('typed auth errors on the wire', () => {
  it('missing token: 401, challenge without error', () => {
    const e = authErrors.missingToken();
    expect(httpStatus(e)).toBe(401);
    expect(wwwAuthenticate(e, ctx)).toBe(`Bearer ${RM}`);
  });

  it('invalid token: 401 invalid_token with the fixed text, never the detail', () => {
    const e = authErrors.invalidToken('issuer https://evil" expected https://as', undefined);
    expect(httpStatus(e)).toBe(401);
    expect(wwwAuthenticate(e, ctx)).toBe(`Bearer error="invalid_token", error_description="${DESCRIPTIONS.invalid_token}", ${RM}`);
    expect(authErrorResponse(e, ctx).body).not.toContain('evil');
  });

  it('insufficient scope: 403 with every needed scope', () => {
    const e = authErrors.insufficientScope(['mcp:read', 'mcp:admin'], 'missing mcp:admin');
    expect(httpStatus(e)).toBe(403);
    expect(wwwAuthenticate(e, { ...ctx, realm: 'mcp' })).toBe(
      `Bearer realm="mcp", error="insufficient_scope", error_description="${DESCRIPTIONS.insufficient_scope}", scope="mcp:read mcp:admin", ${RM}`,
    );
  });

  it('unavailable: 503 with Retry-After and no challenge', () => {
    const e = authErrors.unavailable('JWKS fetch failed: ECONNREFUSED');
    const answer = authErrorResponse(e, ctx);
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('7');
    expect(answer.headers['www-authenticate']).toBeUndefined();
    expect(JSON.parse(answer.body)).toEqual({ error: 'temporarily_unavailable', error_description: DESCRIPTIONS.unavailable });
  });

  it('invalid_request (query token) is a 400 challenge', () => {
    const answer = authErrorResponse(authErrors.queryToken(), ctx);
    expect(answer.status).toBe(400);
    expect(answer.headers['www-authenticate']).toBe(`Bearer error="invalid_request", error_description="${DESCRIPTIONS.query_token}", ${RM}`);
  });

  it('unknown errors are 500 without a challenge', () => {
    expect(httpStatus(new Error('x'))).toBe(500);
    expect(wwwAuthenticate(new Error('x'), ctx)).toBeNull();
    expect(authErrorResponse('boom', ctx).status).toBe(500);
  });

  it('recognises errors by brand, not by prototype', () => {
    const e = authErrors.badRequest('x');
    expect(isBearerAuthError(e)).toBe(true);
    expect(isBearerAuthError({ kind: 'invalid_token' })).toBe(false);
    const clone = Object.assign(Object.create(null), e);
    expect(isBearerAuthError(clone)).toBe(false);
  });
});
