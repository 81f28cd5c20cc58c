/**
 * MAX_CANDIDATE_KEYS at its exact boundary for a kid shared by many keys: the key at index
 * MAX_CANDIDATE_KEYS - 1 is still tried, the one at index MAX_CANDIDATE_KEYS is not.
 */
import { describe, expect, it } from 'vitest';
import { JsBackendClient, JS_ALGORITHMS } from '../../src/backends/js/index.js';
import { MAX_CANDIDATE_KEYS } from '../../src/backends/js/keyring.js';
import { generateKeyPair } from '../../src/backends/keypair.js';
import type { Jwk, ValidationRequest } from '../../src/backends/types.js';
import { GopherAuthError } from '../../src/backends/codes.js';
import { TestIssuer, b64url, signJws } from '../support/issuer.js';

const issuer = new TestIssuer('https://issuer.test/candidates');
const request: ValidationRequest = { issuer: issuer.issuer, clockSkew: 60, algorithms: JS_ALGORITHMS };
const keys = Array.from({ length: MAX_CANDIDATE_KEYS + 2 }, () => generateKeyPair('ec', { namedCurve: 'P-256' }));

function es256ByKey(index: number, header: Record<string, unknown>): string {
  const input = `${b64url(JSON.stringify({ alg: 'ES256', ...header }))}.${b64url(JSON.stringify(issuer.defaultClaims()))}`;
  return `${input}.${b64url(signJws('ES256', input, keys[index]!.privateKey))}`;
}

describe('keys tried for a shared kid, at the boundary', () => {
  it(`tries index ${MAX_CANDIDATE_KEYS - 1} and stops before index ${MAX_CANDIDATE_KEYS}`, () => {
    const client = new JsBackendClient();
    const jwks: Jwk[] = keys.map((k) => ({ ...(k.publicKey.export({ format: 'jwk' }) as Jwk), kid: 'shared' }));
    client.setKeys({ keys: jwks, json: JSON.stringify({ keys: jwks }), fetchedAt: Date.now(), version: 1 });
    expect(client.validateSync(es256ByKey(MAX_CANDIDATE_KEYS - 1, { kid: 'shared' }), request).valid).toBe(true);
    expect(client.validateSync(es256ByKey(MAX_CANDIDATE_KEYS, { kid: 'shared' }), request)).toMatchObject({
      valid: false,
      code: GopherAuthError.INVALID_SIGNATURE,
    });
  });
});
