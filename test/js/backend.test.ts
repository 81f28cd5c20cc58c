import { describe, expect, it } from 'vitest';
import { JsBackendClient, jsBackend, recheckAccepted, JS_ALGORITHMS } from '../../src/backends/js/index.js';
import type { JwksSnapshot, ValidationRequest } from '../../src/backends/types.js';
import { GopherAuthError } from '../../src/backends/codes.js';
import { TestIssuer } from '../support/issuer.js';

const issuer = new TestIssuer('https://issuer.test/js');
const request: ValidationRequest = { issuer: issuer.issuer, clockSkew: 60, algorithms: JS_ALGORITHMS };
let version = 0;
const snapshot = (doc: { keys: JwksSnapshot['keys'] }): JwksSnapshot => ({ keys: doc.keys, json: JSON.stringify(doc), fetchedAt: Date.now(), version: ++version });

describe('jsBackend', () => {
  it('supports exactly the documented algorithms', () => {
    expect(JS_ALGORITHMS).toEqual(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']);
    for (const alg of ['HS256', 'none', 'RSA1_5', 'ES256K']) expect(jsBackend.supportsAlgorithm(alg)).toBe(false);
    expect(jsBackend.availability().available).toBe(true);
  });

  it('answers keyMiss before keys are set and for an unknown kid', () => {
    const client = new JsBackendClient();
    expect(client.validateSync(issuer.sign(), request)).toEqual({
      valid: false,
      code: GopherAuthError.INVALID_KEY,
      message: 'No key found with kid: rsa2048',
      keyMiss: { kid: 'rsa2048' },
    });
    client.setKeys(snapshot(issuer.jwks(['rsa2048'])));
    expect(client.validateSync(issuer.sign({ kid: 'other' }), request).keyMiss).toEqual({ kid: 'other' });
    expect(client.validateSync(issuer.sign({ kid: null, alg: 'ES256' }), request).keyMiss).toEqual({ kid: null });
    expect(client.validateSync(issuer.sign(), request).valid).toBe(true);
  });

  it('imports only the public members of a JWK that carries a private key', () => {
    const client = new JsBackendClient();
    const privateJwk = { ...issuer.key('p256').privateKey.export({ format: 'jwk' }), kid: 'p256' };
    client.setKeys(snapshot({ keys: [privateJwk as never] }));
    expect(client.validateSync(issuer.sign({ alg: 'ES256' }), request).valid).toBe(true);
  });

  it('reports malformed keys as unusable instead of throwing', () => {
    const client = new JsBackendClient();
    client.setKeys(snapshot({ keys: [{ kty: 'RSA', kid: 'rsa2048', n: 'AQAB', e: '' }] }));
    const verdict = client.validateSync(issuer.sign(), request);
    expect(verdict.code).toBe(GopherAuthError.INVALID_KEY);
    expect(verdict.message).toMatch(/rsa2048/);
  });

  it('async and sync paths agree under 64 concurrent validations', async () => {
    const client = new JsBackendClient();
    client.setKeys(snapshot(issuer.jwks(['rsa2048', 'p256', 'ed25519'])));
    const tokens = Array.from({ length: 64 }, (_, n) =>
      n % 3 === 0 ? issuer.sign({ claims: { jti: `j${n}` } }) : n % 3 === 1 ? issuer.sign({ alg: 'ES256', key: 'p384', kid: 'p256' }) : issuer.sign({ alg: 'EdDSA' }),
    );
    const asyncVerdicts = await Promise.all(tokens.map((t) => client.validate(t, request)));
    expect(asyncVerdicts).toEqual(tokens.map((t) => client.validateSync(t, request)));
    expect(asyncVerdicts.filter((v) => v.valid)).toHaveLength(43);
  });

  it('throws after destroy (misuse), idempotently', () => {
    const client = new JsBackendClient();
    client.destroy();
    client.destroy();
    expect(() => client.validateSync(issuer.sign(), request)).toThrow(/after destroy/);
  });
});

describe('recheckAccepted (for tokens the native library accepted)', () => {
  const snap = snapshot(issuer.jwks(['rsa2048', 'rsa1024']));

  it('skips the signature math when the kid names exactly one key', () => {
    const forged = issuer.sign({ key: 'rsa2048c', kid: 'rsa2048' });
    expect(recheckAccepted(forged, request, snap).valid).toBe(true);
  });

  it('still applies structure, claim and key-policy rules', () => {
    const nested = issuer.signRaw({ alg: 'RS256', headerJson: '{"alg":"RS256","kid":"rsa2048"}', payloadJson: `{"sub":"u","iss":"${issuer.issuer}","x":{"exp":${issuer.now() + 600}},"exp":1}` });
    expect(recheckAccepted(nested, request, snap).code).toBe(GopherAuthError.EXPIRED_TOKEN);
    expect(recheckAccepted(issuer.sign({ key: 'rsa1024' }), request, snap).code).toBe(GopherAuthError.INVALID_KEY);
    expect(recheckAccepted(`${issuer.sign()}==`, request, snap).code).toBe(GopherAuthError.INVALID_TOKEN);
    expect(recheckAccepted(issuer.sign(), { ...request, scopes: ['mcp:admin'] }, snap).code).toBe(GopherAuthError.INSUFFICIENT_SCOPE);
  });

  it('verifies the signature itself when the token has no kid (the key native used is unknown)', () => {
    expect(recheckAccepted(issuer.sign({ key: 'rsa1024', kid: null }), request, snap).code).toBe(GopherAuthError.INVALID_SIGNATURE);
    expect(recheckAccepted(issuer.sign({ kid: null }), request, snap).valid).toBe(true);
  });
});
