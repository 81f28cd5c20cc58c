/**
 * The backend-neutral vector table: token recipes with the verdict every backend must give.
 * `expected` is the answer through GopherAuthClient whatever backend answers (the native path
 * reaches it through the JS re-check where the native library alone would be wrong).
 */
import { sign } from 'node:crypto';
import { GopherAuthError as E } from '../../src/backends/codes.js';
import type { Jwk } from '../../src/backends/types.js';
import { TestIssuer, b64url } from '../support/issuer.js';
import { ADVERSARIAL_VECTORS, adversarialKeys, leadingTrapKeys } from './adversarial/index.js';

export interface VectorOptions {
  audience?: string;
  scopes?: string[];
  clockSkew?: number;
}

export interface VectorCase {
  name: string;
  /** What the case proves, in one line. */
  why: string;
  /** The header alg the token carries (decides which backend answers under 'auto'). */
  alg: string;
  make(issuer: TestIssuer): string;
  options?: VectorOptions;
  expected: { valid: boolean; code: E };
  /** The header cannot be read, so under 'auto' the JS backend answers even for an RS* alg. */
  headerUnreadable?: boolean;
}

/** Algorithms the native library verifies itself; everything else it answers "Unsupported algorithm". */
export const NATIVE_ALGORITHMS: readonly string[] = ['RS256', 'RS384', 'RS512'];

export const VECTOR_ISSUER = 'https://issuer.test/realms/demo';

/** The key set every vector is validated against. */
export function vectorJwks(issuer: TestIssuer): { keys: Jwk[] } {
  return issuer.jwks([
    ...leadingTrapKeys(issuer),
    'rsa2048',
    'rsa3072',
    'rsa1024',
    'rsa512',
    'p256',
    'p384',
    'p521',
    'ed25519',
    issuer.jwk('rsa2048b', { kid: 'rs256-only', alg: 'RS256' }),
    issuer.jwk('rsa2048b', { kid: 'enc-key', use: 'enc' }),
    issuer.jwk('rsa2048b', { kid: 'ops-encrypt', key_ops: ['encrypt'] }),
    issuer.jwk('rsa2048b', { kid: 'ops-verify', key_ops: ['verify'], use: 'sig', alg: 'RS256' }),
    ...adversarialKeys(issuer),
  ]);
}

const ok = { valid: true, code: E.SUCCESS };
const bad = (code: E) => ({ valid: false, code });

/** Split a token into its three segments. */
function parts(token: string): [string, string, string] {
  const [h, p, s] = token.split('.');
  return [h ?? '', p ?? '', s ?? ''];
}

function rawClaims(i: TestIssuer, body: (now: number, iss: string) => string, alg = 'RS256', kid = 'rsa2048'): string {
  return i.signRaw({ alg, headerJson: JSON.stringify({ alg, kid }), payloadJson: body(i.now(), JSON.stringify(i.issuer)) });
}

const valid = (alg: string): VectorCase => ({
  name: `valid ${alg}`,
  why: `${alg} is verified`,
  alg,
  make: (i) => i.sign({ alg }),
  expected: ok,
});

export const VECTORS: readonly VectorCase[] = [
  // --- every algorithm ---
  ...['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'].map(valid),
  { name: 'valid RS256 with a 3072-bit key', why: 'larger RSA keys work', alg: 'RS256', make: (i) => i.sign({ key: 'rsa3072' }), expected: ok },
  { name: 'valid RS256 without kid', why: 'without a kid every usable key is tried', alg: 'RS256', make: (i) => i.sign({ kid: null }), expected: ok },
  { name: 'valid ES256 without kid', why: 'kid-less lookup works for EC keys', alg: 'ES256', make: (i) => i.sign({ alg: 'ES256', kid: null }), expected: ok },
  { name: 'empty kid means no kid', why: 'as natively, kid "" selects no key by name', alg: 'RS256', make: (i) => i.sign({ kid: '' }), expected: ok },
  { name: 'key with use sig, key_ops verify, alg RS256', why: 'JWK members that allow the alg are fine', alg: 'RS256', make: (i) => i.sign({ key: 'rsa2048b', kid: 'ops-verify' }), expected: ok },
  { name: 'typ at+jwt', why: 'typ is not checked', alg: 'RS256', make: (i) => i.sign({ header: { typ: 'at+jwt' } }), expected: ok },

  // --- alg confusion ---
  { name: 'alg none, empty signature', why: 'unsigned tokens are refused', alg: 'none', make: (i) => `${b64url('{"alg":"none"}')}.${b64url(JSON.stringify(i.defaultClaims()))}.`, expected: bad(E.INVALID_TOKEN) },
  { name: 'alg none with a signature', why: 'none is never an algorithm', alg: 'none', make: (i) => `${b64url('{"alg":"none","kid":"rsa2048"}')}.${b64url(JSON.stringify(i.defaultClaims()))}.c2ln`, expected: bad(E.INVALID_TOKEN) },
  { name: 'HS256 keyed with the RSA public key', why: 'HMAC/RSA key confusion is refused', alg: 'HS256', make: (i) => i.sign({ alg: 'HS256', secret: i.key('rsa2048').publicKey.export({ type: 'spki', format: 'pem' }) }), expected: bad(E.INVALID_TOKEN) },
  { name: 'HS512', why: 'no symmetric algorithms', alg: 'HS512', make: (i) => i.sign({ alg: 'HS512', secret: 'shared' }), expected: bad(E.INVALID_TOKEN) },
  { name: 'alg in lower case', why: 'alg is case-sensitive', alg: 'rs256', make: (i) => i.signRaw({ alg: 'RS256', headerJson: '{"alg":"rs256","kid":"rsa2048"}', payloadJson: JSON.stringify(i.defaultClaims()) }), expected: bad(E.INVALID_TOKEN) },
  { name: 'alg missing', why: 'a header must name its alg', alg: '', make: (i) => i.signRaw({ alg: 'RS256', headerJson: '{"kid":"rsa2048"}', payloadJson: JSON.stringify(i.defaultClaims()) }), expected: bad(E.INVALID_TOKEN) },
  { name: 'PS256 header over a PKCS#1 v1.5 signature', why: 'padding must match the alg', alg: 'PS256', make: (i) => { const t = parts(i.sign({ alg: 'PS256' })); const rs = parts(i.signRaw({ alg: 'RS256', headerJson: Buffer.from(t[0], 'base64url').toString(), payloadJson: Buffer.from(t[1], 'base64url').toString() })); return `${t[0]}.${t[1]}.${rs[2]}`; }, expected: bad(E.INVALID_SIGNATURE) },
  { name: 'ES256 with a DER signature', why: 'JWS ECDSA signatures are raw r||s', alg: 'ES256', make: (i) => { const [h, p] = parts(i.sign({ alg: 'ES256' })); const der = derSignature(i, `${h}.${p}`); return `${h}.${p}.${der}`; }, expected: bad(E.INVALID_SIGNATURE) },

  // --- keys ---
  { name: 'unknown kid', why: 'no key, even after a refetch', alg: 'RS256', make: (i) => i.sign({ kid: 'no-such-key' }), expected: bad(E.INVALID_KEY) },
  { name: 'kid names another RSA key', why: 'the named key must verify', alg: 'RS256', make: (i) => i.sign({ key: 'rsa3072', kid: 'rsa2048' }), expected: bad(E.INVALID_SIGNATURE) },
  { name: 'no kid, signed by a key not in the set', why: 'kid-less tokens still need a matching key', alg: 'RS256', make: (i) => i.sign({ key: 'rsa2048c', kid: null }), expected: bad(E.INVALID_SIGNATURE) },
  { name: 'no kid, signed by the 1024-bit key', why: 'weak keys are never tried, not even kid-less', alg: 'RS256', make: (i) => i.sign({ key: 'rsa1024', kid: null }), expected: bad(E.INVALID_SIGNATURE) },
  { name: 'RS256 naming an EC key', why: 'kty must match the alg', alg: 'RS256', make: (i) => i.sign({ kid: 'p256' }), expected: bad(E.INVALID_KEY) },
  { name: 'ES256 naming the P-384 key', why: 'crv must match the alg', alg: 'ES256', make: (i) => i.sign({ alg: 'ES256', kid: 'p384' }), expected: bad(E.INVALID_KEY) },
  { name: 'EdDSA naming an RSA key', why: 'kty must match the alg', alg: 'EdDSA', make: (i) => i.sign({ alg: 'EdDSA', kid: 'rsa2048' }), expected: bad(E.INVALID_KEY) },
  { name: 'weak RSA 1024-bit key', why: 'RSA keys under 2048 bits are refused', alg: 'RS256', make: (i) => i.sign({ key: 'rsa1024' }), expected: bad(E.INVALID_KEY) },
  { name: 'weak RSA 512-bit key', why: 'RSA keys under 2048 bits are refused', alg: 'RS256', make: (i) => i.sign({ key: 'rsa512' }), expected: bad(E.INVALID_KEY) },
  { name: 'JWK alg RS256, token RS384', why: 'a JWK alg member binds the key to that alg', alg: 'RS384', make: (i) => i.sign({ alg: 'RS384', key: 'rsa2048b', kid: 'rs256-only' }), expected: bad(E.INVALID_KEY) },
  { name: 'JWK use enc', why: 'encryption keys never verify', alg: 'RS256', make: (i) => i.sign({ key: 'rsa2048b', kid: 'enc-key' }), expected: bad(E.INVALID_KEY) },
  { name: 'JWK key_ops without verify', why: 'key_ops must allow verify', alg: 'RS256', make: (i) => i.sign({ key: 'rsa2048b', kid: 'ops-encrypt' }), expected: bad(E.INVALID_KEY) },
  { name: 'kid is a number', why: 'kid must be a string', alg: 'RS256', make: (i) => i.sign({ kid: 7 }), expected: bad(E.INVALID_TOKEN) },

  // --- tampering and structure ---
  { name: 'tampered payload', why: 'the signature covers the payload', alg: 'RS256', make: (i) => { const [h, , s] = parts(i.sign()); return `${h}.${b64url(JSON.stringify({ ...i.defaultClaims(), sub: 'admin' }))}.${s}`; }, expected: bad(E.INVALID_SIGNATURE) },
  { name: 'tampered signature', why: 'a changed signature fails', alg: 'RS256', make: (i) => { const [h, p, s] = parts(i.sign()); return `${h}.${p}.${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`; }, expected: bad(E.INVALID_SIGNATURE) },
  { name: 'truncated signature', why: 'short signatures fail cleanly', alg: 'RS256', make: (i) => { const [h, p] = parts(i.sign()); return `${h}.${p}.AAAA`; }, expected: bad(E.INVALID_SIGNATURE) },
  { name: 'one segment', why: 'a JWS has three segments', alg: 'RS256', make: () => 'abcdef', expected: bad(E.INVALID_TOKEN) },
  { name: 'two segments', why: 'a JWS has three segments', alg: 'RS256', make: (i) => parts(i.sign()).slice(0, 2).join('.'), expected: bad(E.INVALID_TOKEN) },
  { name: 'four segments', why: 'a JWS has three segments', alg: 'RS256', make: (i) => `${i.sign()}.AAAA`, expected: bad(E.INVALID_TOKEN) },
  { name: 'empty token', why: 'nothing is not a token', alg: '', make: () => '', expected: bad(E.INVALID_TOKEN) },
  { name: 'empty payload segment', why: 'segments must not be empty', alg: 'RS256', make: (i) => { const [h, , s] = parts(i.sign()); return `${h}..${s}`; }, expected: bad(E.INVALID_TOKEN) },
  { name: 'bad base64 in header', why: 'strict base64url', alg: 'RS256', make: (i) => { const [h, p, s] = parts(i.sign()); return `${h}!.${p}.${s}`; }, expected: bad(E.INVALID_TOKEN) },
  { name: 'padded header', why: 'base64url without padding', alg: 'RS256', make: (i) => { const [h, p, s] = parts(i.sign()); return `${h}=.${p}.${s}`; }, expected: bad(E.INVALID_TOKEN), headerUnreadable: true },
  { name: 'padded payload', why: 'base64url without padding', alg: 'RS256', make: (i) => { const [h, p, s] = parts(i.sign()); return `${h}.${p}==.${s}`; }, expected: bad(E.INVALID_TOKEN) },
  { name: 'padded signature', why: 'base64url without padding (native accepts it)', alg: 'RS256', make: (i) => `${i.sign()}==`, expected: bad(E.INVALID_TOKEN) },
  { name: 'signature in standard base64', why: 'no + or / (native accepts it)', alg: 'RS256', make: (i) => standardBase64Signature(i), expected: bad(E.INVALID_TOKEN) },
  { name: 'trailing whitespace', why: 'no whitespace anywhere', alg: 'RS256', make: (i) => `${i.sign()} `, expected: bad(E.INVALID_TOKEN) },
  { name: 'payload is not JSON', why: 'claims are a JSON object', alg: 'RS256', make: (i) => i.signRaw({ alg: 'RS256', headerJson: '{"alg":"RS256","kid":"rsa2048"}', payloadJson: 'not json' }), expected: bad(E.INVALID_TOKEN) },
  { name: 'payload is a JSON array', why: 'claims are a JSON object', alg: 'RS256', make: (i) => i.signRaw({ alg: 'RS256', headerJson: '{"alg":"RS256","kid":"rsa2048"}', payloadJson: '["sub","iss","exp"]' }), expected: bad(E.INVALID_TOKEN) },
  { name: 'header is not JSON', why: 'the header is a JSON object', alg: 'RS256', make: (i) => i.signRaw({ alg: 'RS256', headerJson: 'RS256', payloadJson: JSON.stringify(i.defaultClaims()) }), expected: bad(E.INVALID_TOKEN) },
  { name: 'trailing garbage after the payload JSON', why: 'one JSON object, nothing after (native accepts it)', alg: 'RS256', make: (i) => rawClaims(i, (now, iss) => `{"sub":"u","iss":${iss},"exp":${now + 600}} trailing`), expected: bad(E.INVALID_TOKEN) },
  { name: 'trailing garbage after the header JSON', why: 'one JSON object, nothing after (native accepts it)', alg: 'RS256', make: (i) => i.signRaw({ alg: 'RS256', headerJson: '{"alg":"RS256","kid":"rsa2048"}x', payloadJson: JSON.stringify(i.defaultClaims()) }), expected: bad(E.INVALID_TOKEN) },
  { name: 'huge token (100 KiB claim)', why: 'size is bounded (native accepts it)', alg: 'RS256', make: (i) => i.sign({ claims: { pad: 'x'.repeat(100 * 1024) } }), expected: bad(E.INVALID_TOKEN) },
  { name: 'large token (20 KiB claim)', why: 'big but plausible tokens pass', alg: 'RS256', make: (i) => i.sign({ claims: { groups: Array.from({ length: 800 }, (_, n) => `group-${n}-abcdefghij`) } }), expected: ok },
  { name: 'unknown crit header', why: 'unknown critical extensions are refused (native ignores crit)', alg: 'RS256', make: (i) => i.sign({ header: { crit: ['urn:example:ext'], 'urn:example:ext': 1 } }), expected: bad(E.INVALID_TOKEN) },
  { name: 'duplicate header alg', why: 'duplicate header parameters are refused (native reads the first)', alg: 'RS256', make: (i) => i.signRaw({ alg: 'RS256', headerJson: '{"alg":"RS256","alg":"HS256","kid":"rsa2048"}', payloadJson: JSON.stringify(i.defaultClaims()) }), expected: bad(E.INVALID_TOKEN) },

  // --- required claims ---
  { name: 'missing sub', why: 'sub is required', alg: 'RS256', make: (i) => i.sign({ claims: { sub: undefined } }), expected: bad(E.INVALID_TOKEN) },
  { name: 'missing iss', why: 'iss is required', alg: 'RS256', make: (i) => i.sign({ claims: { iss: undefined } }), expected: bad(E.INVALID_TOKEN) },
  { name: 'missing exp', why: 'exp is required', alg: 'RS256', make: (i) => i.sign({ claims: { exp: undefined } }), expected: bad(E.INVALID_TOKEN) },
  { name: 'sub is a number', why: 'sub is a string', alg: 'RS256', make: (i) => i.sign({ claims: { sub: 42 } }), expected: bad(E.INVALID_TOKEN) },
  { name: 'exp is a string', why: 'exp is a NumericDate', alg: 'RS256', make: (i) => i.sign({ claims: { exp: String(i.now() + 600) } }), expected: bad(E.INVALID_TOKEN) },
  { name: 'exp is zero', why: 'exp must be positive', alg: 'RS256', make: (i) => i.sign({ claims: { exp: 0 } }), expected: bad(E.INVALID_TOKEN) },
  { name: 'exp is negative', why: 'negative exp never expires natively; refused', alg: 'RS256', make: (i) => i.sign({ claims: { exp: -1 } }), expected: bad(E.INVALID_TOKEN) },
  { name: 'exp is fractional', why: 'NumericDate may have a fraction', alg: 'RS256', make: (i) => i.sign({ claims: { exp: i.now() + 600.5 } }), expected: ok },

  // --- time ---
  { name: 'expired inside default skew', why: 'default skew is 60 s', alg: 'RS256', make: (i) => i.sign({ claims: { exp: i.now() - 30 } }), expected: ok },
  { name: 'expired outside default skew', why: 'past exp + skew is expired', alg: 'RS256', make: (i) => i.sign({ claims: { exp: i.now() - 120 } }), expected: bad(E.EXPIRED_TOKEN) },
  { name: 'expired outside a 10 s skew', why: 'per-call skew applies to exp', alg: 'RS256', make: (i) => i.sign({ claims: { exp: i.now() - 30 } }), options: { clockSkew: 10 }, expected: bad(E.EXPIRED_TOKEN) },
  { name: 'expired inside a 300 s skew', why: 'per-call skew applies to exp', alg: 'RS256', make: (i) => i.sign({ claims: { exp: i.now() - 120 } }), options: { clockSkew: 300 }, expected: ok },
  { name: 'expired ES256', why: 'exp applies to every alg', alg: 'ES256', make: (i) => i.sign({ alg: 'ES256', claims: { exp: i.now() - 3600 } }), expected: bad(E.EXPIRED_TOKEN) },
  { name: 'nbf inside skew', why: 'skew applies to nbf', alg: 'RS256', make: (i) => i.sign({ claims: { nbf: i.now() + 30 } }), expected: ok },
  { name: 'nbf outside skew', why: 'not yet valid', alg: 'RS256', make: (i) => i.sign({ claims: { nbf: i.now() + 600 } }), expected: bad(E.INVALID_TOKEN) },
  { name: 'nbf outside a zero skew', why: 'per-call skew applies to nbf', alg: 'RS256', make: (i) => i.sign({ claims: { nbf: i.now() + 20 } }), options: { clockSkew: 0 }, expected: bad(E.INVALID_TOKEN) },
  { name: 'nbf in the past', why: 'already valid', alg: 'RS256', make: (i) => i.sign({ claims: { nbf: i.now() - 60 } }), expected: ok },
  { name: 'nbf is a string', why: 'nbf is a NumericDate (native ignores it)', alg: 'RS256', make: (i) => i.sign({ claims: { nbf: String(i.now() + 600) } }), expected: bad(E.INVALID_TOKEN) },
  { name: 'nbf is negative', why: 'nbf must be positive (native accepts it)', alg: 'RS256', make: (i) => i.sign({ claims: { nbf: -5 } }), expected: bad(E.INVALID_TOKEN) },
  { name: 'expired and not yet valid', why: 'exp is checked before nbf', alg: 'RS256', make: (i) => i.sign({ claims: { exp: i.now() - 900, nbf: i.now() + 900 } }), expected: bad(E.EXPIRED_TOKEN) },
  { name: 'bad signature and expired', why: 'the signature is checked before exp', alg: 'RS256', make: (i) => i.sign({ key: 'rsa2048b', kid: 'rsa2048', claims: { exp: i.now() - 900 } }), expected: bad(E.INVALID_SIGNATURE) },

  // --- issuer ---
  { name: 'issuer with one trailing slash', why: 'one trailing / is ignored', alg: 'RS256', make: (i) => i.sign({ claims: { iss: `${i.issuer}/` } }), expected: ok },
  { name: 'issuer with two trailing slashes', why: 'only one / is ignored', alg: 'RS256', make: (i) => i.sign({ claims: { iss: `${i.issuer}//` } }), expected: bad(E.INVALID_ISSUER) },
  { name: 'issuer in another case', why: 'issuer comparison is exact', alg: 'RS256', make: (i) => i.sign({ claims: { iss: i.issuer.toUpperCase() } }), expected: bad(E.INVALID_ISSUER) },
  { name: 'issuer with a suffix', why: 'no prefix matching', alg: 'RS256', make: (i) => i.sign({ claims: { iss: `${i.issuer}-evil` } }), expected: bad(E.INVALID_ISSUER) },
  { name: 'issuer that is a prefix', why: 'no prefix matching', alg: 'RS256', make: (i) => i.sign({ claims: { iss: i.issuer.slice(0, -1) } }), expected: bad(E.INVALID_ISSUER) },
  { name: 'issuer is a number', why: 'iss is a string', alg: 'RS256', make: (i) => i.sign({ claims: { iss: 7 } }), expected: bad(E.INVALID_TOKEN) },
  { name: 'expired with a wrong issuer', why: 'exp is checked before iss', alg: 'RS256', make: (i) => i.sign({ claims: { iss: 'https://other.test', exp: i.now() - 900 } }), expected: bad(E.EXPIRED_TOKEN) },

  // --- audience ---
  { name: 'audience string', why: 'aud string equality', alg: 'RS256', make: (i) => i.sign({ claims: { aud: 'api://mcp' } }), options: { audience: 'api://mcp' }, expected: ok },
  { name: 'audience array', why: 'aud array membership', alg: 'RS256', make: (i) => i.sign({ claims: { aud: ['other', 'api://mcp'] } }), options: { audience: 'api://mcp' }, expected: ok },
  { name: 'audience missing', why: 'a required audience must be present', alg: 'RS256', make: (i) => i.sign(), options: { audience: 'api://mcp' }, expected: bad(E.INVALID_AUDIENCE) },
  { name: 'audience differs', why: 'aud must match exactly', alg: 'RS256', make: (i) => i.sign({ claims: { aud: 'api://mcp2' } }), options: { audience: 'api://mcp' }, expected: bad(E.INVALID_AUDIENCE) },
  { name: 'audience array without it', why: 'aud array membership', alg: 'RS256', make: (i) => i.sign({ claims: { aud: ['a', 'b'] } }), options: { audience: 'api://mcp' }, expected: bad(E.INVALID_AUDIENCE) },
  { name: 'audience not required', why: 'aud is only checked when asked for', alg: 'RS256', make: (i) => i.sign({ claims: { aud: 'anything' } }), expected: ok },
  { name: 'wrong issuer and wrong audience', why: 'iss is checked before aud', alg: 'RS256', make: (i) => i.sign({ claims: { iss: 'https://other.test', aud: 'x' } }), options: { audience: 'api://mcp' }, expected: bad(E.INVALID_ISSUER) },

  // --- scopes ---
  { name: 'scope string has all', why: 'space-separated scope', alg: 'RS256', make: (i) => i.sign({ claims: { scope: 'openid mcp:read mcp:write' } }), options: { scopes: ['mcp:read', 'mcp:write'] }, expected: ok },
  { name: 'scope string lacks one', why: 'all required scopes must be present', alg: 'RS256', make: (i) => i.sign({ claims: { scope: 'mcp:read' } }), options: { scopes: ['mcp:read', 'mcp:admin'] }, expected: bad(E.INSUFFICIENT_SCOPE) },
  { name: 'scp array (Entra)', why: 'scp is read', alg: 'RS256', make: (i) => i.sign({ claims: { scp: ['mcp:read', 'mcp:write'] } }), options: { scopes: ['mcp:read'] }, expected: ok },
  { name: 'scp string', why: 'scp may be a string', alg: 'RS256', make: (i) => i.sign({ claims: { scp: 'mcp:read mcp:write' } }), options: { scopes: ['mcp:write'] }, expected: ok },
  { name: 'scopes array', why: 'scopes is read', alg: 'RS256', make: (i) => i.sign({ claims: { scopes: ['mcp:read'] } }), options: { scopes: ['mcp:read'] }, expected: ok },
  { name: 'scopes string', why: 'scopes may be a string', alg: 'RS256', make: (i) => i.sign({ claims: { scopes: 'a mcp:read' } }), options: { scopes: ['mcp:read'] }, expected: ok },
  { name: 'scp next to scope grants nothing', why: 'scopes come from the first scope claim present (scope, scp, scopes), never merged', alg: 'RS256', make: (i) => i.sign({ claims: { scope: 'mcp:read', scp: ['mcp:admin'] } }), options: { scopes: ['mcp:admin'] }, expected: bad(E.INSUFFICIENT_SCOPE) },
  { name: 'scopes next to scope grants nothing', why: 'a side claim (custom mapper, user attribute) adds no scope', alg: 'RS256', make: (i) => i.sign({ claims: { scope: 'mcp:read', scopes: 'mcp:admin' } }), options: { scopes: ['mcp:admin'] }, expected: bad(E.INSUFFICIENT_SCOPE) },
  { name: 'scopes next to scp grants nothing', why: 'scp comes before scopes', alg: 'RS256', make: (i) => i.sign({ claims: { scp: ['mcp:read'], scopes: ['mcp:admin'] } }), options: { scopes: ['mcp:admin'] }, expected: bad(E.INSUFFICIENT_SCOPE) },
  { name: 'scope as an array hides scp', why: 'the first scope claim present decides, and a scope that is not a string grants nothing', alg: 'RS256', make: (i) => i.sign({ claims: { scope: ['mcp:admin'], scp: ['mcp:admin'] } }), options: { scopes: ['mcp:admin'] }, expected: bad(E.INSUFFICIENT_SCOPE) },
  { name: 'scope with the scope required, scp without', why: 'scope decides', alg: 'RS256', make: (i) => i.sign({ claims: { scope: 'mcp:admin', scp: ['mcp:read'] } }), options: { scopes: ['mcp:admin'] }, expected: ok },
  { name: 'scope string joined by a tab', why: 'scopes are separated by spaces only (RFC 6749 §3.3): one malformed scope, not two', alg: 'RS256', make: (i) => i.sign({ claims: { scope: 'mcp:read\tmcp:admin' } }), options: { scopes: ['mcp:admin'] }, expected: bad(E.INSUFFICIENT_SCOPE) },
  { name: 'scp string joined by a no-break space', why: 'Unicode whitespace separates nothing', alg: 'RS256', make: (i) => i.sign({ claims: { scp: 'mcp:read\u00a0mcp:admin' } }), options: { scopes: ['mcp:admin'] }, expected: bad(E.INSUFFICIENT_SCOPE) },
  { name: 'no scope claim', why: 'required scopes need a claim', alg: 'RS256', make: (i) => i.sign(), options: { scopes: ['mcp:read'] }, expected: bad(E.INSUFFICIENT_SCOPE) },
  { name: 'scope that only starts with the required one', why: 'scopes match whole tokens', alg: 'RS256', make: (i) => i.sign({ claims: { scope: 'mcp:readonly' } }), options: { scopes: ['mcp:read'] }, expected: bad(E.INSUFFICIENT_SCOPE) },
  { name: 'scopes on ES256', why: 'scopes apply to every alg', alg: 'ES256', make: (i) => i.sign({ alg: 'ES256', claims: { scope: 'a' } }), options: { scopes: ['b'] }, expected: bad(E.INSUFFICIENT_SCOPE) },
  { name: 'wrong audience and missing scope', why: 'aud is checked before scopes', alg: 'RS256', make: (i) => i.sign({ claims: { aud: 'x' } }), options: { audience: 'api://mcp', scopes: ['a'] }, expected: bad(E.INVALID_AUDIENCE) },

  // --- nested and duplicate claims (the native parser reads the first textual match) ---
  { name: 'nested exp in the future, top-level exp past', why: 'nested objects never count', alg: 'RS256', make: (i) => rawClaims(i, (now, iss) => `{"sub":"u","iss":${iss},"ctx":{"exp":${now + 600}},"exp":${now - 900}}`), expected: bad(E.EXPIRED_TOKEN) },
  { name: 'nested exp only', why: 'a nested exp is not an exp', alg: 'RS256', make: (i) => rawClaims(i, (now, iss) => `{"sub":"u","iss":${iss},"ctx":{"exp":${now + 600}}}`), expected: bad(E.INVALID_TOKEN) },
  { name: 'nested iss matches, top-level iss differs', why: 'nested objects never count', alg: 'RS256', make: (i) => rawClaims(i, (now, iss) => `{"sub":"u","ctx":{"iss":${iss}},"iss":"https://evil.test","exp":${now + 600}}`), expected: bad(E.INVALID_ISSUER) },
  { name: 'nested aud matches', why: 'nested objects never count', alg: 'RS256', make: (i) => rawClaims(i, (now, iss) => `{"sub":"u","iss":${iss},"ctx":{"aud":"api://mcp"},"aud":"other","exp":${now + 600}}`), options: { audience: 'api://mcp' }, expected: bad(E.INVALID_AUDIENCE) },
  { name: 'nested scope has it', why: 'nested objects never count', alg: 'RS256', make: (i) => rawClaims(i, (now, iss) => `{"sub":"u","iss":${iss},"ctx":{"scope":"mcp:admin"},"scope":"mcp:read","exp":${now + 600}}`), options: { scopes: ['mcp:admin'] }, expected: bad(E.INSUFFICIENT_SCOPE) },
  { name: 'duplicate exp, future first', why: 'duplicate claims are refused', alg: 'RS256', make: (i) => rawClaims(i, (now, iss) => `{"sub":"u","iss":${iss},"exp":${now + 600},"exp":${now - 900}}`), expected: bad(E.INVALID_TOKEN) },
  { name: 'duplicate exp, past first', why: 'duplicate claims are refused', alg: 'RS256', make: (i) => rawClaims(i, (now, iss) => `{"sub":"u","iss":${iss},"exp":${now - 900},"exp":${now + 600}}`), expected: bad(E.INVALID_TOKEN) },
  { name: 'duplicate iss', why: 'duplicate claims are refused', alg: 'RS256', make: (i) => rawClaims(i, (now, iss) => `{"sub":"u","iss":${iss},"iss":"https://evil.test","exp":${now + 600}}`), expected: bad(E.INVALID_TOKEN) },
  { name: 'duplicate sub', why: 'duplicate claims are refused', alg: 'RS256', make: (i) => rawClaims(i, (now, iss) => `{"sub":"u","sub":"admin","iss":${iss},"exp":${now + 600}}`), expected: bad(E.INVALID_TOKEN) },
  { name: 'duplicate scope on ES256', why: 'duplicate claims are refused on every alg', alg: 'ES256', make: (i) => rawClaims(i, (now, iss) => `{"sub":"u","iss":${iss},"scope":"a","scope":"b","exp":${now + 600}}`, 'ES256', 'p256'), expected: bad(E.INVALID_TOKEN) },

  // --- the adversarial corpus (test/vectors/adversarial), by RFC 8725 section and native hazard ---
  ...ADVERSARIAL_VECTORS,
];

/** ECDSA in DER form (node:crypto's default), which JWS forbids. */
function derSignature(i: TestIssuer, input: string): string {
  return b64url(sign('sha256', Buffer.from(input), i.key('p256').privateKey));
}

function standardBase64Signature(i: TestIssuer): string {
  for (let n = 0; ; n++) {
    const [h, p, s] = parts(i.sign({ claims: { jti: `std-${n}` } }));
    if (/[-_]/.test(s)) return `${h}.${p}.${Buffer.from(s, 'base64url').toString('base64').replace(/=+$/, '')}`;
  }
}
