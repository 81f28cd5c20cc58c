/**
 * recheckAccepted skips the signature math only when the token's kid names exactly one key and the
 * header reads the same to the native library's textual parser (readsAlike). Every other case must
 * verify the signature itself: each test below feeds it a token signed by a key outside the set,
 * which only a real signature check refuses.
 */
import { describe, expect, it } from 'vitest';
import { JS_ALGORITHMS, recheckAccepted } from '../../src/backends/js/index.js';
import type { Jwk, JwksSnapshot, ValidationRequest } from '../../src/backends/types.js';
import { GopherAuthError } from '../../src/backends/codes.js';
import { TestIssuer } from '../support/issuer.js';

const issuer = new TestIssuer('https://issuer.test/recheck');
const request: ValidationRequest = { issuer: issuer.issuer, clockSkew: 60, algorithms: JS_ALGORITHMS };
let version = 0;
const snapshot = (keys: Jwk[]): JwksSnapshot => ({ keys, json: JSON.stringify({ keys }), fetchedAt: Date.now(), version: ++version });
const claims = (): string => JSON.stringify(issuer.defaultClaims());

describe('recheckAccepted verifies the signature itself', () => {
  it('when the kid is shared by several keys (which one the native library used is unknown)', () => {
    const snap = snapshot([issuer.jwk('rsa2048', { kid: 'dup' }), issuer.jwk('rsa2048b', { kid: 'dup' })]);
    expect(recheckAccepted(issuer.sign({ key: 'rsa2048c', kid: 'dup' }), request, snap)).toMatchObject({
      valid: false,
      code: GopherAuthError.INVALID_SIGNATURE,
    });
    // Control: signed by either key with that kid, it is valid.
    expect(recheckAccepted(issuer.sign({ key: 'rsa2048b', kid: 'dup' }), request, snap).valid).toBe(true);
    expect(recheckAccepted(issuer.sign({ key: 'rsa2048', kid: 'dup' }), request, snap).valid).toBe(true);
  });

  it('when the header holds a JSON escape anywhere', () => {
    const snap = snapshot([issuer.jwk('rsa2048')]);
    const headerJson = '{"alg":"RS256","kid":"rsa2048","note":"a\\\\b"}';
    const forged = issuer.signRaw({ alg: 'RS256', key: 'rsa2048c', headerJson, payloadJson: claims() });
    expect(recheckAccepted(forged, request, snap)).toMatchObject({ valid: false, code: GopherAuthError.INVALID_SIGNATURE });
    const genuine = issuer.signRaw({ alg: 'RS256', key: 'rsa2048', headerJson, payloadJson: claims() });
    expect(recheckAccepted(genuine, request, snap).valid).toBe(true);
  });

  it.each(['k{1}', 'k}', 'k[0]', 'k]'])('when the kid holds a brace or bracket (%s)', (kid) => {
    const snap = snapshot([issuer.jwk('rsa2048', { kid })]);
    expect(recheckAccepted(issuer.sign({ key: 'rsa2048c', kid }), request, snap)).toMatchObject({
      valid: false,
      code: GopherAuthError.INVALID_SIGNATURE,
    });
    expect(recheckAccepted(issuer.sign({ key: 'rsa2048', kid }), request, snap).valid).toBe(true);
  });

  it('but not for a plain header whose kid names one key (control: the documented shortcut)', () => {
    const snap = snapshot([issuer.jwk('rsa2048')]);
    expect(recheckAccepted(issuer.sign({ key: 'rsa2048c', kid: 'rsa2048' }), request, snap).valid).toBe(true);
  });
});
