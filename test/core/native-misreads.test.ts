import { describe, expect, it } from 'vitest';
import type { JwksSnapshot } from '../../src/backends/types.js';
import { nativeMayMisread } from '../../src/core/native-misreads.js';
import { TestIssuer } from '../support/issuer.js';

const issuer = new TestIssuer();
const snapshotOf = (doc: { keys: unknown[] }): JwksSnapshot =>
  ({ keys: doc.keys, json: JSON.stringify(doc), fetchedAt: Date.now(), version: 1 }) as JwksSnapshot;
const plainSet = snapshotOf(issuer.jwks(['rsa2048']));
const claims = issuer.defaultClaims();

describe('which native rejections get a JS second opinion', () => {
  it('a plain token (the common bad-signature flood) does not: one validation per token', () => {
    const token = issuer.sign();
    const forged = `${token.slice(0, token.lastIndexOf('.'))}.${Buffer.alloc(256, 7).toString('base64url')}`;
    expect(nativeMayMisread(forged, plainSet)).toBe(false);
    expect(nativeMayMisread('not-a-jwt', plainSet)).toBe(false);
  });

  it('JSON escapes, nested objects and exponent numbers do', () => {
    const escaped = JSON.stringify(claims).replace(issuer.issuer.slice(0, 6), 'https:\\/');
    const nested = JSON.stringify({ ctx: { exp: 1 }, ...claims });
    const exponent = JSON.stringify(claims).replace(/"exp":(\d+)/, (_, n: string) => `"exp":${Number(n) / 1e9}e9`);
    for (const payloadJson of [escaped, nested, exponent]) {
      const token = issuer.signRaw({ alg: 'RS256', key: 'rsa2048', headerJson: '{"alg":"RS256","kid":"rsa2048"}', payloadJson });
      expect(nativeMayMisread(token, plainSet), payloadJson).toBe(true);
    }
  });

  it("a claim's name written as a value, or a ] inside a string of an aud array, does (the library takes the first text)", () => {
    const I = JSON.stringify(issuer.issuer);
    const exp = issuer.now() + 600;
    const ambiguous = [
      `{"k":"exp","sub":"u","iss":${I},"exp":${exp}}`,
      `{"k":"iss","sub":"u","iss":${I},"exp":${exp}}`,
      `{"amr":["exp"],"sub":"u","iss":${I},"exp":${exp}}`,
      `{"sub":"exp","iss":${I},"exp":${exp}}`,
      `{"sub":"u","iss":${I},"exp":${exp},"note":"scope"}`,
      `{"k":"aud","sub":"u","iss":${I},"exp":${exp},"aud":"api"}`,
      `{"sub":"u","iss":${I},"exp":${exp},"aud":["a]","api"]}`,
    ];
    for (const payloadJson of ambiguous) {
      const token = issuer.signRaw({ alg: 'RS256', key: 'rsa2048', headerJson: '{"alg":"RS256","kid":"rsa2048"}', payloadJson });
      expect(nativeMayMisread(token, plainSet), payloadJson).toBe(true);
    }
    const kidNamedAlg = issuer.signRaw({ alg: 'RS256', key: 'rsa2048', headerJson: '{"alg":"RS256","kid":"alg"}', payloadJson: JSON.stringify(claims) });
    expect(nativeMayMisread(kidNamedAlg, plainSet)).toBe(true);
    // Plain members, spaced or not, and an aud array without brackets in its strings: no second opinion.
    for (const payloadJson of [`{ "sub" : "u", "iss" :${I}, "exp": ${exp}, "aud" : [ "a", "api" ] }`, `{"sub":"u","iss":${I},"exp":${exp},"aud":["api"],"x":"]"}`]) {
      const token = issuer.signRaw({ alg: 'RS256', key: 'rsa2048', headerJson: '{"alg":"RS256","kid":"rsa2048"}', payloadJson });
      expect(nativeMayMisread(token, plainSet), payloadJson).toBe(false);
    }
  });

  it('a key set with two keys under one kid does', () => {
    const twins = snapshotOf({ keys: [issuer.jwk('rsa2048'), issuer.jwk('rsa3072', { kid: 'rsa2048' })] });
    expect(nativeMayMisread(issuer.sign(), twins)).toBe(true);
  });
});
