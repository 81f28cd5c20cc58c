/**
 * The flat key set handed to the native library keeps each key's `alg` limit (and adds none where the
 * JWK has none), so the library itself is told which algorithm a key may verify.
 */
import { describe, expect, it } from 'vitest';
import { nativeKeySetJson } from '../../src/core/native-key-set.js';
import type { Jwk } from '../../src/backends/types.js';
import { TestIssuer } from '../support/issuer.js';

const issuer = new TestIssuer('https://issuer.test/native-set-alg');

describe('nativeKeySetJson and key alg', () => {
  it('carries alg for keys limited to one RS* algorithm, and none for keys without a limit', () => {
    const keys: Jwk[] = [
      issuer.jwk('rsa2048', { kid: 'only-384', alg: 'RS384' }),
      issuer.jwk('rsa2048b', { kid: 'only-512', alg: 'RS512' }),
      issuer.jwk('rsa3072', { kid: 'any' }),
    ];
    const flat = JSON.parse(nativeKeySetJson({ keys, json: '', fetchedAt: 0, version: 1 })).keys as Jwk[];
    expect(flat.map((k) => [k.kid, k.alg])).toEqual([
      ['only-384', 'RS384'],
      ['only-512', 'RS512'],
      ['any', undefined],
    ]);
    expect(flat[2]).not.toHaveProperty('alg');
  });
});
