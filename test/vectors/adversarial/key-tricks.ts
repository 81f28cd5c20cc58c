/** RFC 8725 §3.4/§3.5: hostile keys in the JWKS — exponent 1 and 3, off-curve and wrong-curve points, malformed members. */
import { createHash } from 'node:crypto';
import { signJws, type TestIssuer } from '../../support/issuer.js';
import { ED25519_IDENTITY, rsaExponent3 } from './keys.js';
import { E, adv, b64url, bad, ok, type AdversarialCase } from './helpers.js';

const S34 = '8725 §3.4 cryptographic inputs' as const;
const S35 = '8725 §3.5 key strength' as const;

const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/**
 * With e = 1, s^e mod n = s: the PKCS#1 v1.5 encoding of the digest is its own "signature".
 * No private key is involved — anyone can forge for a key with exponent 1.
 */
function forgedForExponentOne(i: TestIssuer, kid: string | null, headerJson?: string): string {
  const header = kid === null ? { alg: 'RS256' } : { alg: 'RS256', kid };
  const input = `${b64url(headerJson ?? JSON.stringify(header))}.${b64url(JSON.stringify({ ...i.defaultClaims(), sub: 'admin' }))}`;
  const modulusBytes = Buffer.from(i.jwk('rsa2048b').n as string, 'base64url').length;
  const t = Buffer.concat([SHA256_DIGEST_INFO, createHash('sha256').update(input).digest()]);
  const em = Buffer.concat([Buffer.from([0, 1]), Buffer.alloc(modulusBytes - 3 - t.length, 0xff), Buffer.from([0]), t]);
  return `${input}.${b64url(em)}`;
}

/** An EdDSA signature made without a private key: R = identity, S = 0 (verifies under a small-order key). */
function forgedForSmallOrderKey(i: TestIssuer, kid: string | null): string {
  const header = kid === null ? { alg: 'EdDSA' } : { alg: 'EdDSA', kid };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify({ ...i.defaultClaims(), sub: 'admin', scope: 'mcp:admin' }))}`;
  return `${input}.${b64url(Buffer.concat([ED25519_IDENTITY, Buffer.alloc(32)]))}`;
}

/** A genuine PS256 token whose signature happens to start with a zero byte (about 1 in 256). */
function ps256WithLeadingZero(i: TestIssuer): string {
  for (let n = 0; ; n++) {
    const token = i.sign({ alg: 'PS256', claims: { jti: `leading-zero-${n}` } });
    if (Buffer.from(token.split('.')[2] ?? '', 'base64url')[0] === 0) return token;
  }
}

function signedWithExponent3(i: TestIssuer): string {
  const input = `${b64url(JSON.stringify({ alg: 'RS256', kid: 'rsa-e3' }))}.${b64url(JSON.stringify(i.defaultClaims()))}`;
  return `${input}.${b64url(signJws('RS256', input, rsaExponent3().privateKey))}`;
}

const refusedKey = (section: typeof S34 | typeof S35, name: string, why: string, kid: string, alg = 'RS256', key: Parameters<TestIssuer['sign']>[0] = {}): AdversarialCase =>
  adv(section, name, why, alg, (i) => i.sign({ alg, kid, ...key }), bad(E.INVALID_KEY));

export const KEY_TRICKS: AdversarialCase[] = [
  adv(S35, 'RSA exponent 1: forged signature, kid of that key', 'e = 1 lets anyone forge; such keys are refused (the native library and plain crypto.verify accept the forgery; the re-check refuses the key)', 'RS256', (i) => forgedForExponentOne(i, 'rsa-e1'), bad(E.INVALID_KEY)),
  adv(S35, 'RSA exponent 1: forged signature, no kid', 'kid-less lookup never tries a refused key', 'RS256', (i) => forgedForExponentOne(i, null), bad(E.INVALID_SIGNATURE)),
  // The native library takes the first textual "kid"/"alg" of the header, nested ones included. Its
  // acceptance used to be trusted when the top-level kid named one key, so it verified with a key
  // (or hash) the re-check never vetted.
  adv(S35, 'RSA exponent 1: forged signature, e = 1 kid nested before the real kid', 'a header the native library may read differently gets its signature verified by the re-check (native verified the forgery with the nested e = 1 key)', 'RS256', (i) =>
    forgedForExponentOne(i, null, '{"alg":"RS256","h":{"kid":"rsa-e1"},"kid":"ops-verify"}'), bad(E.INVALID_SIGNATURE)),
  adv(S35, '1024-bit key named by a nested kid before the real kid, signed by it', 'the weak key never verifies, whichever kid the native library reads', 'RS256', (i) =>
    i.signRaw({ alg: 'RS256', key: 'rsa1024', headerJson: '{"alg":"RS256","x":{"kid":"rsa1024"},"kid":"rsa2048"}', payloadJson: JSON.stringify(i.defaultClaims()) }), bad(E.INVALID_SIGNATURE)),
  adv(S35, '1024-bit key named by a kid inside an array before the real kid', 'as above, the nested member in an array', 'RS256', (i) =>
    i.signRaw({ alg: 'RS256', key: 'rsa1024', headerJson: '{"alg":"RS256","x5c_ext":[{"kid":"rsa1024"}],"kid":"rsa2048"}', payloadJson: JSON.stringify(i.defaultClaims()) }), bad(E.INVALID_SIGNATURE)),
  adv(S35, 'signed RS512, nested alg RS512 before the top-level alg RS256', 'the signature is checked for the alg the header names (native verified it as RS512)', 'RS256', (i) =>
    i.signRaw({ alg: 'RS512', key: 'rsa2048', headerJson: '{"x":{"alg":"RS512"},"alg":"RS256","kid":"rsa2048"}', payloadJson: JSON.stringify(i.defaultClaims()) }), bad(E.INVALID_SIGNATURE)),
  adv(S35, 'a JWKS key holding a nested kid of another key, token signed by it', 'the native library gets a flat key set of the keys the JS rules accept, so it cannot take the 1024-bit key for "rs256-only"', 'RS256', (i) =>
    i.sign({ key: 'rsa1024', kid: 'rs256-only' }), bad(E.INVALID_SIGNATURE)),
  adv(S35, 'RSA exponent 3, genuine signature', 'exponents below 65537 are refused (FIPS 186-5)', 'RS256', (i) => signedWithExponent3(i), bad(E.INVALID_KEY)),
  refusedKey(S35, 'RSA even exponent 65536', 'an even exponent is not an RSA key', 'rsa-even-e', 'RS256', { key: 'rsa2048b' }),
  refusedKey(S34, 'RSA modulus not base64url', 'malformed keys are unusable, not fatal', 'rsa-bad-n', 'RS256', { key: 'rsa2048b' }),
  refusedKey(S34, 'RSA key without n', 'malformed keys are unusable, not fatal', 'rsa-no-n', 'RS256', { key: 'rsa2048b' }),
  refusedKey(S34, 'RSA n as a JSON number', 'malformed keys are unusable, not fatal', 'rsa-n-number', 'RS256', { key: 'rsa2048b' }),
  refusedKey(S35, 'RSA modulus of one byte', 'a 1-byte modulus is no key', 'rsa-tiny-n', 'RS256', { key: 'rsa2048b' }),
  refusedKey(S34, 'kty "rsa" in lower case', 'kty is case-sensitive', 'kty-lowercase', 'RS256', { key: 'rsa2048b' }),
  refusedKey(S34, 'use "SIG" in upper case', 'use is case-sensitive: not a signing key', 'use-SIG', 'RS256', { key: 'rsa2048b' }),
  refusedKey(S34, 'use is an object whose toString is not a function', 'refused, not thrown (String() of it threw inside the key policy)', 'use-object', 'RS256', { key: 'rsa2048b' }),
  refusedKey(S34, 'key_ops ["sign"] only', 'a key must allow verify', 'ops-sign', 'RS256', { key: 'rsa2048b' }),
  refusedKey(S34, 'RSA key with only x5c', 'certificates in the JWKS are not parsed; no n/e, no key', 'x5c-only', 'RS256', { key: 'rsa2048b' }),
  adv(S34, 'two keys share a kid, token signed by the second', 'every key with the kid is tried: valid (the native library tries only the first; JS decides)', 'RS256', (i) => i.sign({ key: 'rsa2048b', kid: 'dup-kid' }), ok),
  adv(S34, 'two keys share a kid, token signed by the first', 'every key with the kid is tried: valid', 'RS256', (i) => i.sign({ key: 'rsa2048', kid: 'dup-kid' }), ok),
  adv(S34, 'two keys share a kid, token signed by neither', 'no key with the kid verifies', 'RS256', (i) => i.sign({ key: 'rsa2048c', kid: 'dup-kid' }), bad(E.INVALID_SIGNATURE)),
  refusedKey(S34, 'EC point not on the curve', 'invalid-curve points are refused at import, never used', 'ec-off-curve', 'ES256'),
  refusedKey(S34, 'P-256 point labelled P-384, ES384 token', 'a point that is not on the named curve is refused', 'ec-wrong-crv', 'ES384', { key: 'p384' }),
  refusedKey(S34, 'P-256 point labelled P-384, ES256 token', 'crv must match the alg', 'ec-wrong-crv', 'ES256'),
  refusedKey(S34, 'EC key on secp256k1, ES256 token', 'only the curve of the alg is accepted', 'ec-secp256k1', 'ES256'),
  refusedKey(S34, 'EC key without y', 'malformed keys are unusable, not fatal', 'ec-missing-y', 'ES256'),
  refusedKey(S34, 'X25519 (key agreement) key, EdDSA token', 'an ECDH key never verifies signatures', 'okp-x25519', 'EdDSA'),
  refusedKey(S34, 'oct key with a lookalike kid, RS256 token', 'symmetric keys never verify', 'rsa2048-oct'),
  adv(S35, 'ES256 signature of all zeros', 'r = s = 0 is never a valid ECDSA signature ("psychic signatures")', 'ES256', (i) => {
    const [h, p] = i.sign({ alg: 'ES256' }).split('.');
    return `${h}.${p}.${b64url(Buffer.alloc(64))}`;
  }, bad(E.INVALID_SIGNATURE)),
  adv(S35, 'ES256 signature r = s = n (the group order)', 'out-of-range r, s are refused', 'ES256', (i) => {
    const [h, p] = i.sign({ alg: 'ES256' }).split('.');
    const order = Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex');
    return `${h}.${p}.${b64url(Buffer.concat([order, order]))}`;
  }, bad(E.INVALID_SIGNATURE)),
  adv(S35, 'RS256 signature of all zeros', 'a zero signature never verifies', 'RS256', (i) => {
    const [h, p] = i.sign().split('.');
    return `${h}.${p}.${b64url(Buffer.alloc(256))}`;
  }, bad(E.INVALID_SIGNATURE)),
  adv(S35, 'RS256 signature equal to the modulus', 'signature representatives >= n are refused', 'RS256', (i) => {
    const [h, p] = i.sign().split('.');
    return `${h}.${p}.${i.jwk('rsa2048').n as string}`;
  }, bad(E.INVALID_SIGNATURE)),
  adv(S35, 'RS256 signature one byte too long', 'the signature length must equal the modulus length', 'RS256', (i) => {
    const [h, p, s] = i.sign().split('.');
    return `${h}.${p}.${b64url(Buffer.concat([Buffer.from([0]), Buffer.from(s ?? '', 'base64url')]))}`;
  }, bad(E.INVALID_SIGNATURE)),
  adv(S35, 'PS256 signature starting with a zero byte, as signed', 'control for the case below: the genuine token is valid', 'PS256', ps256WithLeadingZero, ok),
  adv(S35, 'PS256 signature with its leading zero byte dropped', 'one byte short of the modulus length: refused (OpenSSL\'s PSS verify accepts it, which gave PS tokens a second spelling)', 'PS256', (i) => {
    const [h, p, s] = ps256WithLeadingZero(i).split('.');
    return `${h}.${p}.${b64url(Buffer.from(s ?? '', 'base64url').subarray(1))}`;
  }, bad(E.INVALID_SIGNATURE)),
  adv(S34, 'Ed25519 small-order key (the identity): forged signature, its kid', 'R = identity and S = 0 verify any message under that key (OpenSSL accepts it): the key is refused', 'EdDSA', (i) => forgedForSmallOrderKey(i, 'okp-identity'), bad(E.INVALID_KEY)),
  adv(S34, 'Ed25519 identity written non-canonically (y = p + 1): forged signature, its kid', 'a y that is not reduced mod p is refused too', 'EdDSA', (i) => forgedForSmallOrderKey(i, 'okp-noncanonical'), bad(E.INVALID_KEY)),
  adv(S34, 'Ed25519 small-order key: forged signature, no kid', 'kid-less lookup never tries a refused key: only the genuine Ed25519 key, which refuses the forgery', 'EdDSA', (i) => forgedForSmallOrderKey(i, null), bad(E.INVALID_SIGNATURE)),
];
