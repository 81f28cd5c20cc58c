/** RFC 8725 §2.1/§3.1/§3.2: every form of algorithm confusion. */
import { sign } from 'node:crypto';
import { signJws } from '../../support/issuer.js';
import { OCT_SECRET } from './keys.js';
import { E, RS_HEADER, adv, b64url, bad, claimsText, ok, parts, raw, withSegments, type AdversarialCase } from './helpers.js';

const S1 = '8725 §2.1 alg confusion' as const;
const S31 = '8725 §3.1 algorithm verification' as const;
const S32 = '8725 §3.2 appropriate algorithms' as const;

function hs(i: Parameters<AdversarialCase['make']>[0], alg: string, secret: Buffer | string, kid: string | null = 'rsa2048'): string {
  const header = kid === null ? { alg, typ: 'JWT' } : { alg, typ: 'JWT', kid };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(i.defaultClaims()))}`;
  return `${input}.${b64url(signJws(alg, input, secret))}`;
}

const unsigned = (alg: string) => (i: Parameters<AdversarialCase['make']>[0]) =>
  `${b64url(JSON.stringify({ alg, kid: 'rsa2048' }))}.${b64url(JSON.stringify(i.defaultClaims()))}.`;

/** Re-sign the token's own header and payload with another algorithm and keep the first header. */
function crossSigned(i: Parameters<AdversarialCase['make']>[0], headerAlg: string, signAlg: string, kid = 'rsa2048'): string {
  const headerJson = JSON.stringify({ alg: headerAlg, kid });
  const payloadJson = JSON.stringify(i.defaultClaims());
  const input = `${b64url(headerJson)}.${b64url(payloadJson)}`;
  const keyName = signAlg.startsWith('ES') ? ({ ES256: 'p256', ES384: 'p384', ES512: 'p521' } as const)[signAlg as 'ES256'] : signAlg === 'EdDSA' ? 'ed25519' : 'rsa2048';
  return `${input}.${b64url(signJws(signAlg, input, i.key(keyName).privateKey))}`;
}

export const ALG_CONFUSION: AdversarialCase[] = [
  adv(S1, 'alg "None"', 'none in any letter case is never an algorithm', 'None', unsigned('None'), bad(E.INVALID_TOKEN)),
  adv(S1, 'alg "NONE"', 'none in any letter case is never an algorithm', 'NONE', unsigned('NONE'), bad(E.INVALID_TOKEN)),
  adv(S1, 'alg "nOnE"', 'none in any letter case is never an algorithm', 'nOnE', unsigned('nOnE'), bad(E.INVALID_TOKEN)),
  adv(S1, 'alg none carrying a genuine RS256 signature', 'the signature does not make none acceptable', 'none', (i) => {
    const [, p, s] = parts(i.sign());
    return `${b64url('{"alg":"none","kid":"rsa2048"}')}.${p}.${s}`;
  }, bad(E.INVALID_TOKEN)),
  adv(S1, 'HS256 keyed with the RSA public key as SPKI PEM', 'the classic RS/HS confusion: HMAC is never allowed', 'HS256', (i) => hs(i, 'HS256', i.key('rsa2048').publicKey.export({ type: 'spki', format: 'pem' })), bad(E.INVALID_TOKEN)),
  adv(S1, 'HS256 keyed with the RSA public key as PKCS#1 PEM', 'the classic RS/HS confusion, other PEM form', 'HS256', (i) => hs(i, 'HS256', i.key('rsa2048').publicKey.export({ type: 'pkcs1', format: 'pem' })), bad(E.INVALID_TOKEN)),
  adv(S1, 'HS256 keyed with the RSA public key as DER', 'the classic RS/HS confusion, DER bytes', 'HS256', (i) => hs(i, 'HS256', i.key('rsa2048').publicKey.export({ type: 'spki', format: 'der' })), bad(E.INVALID_TOKEN)),
  adv(S1, 'HS256 keyed with the public JWK text', 'the JWK as an HMAC secret', 'HS256', (i) => hs(i, 'HS256', JSON.stringify(i.jwk('rsa2048'))), bad(E.INVALID_TOKEN)),
  adv(S1, 'HS256 keyed with the raw modulus', 'the modulus bytes as an HMAC secret', 'HS256', (i) => hs(i, 'HS256', Buffer.from(i.jwk('rsa2048').n as string, 'base64url')), bad(E.INVALID_TOKEN)),
  adv(S1, 'HS256 keyed with the base64url modulus text', 'the n member as an HMAC secret', 'HS256', (i) => hs(i, 'HS256', i.jwk('rsa2048').n as string), bad(E.INVALID_TOKEN)),
  adv(S1, 'HS384 keyed with the RSA public key PEM', 'no HS* variant is allowed', 'HS384', (i) => hs(i, 'HS384', i.key('rsa2048').publicKey.export({ type: 'spki', format: 'pem' })), bad(E.INVALID_TOKEN)),
  adv(S1, 'HS256 keyed with the EC public key PEM', 'EC/HS confusion', 'HS256', (i) => hs(i, 'HS256', i.key('p256').publicKey.export({ type: 'spki', format: 'pem' }), 'p256'), bad(E.INVALID_TOKEN)),
  adv(S1, 'HS256 with the secret of an oct key in the JWKS', 'symmetric keys published in a JWKS are never used', 'HS256', (i) => hs(i, 'HS256', OCT_SECRET, 'oct-key'), bad(E.INVALID_TOKEN)),
  adv(S1, 'HS256 with an empty secret, no kid', 'no HMAC at all', 'HS256', (i) => hs(i, 'HS256', Buffer.alloc(0), null), bad(E.INVALID_TOKEN)),
  adv(S31, 'RS256 naming the oct key', 'an oct key cannot verify RSA', 'RS256', (i) => i.sign({ kid: 'oct-key' }), bad(E.INVALID_KEY)),
  adv(S31, 'ES256 header over an RS256 signature, kid of the RSA key', 'kty must match the header alg', 'ES256', (i) => crossSigned(i, 'ES256', 'RS256'), bad(E.INVALID_KEY)),
  adv(S31, 'RS256 header over an ES256 signature, no kid', 'an ECDSA signature never verifies as RSA', 'RS256', (i) => {
    const t = i.sign({ alg: 'ES256', kid: null });
    const [, p, s] = parts(t);
    return `${b64url('{"alg":"RS256"}')}.${p}.${s}`;
  }, bad(E.INVALID_SIGNATURE)),
  adv(S31, 'RS256 header over a PS256 signature', 'PSS padding does not verify as PKCS#1 v1.5', 'RS256', (i) => crossSigned(i, 'RS256', 'PS256'), bad(E.INVALID_SIGNATURE)),
  adv(S31, 'PS384 header over a PS256 signature', 'the hash is part of the alg', 'PS384', (i) => crossSigned(i, 'PS384', 'PS256'), bad(E.INVALID_SIGNATURE)),
  adv(S31, 'RS384 header over an RS256 signature', 'the hash is part of the alg', 'RS384', (i) => crossSigned(i, 'RS384', 'RS256'), bad(E.INVALID_SIGNATURE)),
  adv(S31, 'RS512 header over an RS256 signature', 'the hash is part of the alg', 'RS512', (i) => crossSigned(i, 'RS512', 'RS256'), bad(E.INVALID_SIGNATURE)),
  adv(S31, 'RS256 header over an RS512 signature', 'the hash is part of the alg', 'RS256', (i) => crossSigned(i, 'RS256', 'RS512'), bad(E.INVALID_SIGNATURE)),
  adv(S31, 'ES384 header over an ES256 signature, P-256 kid', 'ES384 needs a P-384 key', 'ES384', (i) => crossSigned(i, 'ES384', 'ES256', 'p256'), bad(E.INVALID_KEY)),
  adv(S31, 'ES512 naming the P-256 key', 'crv must match the alg', 'ES512', (i) => i.sign({ alg: 'ES512', kid: 'p256' }), bad(E.INVALID_KEY)),
  adv(S31, 'EdDSA naming the P-256 key', 'kty must match the alg', 'EdDSA', (i) => i.sign({ alg: 'EdDSA', kid: 'p256' }), bad(E.INVALID_KEY)),
  adv(S31, 'ES256 naming the Ed25519 key', 'kty must match the alg', 'ES256', (i) => i.sign({ alg: 'ES256', kid: 'ed25519' }), bad(E.INVALID_KEY)),
  adv(S31, 'PS256 naming the P-256 key', 'kty must match the alg', 'PS256', (i) => i.sign({ alg: 'PS256', kid: 'p256' }), bad(E.INVALID_KEY)),
  adv(S31, 'JWK alg PS256, token RS256', 'a JWK alg binds the key (the native library does not compare it; the re-check does)', 'RS256', (i) => i.sign({ key: 'rsa2048b', kid: 'ps256-only' }), bad(E.INVALID_KEY)),
  adv(S31, 'JWK alg PS256, token PS256', 'the JWK alg allows exactly its own alg', 'PS256', (i) => i.sign({ alg: 'PS256', key: 'rsa2048b', kid: 'ps256-only' }), ok),
  adv(S31, 'JWK alg none, token RS256', 'a key bound to none verifies nothing', 'RS256', (i) => i.sign({ key: 'rsa2048b', kid: 'alg-none' }), bad(E.INVALID_KEY)),
  adv(S32, 'alg Ed25519 (fully-specified name)', 'only the listed algorithms are accepted', 'Ed25519', (i) => raw(i, '{"alg":"Ed25519","kid":"ed25519"}', claimsText(i), 'EdDSA'), bad(E.INVALID_TOKEN)),
  adv(S32, 'alg ES256K', 'only the listed algorithms are accepted', 'ES256K', (i) => raw(i, '{"alg":"ES256K","kid":"p256"}', claimsText(i), 'ES256'), bad(E.INVALID_TOKEN)),
  adv(S32, 'alg RSA-OAEP (a JWE algorithm)', 'key-management algorithms are not signatures', 'RSA-OAEP', (i) => raw(i, '{"alg":"RSA-OAEP","kid":"rsa2048"}', claimsText(i)), bad(E.INVALID_TOKEN)),
  adv(S32, 'alg with a trailing space', 'alg is compared exactly', 'RS256 ', (i) => raw(i, '{"alg":"RS256 ","kid":"rsa2048"}', claimsText(i)), bad(E.INVALID_TOKEN)),
  adv(S32, 'alg null', 'alg must be a string', '', (i) => raw(i, '{"alg":null,"kid":"rsa2048"}', claimsText(i)), bad(E.INVALID_TOKEN)),
  adv(S32, 'alg is a number', 'alg must be a string', '', (i) => raw(i, '{"alg":256,"kid":"rsa2048"}', claimsText(i)), bad(E.INVALID_TOKEN)),
  adv(S32, 'alg is an array', 'alg must be a string', '', (i) => raw(i, '{"alg":["RS256"],"kid":"rsa2048"}', claimsText(i)), bad(E.INVALID_TOKEN)),
  adv(S32, 'alg is an object', 'alg must be a string', '', (i) => raw(i, '{"alg":{"name":"RS256"},"kid":"rsa2048"}', claimsText(i)), bad(E.INVALID_TOKEN)),
  adv(S32, 'nested alg RS256, top-level alg HS256', 'only the top-level alg counts (the native parser reads the nested one first)', 'HS256', (i) => raw(i, '{"x":{"alg":"RS256"},"alg":"HS256","kid":"rsa2048"}', claimsText(i)), bad(E.INVALID_TOKEN)),
  adv(S32, 'nested alg PS256 before top-level alg RS256', 'a nested member is not the alg: the token is valid', 'RS256', (i) => raw(i, '{"x":{"alg":"PS256"},"alg":"RS256","kid":"rsa2048"}', claimsText(i)), ok),
  adv(S32, 'JWE compact token (five segments)', 'encrypted tokens are not accepted as signed ones', 'RSA-OAEP', () => `${b64url('{"alg":"RSA-OAEP","enc":"A256GCM"}')}.${b64url('k'.repeat(32))}.${b64url('iv')}.${b64url('ct')}.${b64url('tag')}`, bad(E.INVALID_TOKEN)),
  adv(S32, 'ES256 signature in DER with ES384 header', 'DER and the wrong alg together still fail', 'ES384', (i) => {
    const t = i.sign({ alg: 'ES384' });
    const [h, p] = parts(t);
    return withSegments(t, { s: b64url(sign('sha384', Buffer.from(`${h}.${p}`), i.key('p384').privateKey)) });
  }, bad(E.INVALID_SIGNATURE)),
  adv(S32, 'alg RS256 with the header JSON escaped (RS\\u0032\\u0035\\u0036)', 'JSON escapes decode to RS256: valid (the native parser reads the raw text; JS decides)', 'RS256', (i) => raw(i, '{"alg":"RS\\u0032\\u0035\\u0036","kid":"rsa2048"}', claimsText(i)), ok),
  adv(S32, 'RS256 header alg escaped to HS256 (\\u0048S256)', 'escapes cannot smuggle an HMAC alg past the allow-list', 'HS256', (i) => hs(i, 'HS256', i.key('rsa2048').publicKey.export({ type: 'spki', format: 'pem' })).replace(/^[^.]+/, b64url('{"alg":"\\u0048S256","kid":"rsa2048"}')), bad(E.INVALID_TOKEN)),
  adv(S1, 'RS256 header, HMAC signature made with the PEM', 'an HMAC tag never verifies as RSA', 'RS256', (i) => {
    const input = `${b64url(RS_HEADER)}.${b64url(JSON.stringify(i.defaultClaims()))}`;
    return `${input}.${b64url(signJws('HS256', input, i.key('rsa2048').publicKey.export({ type: 'spki', format: 'pem' })))}`;
  }, bad(E.INVALID_SIGNATURE)),
];
