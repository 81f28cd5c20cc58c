/** RFC 8725 §3.10/§3.11 and RFC 7515 §4.1.11: header tricks — kid payloads, embedded keys, crit, b64, typ. */
import { deflateRawSync } from 'node:zlib';
import { signJws } from '../../support/issuer.js';
import { E, adv, b64url, bad, claimsText, ok, raw, type AdversarialCase } from './helpers.js';

const S310 = '8725 §3.10 untrusted header input' as const;
const S311 = '8725 §3.11 explicit typing' as const;
const CRIT = '7515 §4.1.11 crit' as const;

const kidCase = (name: string, kid: string): AdversarialCase =>
  adv(S310, `kid ${name}`, 'kid is only a lookup key: unknown values find no key (one throttled refetch, no file/SQL/URL use)', 'RS256', (i) => i.sign({ kid }), bad(E.INVALID_KEY));

export const HEADER_TRICKS: AdversarialCase[] = [
  kidCase('path traversal ../../../../etc/passwd', '../../../../etc/passwd'),
  kidCase('absolute path /dev/null', '/dev/null'),
  kidCase('file URL', 'file:///etc/passwd'),
  kidCase('SQL injection', "x' OR '1'='1"),
  kidCase('SQL comment after a real kid', "rsa2048' --"),
  kidCase('with a NUL after a real kid', 'rsa2048\u0000'),
  kidCase('with CR LF and a header line', 'rsa2048\r\nX-Injected: 1'),
  kidCase('wildcard *', '*'),
  kidCase('lookalike (letter O for zero)', 'rsa2O48'),
  kidCase('real kid with trailing space', 'rsa2048 '),
  kidCase('8 KiB long', 'k'.repeat(8192)),
  kidCase('shell metacharacters', '$(reboot); `id` | cat'),
  kidCase('URL pointing at an attacker', 'https://attacker.example/key.pem'),
  adv(S310, 'kid escaped in JSON (rsa\\u00320\\u00348)', 'the escapes decode to a real kid: valid (the native parser misreads it; JS decides)', 'RS256', (i) => raw(i, '{"alg":"RS256","kid":"rsa\\u00320\\u00348"}', claimsText(i)), ok),
  adv(S310, 'kid with an escaped quote', 'a quote inside kid is data, not syntax', 'RS256', (i) => raw(i, '{"alg":"RS256","kid":"rsa2048\\"x"}', claimsText(i)), bad(E.INVALID_KEY)),
  adv(S310, 'kid is an array', 'kid must be a string', 'RS256', (i) => i.sign({ kid: ['rsa2048'] }), bad(E.INVALID_TOKEN)),
  adv(S310, 'kid is an object', 'kid must be a string', 'RS256', (i) => i.sign({ kid: { id: 'rsa2048' } }), bad(E.INVALID_TOKEN)),
  adv(S310, 'kid is null', 'kid must be a string when present', 'RS256', (i) => i.sign({ kid: null, header: { kid: null } }), bad(E.INVALID_TOKEN)),
  adv(S310, 'kid is true', 'kid must be a string', 'RS256', (i) => i.sign({ kid: true }), bad(E.INVALID_TOKEN)),
  adv(S310, 'duplicate kid members, real kid first', 'duplicate header parameters are refused (native reads the first and accepts; the re-check refuses)', 'RS256', (i) => raw(i, '{"alg":"RS256","kid":"rsa2048","kid":"nope"}', claimsText(i)), bad(E.INVALID_TOKEN), { headerUnreadable: true }),
  adv(S310, '__proto__ member carrying a kid before the real kid', 'a nested kid is not the kid: valid, and no prototype is touched', 'RS256', (i) => raw(i, '{"alg":"RS256","__proto__":{"kid":"nope"},"kid":"rsa2048"}', claimsText(i)), ok),
  adv(S310, 'jku pointing at an attacker, attacker key, unknown kid', 'jku is never fetched or trusted', 'RS256', (i) => i.sign({ key: 'rsa2048c', kid: 'attacker', header: { jku: 'http://127.0.0.1:9/jwks.json' } }), bad(E.INVALID_KEY)),
  adv(S310, 'jku pointing at an attacker, attacker key, real kid', 'only the configured JWKS is trusted', 'RS256', (i) => i.sign({ key: 'rsa2048c', header: { jku: 'http://127.0.0.1:9/jwks.json', kid: 'rsa2048' } }), bad(E.INVALID_SIGNATURE)),
  adv(S310, 'jku present, genuine signature', 'jku is ignored: the trusted key verifies, so the token is valid', 'RS256', (i) => i.sign({ header: { jku: 'http://127.0.0.1:9/jwks.json' } }), ok),
  adv(S310, 'x5u pointing at an attacker, attacker key', 'x5u is never fetched or trusted', 'RS256', (i) => i.sign({ key: 'rsa2048c', kid: 'rsa2048', header: { x5u: 'http://127.0.0.1:9/cert.pem' } }), bad(E.INVALID_SIGNATURE)),
  adv(S310, 'embedded jwk of the attacker key, no kid', 'an embedded jwk is never trusted (native reads the kid inside the jwk and finds no key; the JS backend decides)', 'RS256', (i) => i.sign({ key: 'rsa2048c', kid: null, header: { jwk: i.jwk('rsa2048c') } }), bad(E.INVALID_SIGNATURE)),
  adv(S310, 'embedded jwk of the attacker key, real kid', 'an embedded jwk is never trusted', 'RS256', (i) => i.sign({ key: 'rsa2048c', kid: 'rsa2048', header: { jwk: i.jwk('rsa2048c') } }), bad(E.INVALID_SIGNATURE)),
  adv(S310, 'embedded jwk of the attacker key, kid of the embedded key', 'the embedded kid is unknown to the trusted set', 'RS256', (i) => i.sign({ key: 'rsa2048c', kid: 'rsa2048c', header: { jwk: i.jwk('rsa2048c') } }), bad(E.INVALID_KEY)),
  adv(S310, 'embedded EC jwk, ES256 signed by a foreign key', 'an embedded jwk is never trusted', 'ES256', (i) => {
    const input = `${b64url(JSON.stringify({ alg: 'ES256', jwk: i.jwk('p256') }))}.${b64url(claimsText(i))}`;
    return `${input}.${b64url(signJws('ES256', input, i.key('p384').privateKey).subarray(0, 64))}`;
  }, bad(E.INVALID_SIGNATURE)),
  adv(S310, 'embedded x5c garbage, attacker key, no kid', 'x5c is never trusted', 'RS256', (i) => i.sign({ key: 'rsa2048c', kid: null, header: { x5c: ['MIIBIjANBgkq'] } }), bad(E.INVALID_SIGNATURE)),
  adv(S310, 'embedded jwk equal to the trusted key, genuine signature', 'the header jwk is ignored; the trusted key verifies', 'RS256', (i) => i.sign({ header: { jwk: i.jwk('rsa2048') } }), ok),
  adv(S310, 'zip DEF with a deflated payload', 'JWS payloads are never decompressed: the claims are not JSON', 'RS256', (i) => {
    const header = '{"alg":"RS256","kid":"rsa2048","zip":"DEF"}';
    const input = `${b64url(header)}.${b64url(deflateRawSync(Buffer.from(claimsText(i))))}`;
    return `${input}.${b64url(signJws('RS256', input, i.key('rsa2048').privateKey))}`;
  }, bad(E.INVALID_TOKEN)),
  adv(S310, 'header is a JSON string', 'the header is a JSON object', 'RS256', (i) => raw(i, '"RS256"', claimsText(i)), bad(E.INVALID_TOKEN)),
  adv(S310, 'header is an empty object', 'alg is required', '', (i) => raw(i, '{}', claimsText(i)), bad(E.INVALID_TOKEN)),
  adv(S310, 'header is JSON null', 'the header is a JSON object', 'RS256', (i) => raw(i, 'null', claimsText(i)), bad(E.INVALID_TOKEN)),
  adv(CRIT, 'crit ["b64"] with b64 false', 'RFC 7797 unencoded payloads are not supported, so the token is refused', 'RS256', (i) => i.sign({ header: { b64: false, crit: ['b64'] } }), bad(E.INVALID_TOKEN)),
  adv(CRIT, 'crit empty array', 'crit must not be empty (RFC 7515 §4.1.11)', 'RS256', (i) => i.sign({ header: { crit: [] } }), bad(E.INVALID_TOKEN)),
  adv(CRIT, 'crit is an object whose toString is not a function', 'refused, not thrown (String() of it throws; this made validateToken reject its promise)', 'RS256', (i) => i.sign({ header: { crit: { toString: 1 } } }), bad(E.INVALID_TOKEN)),
  adv(CRIT, 'crit is a string', 'crit must be an array of understood names', 'RS256', (i) => i.sign({ header: { crit: 'exp' } }), bad(E.INVALID_TOKEN)),
  adv(CRIT, 'crit names a registered parameter', 'crit must not list JWS-defined parameters; nothing in it is understood', 'RS256', (i) => i.sign({ header: { crit: ['alg'] } }), bad(E.INVALID_TOKEN)),
  adv(CRIT, 'crit with an extension, no kid', 'unknown critical extensions are refused on every path', 'RS256', (i) => i.sign({ kid: null, header: { crit: ['urn:x'], 'urn:x': true } }), bad(E.INVALID_TOKEN)),
  adv(CRIT, 'crit on ES256', 'unknown critical extensions are refused on every alg', 'ES256', (i) => i.sign({ alg: 'ES256', header: { crit: ['urn:x'], 'urn:x': 1 } }), bad(E.INVALID_TOKEN)),
  adv(CRIT, 'b64 false without crit, payload signed unencoded', 'without crit b64 is ignored, so the signature is checked over the encoded payload and fails', 'RS256', (i) => {
    const header = b64url('{"alg":"RS256","kid":"rsa2048","b64":false}');
    const claims = claimsText(i);
    const sig = signJws('RS256', `${header}.${claims}`, i.key('rsa2048').privateKey);
    return `${header}.${b64url(claims)}.${b64url(sig)}`;
  }, bad(E.INVALID_SIGNATURE)),
  adv(CRIT, 'b64 false without crit, signed normally', 'b64 without crit is an ignored parameter; the verified bytes are the signed ones', 'RS256', (i) => i.sign({ header: { b64: false } }), ok),
  adv(S311, 'typ JWT', 'typ is not enforced (the issuer types its tokens); claims still bind the token', 'RS256', (i) => i.sign({ header: { typ: 'JWT' } }), ok),
  adv(S311, 'typ application/at+jwt', 'the RFC 9068 media type form is fine', 'RS256', (i) => i.sign({ header: { typ: 'application/at+jwt' } }), ok),
  adv(S311, 'typ dpop+jwt without access-token claims', 'a DPoP proof lacks sub/iss/exp and is refused as an access token', 'RS256', (i) => i.sign({ header: { typ: 'dpop+jwt' }, exactClaims: { jti: 'x', htm: 'POST', htu: 'https://api.test', iat: i.now() } }), bad(E.INVALID_TOKEN)),
  adv(S311, 'cty JWT (nested token) with a JWS as payload', 'nested JWTs are not unwrapped: the payload is not a claim set', 'RS256', (i) => raw(i, '{"alg":"RS256","kid":"rsa2048","cty":"JWT"}', JSON.stringify(i.sign())), bad(E.INVALID_TOKEN)),
];
