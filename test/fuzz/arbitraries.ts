/** fast-check arbitraries: random and mutated tokens, JWKS documents, challenge inputs, Authorization headers. */
import fc from 'fast-check';
import type { Jwk } from '../../src/backends/types.js';

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const SPECIAL = ['.', '=', '+', '/', ' ', '\t', '\n', '\r', '\u0000', '"', '\\', '{', '}', 'é', '😀', '\ufeff'];

/** One character a mutation inserts: mostly base64url, sometimes structural or hostile. */
export const tokenChar = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...B64URL) },
  { weight: 3, arbitrary: fc.constantFrom(...SPECIAL) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);

const b64 = (text: string): string => Buffer.from(text).toString('base64url');
const unb64 = (segment: string): string => Buffer.from(segment, 'base64url').toString('utf8');

function parse(segment: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(unb64(segment));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A JSON value that often is a plausible claim or header value. */
const jsonValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -1, 1e10, 1e300, 2 ** 63, Date.now() / 1000 + 600, null, true, '', 'RS256', 'none', 'HS256', 'rsa2048', 'https://issuer.test/realms/fuzz'),
  fc.string(),
  fc.array(fc.oneof(fc.string(), fc.integer(), fc.constant(null)), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(fc.string(), fc.integer()), { maxKeys: 2 }),
  fc.constantFrom({ toString: 1 }, { valueOf: null, toString: 'x' }, { __proto__: 'x' }, ['RS256', null]),
);

const memberName = fc.oneof(
  fc.constantFrom('alg', 'kid', 'typ', 'crit', 'jku', 'jwk', 'x5u', 'b64', 'sub', 'iss', 'exp', 'nbf', 'aud', 'scope', 'scp', '__proto__', 'constructor', 'toString', 'valueOf'),
  fc.string({ maxLength: 6 }),
);

export type Mutation = (token: string) => string;

/** Structure-aware and byte-level mutations of a token. */
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), tokenChar).map(([at, ch]): Mutation => (t) => { const i = t.length === 0 ? 0 : at % t.length; return t.slice(0, i) + ch + t.slice(i + 1); }),
  fc.tuple(fc.nat(), tokenChar).map(([at, ch]): Mutation => (t) => { const i = at % (t.length + 1); return t.slice(0, i) + ch + t.slice(i); }),
  fc.nat().map((at): Mutation => (t) => { const i = t.length === 0 ? 0 : at % t.length; return t.slice(0, i) + t.slice(i + 1); }),
  fc.nat().map((at): Mutation => (t) => t.slice(0, at % (t.length + 1))),
  fc.constantFrom<Mutation>(
    (t) => { const [h, p, s] = t.split('.'); return `${p}.${h}.${s}`; },
    (t) => { const [h, p, s] = t.split('.'); return `${h}.${p}.${s}.${s}`; },
    (t) => { const [h, p] = t.split('.'); return `${h}.${p}.`; },
    (t) => { const [h, , s] = t.split('.'); return `${h}.${b64('{}')}.${s}`; },
    (t) => `${t}=`,
    (t) => t.toUpperCase(),
    (t) => t.replace(/-/g, '+').replace(/_/g, '/'),
    (t) => ` ${t}`,
    (t) => `Bearer ${t}`,
  ),
  // Change one member of the header or payload and re-encode, keeping the old signature.
  fc.tuple(fc.boolean(), memberName, jsonValue).map(([inHeader, name, value]): Mutation => (t) => {
    const segments = t.split('.');
    const index = inHeader ? 0 : 1;
    const object = parse(segments[index] ?? '');
    if (object === null) return t;
    object[name] = value;
    segments[index] = b64(JSON.stringify(object));
    return segments.join('.');
  }),
  // Drop a member.
  fc.tuple(fc.boolean(), memberName).map(([inHeader, name]): Mutation => (t) => {
    const segments = t.split('.');
    const index = inHeader ? 0 : 1;
    const object = parse(segments[index] ?? '');
    if (object === null) return t;
    delete object[name];
    segments[index] = b64(JSON.stringify(object));
    return segments.join('.');
  }),
  // Append a raw duplicate member to the JSON text.
  fc.tuple(fc.boolean(), memberName, jsonValue).map(([inHeader, name, value]): Mutation => (t) => {
    const segments = t.split('.');
    const index = inHeader ? 0 : 1;
    const text = unb64(segments[index] ?? '');
    if (!text.endsWith('}')) return t;
    segments[index] = b64(`${text.slice(0, -1)},${JSON.stringify(name)}:${JSON.stringify(value) ?? 'null'}}`);
    return segments.join('.');
  }),
);

/** A genuine token with 1–4 mutations applied. */
export function mutatedToken(genuine: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...genuine), fc.array(mutation, { minLength: 1, maxLength: 4 }))
    .map(([token, mutations]) => mutations.reduce((t, m) => m(t), token));
}

/** Random strings shaped like tokens (three segments of base64url, or not). */
export const randomToken: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.array(fc.string({ unit: fc.constantFrom(...B64URL), maxLength: 60 }), { minLength: 1, maxLength: 5 }).map((s) => s.join('.')),
  fc.tuple(fc.jsonValue(), fc.jsonValue(), fc.string({ unit: fc.constantFrom(...B64URL), maxLength: 80 })).map(
    ([h, p, s]) => `${b64(JSON.stringify(h) ?? '')}.${b64(JSON.stringify(p) ?? '')}.${s}`,
  ),
);

/** A JWK mutated member by member: dropped, retyped, truncated, bit-flipped, or relabelled. */
function mutatedJwk(base: Jwk): fc.Arbitrary<Jwk> {
  const names = Object.keys(base);
  return fc
    .array(
      fc.oneof(
        fc.tuple(fc.constant('drop' as const), fc.constantFrom(...names), fc.constant(null as unknown)),
        fc.tuple(fc.constant('set' as const), fc.constantFrom(...names, 'alg', 'use', 'key_ops', 'kid', 'crv'), jsonValue),
        fc.tuple(fc.constant('flip' as const), fc.constantFrom(...names.filter((n) => ['n', 'e', 'x', 'y'].includes(n))), fc.nat()),
        fc.tuple(fc.constant('kty' as const), fc.constant('kty'), fc.constantFrom('RSA', 'EC', 'OKP', 'oct', 'rsa', '')),
      ),
      { maxLength: 3 },
    )
    .map((edits) => {
      const jwk: Jwk = { ...base };
      for (const [kind, name, value] of edits) {
        if (kind === 'drop') delete jwk[name];
        else if (kind === 'set' || kind === 'kty') jwk[name] = value;
        else if (typeof jwk[name] === 'string') {
          const bytes = Buffer.from(jwk[name] as string, 'base64url');
          if (bytes.length > 0) bytes[(value as number) % bytes.length] = (bytes[(value as number) % bytes.length] ?? 0) ^ 0x01;
          jwk[name] = bytes.toString('base64url');
        }
      }
      return jwk;
    });
}

/** JWKS documents: arbitrary JSON, or lists of genuine and mutated keys. */
export function jwksDocument(genuineKeys: readonly Jwk[]): fc.Arbitrary<unknown> {
  const key = fc.oneof(fc.constantFrom(...genuineKeys), fc.constantFrom(...genuineKeys).chain(mutatedJwk), fc.jsonValue());
  return fc.oneof(
    { weight: 1, arbitrary: fc.jsonValue() },
    { weight: 4, arbitrary: fc.array(key, { maxLength: 5 }).map((keys) => ({ keys })) },
  );
}

/** Header-value inputs: mostly printable, often with quotes, backslashes, CR/LF, NUL, non-ASCII. */
export const headerText: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.array(fc.constantFrom('a', ' ', '"', '\\', '\r', '\n', '\r\n', '\u0000', ',', '=', 'é', '\u2028', 'Set-Cookie: x'), { maxLength: 12 }).map((a) => a.join('')),
);

/** Authorization header values (one, several, or none). */
export const authorizationHeader: fc.Arbitrary<string | string[] | undefined> = fc.oneof(
  fc.constant(undefined),
  headerText,
  fc.tuple(fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Basic', 'Bearer\t', 'Bearer  ', ''), fc.string({ unit: fc.constantFrom(...B64URL, '.', '~', '+', '/', '=', ' ', ','), maxLength: 40 })).map(
    ([scheme, cred]) => `${scheme} ${cred}`,
  ),
  fc.array(headerText, { maxLength: 3 }),
);

/** Values that are also claim names, or hold the characters a textual parser stops at. */
const claimishValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('exp', 'iss', 'aud', 'sub', 'nbf', 'iat', 'scope', 'kid', 'alg', ']', '[', '{', '}', ':', ',', 'a]', '"', 'mcp:admin', 'api://mcp'),
  fc.array(fc.constantFrom('exp', 'iss', 'aud', 'a]', '[b', 'api://mcp', 'x'), { maxLength: 3 }),
  jsonValue,
);

/**
 * The text of a payload for a freshly signed token: the usual claims (right or wrong issuer, exp
 * ahead or past, sometimes aud/scope/nbf) with extra members before or after them whose names and
 * values are often claim names, spacing around the colons varied.
 */
export function signedPayloadText(issuer: string, now: number): fc.Arbitrary<string> {
  const member = fc.tuple(memberName, claimishValue);
  return fc
    .record({
      before: fc.array(member, { maxLength: 2 }),
      after: fc.array(member, { maxLength: 2 }),
      iss: fc.constantFrom(issuer, `${issuer}/`, 'https://evil.test'),
      exp: fc.constantFrom(now + 600, now - 600, now + 30),
      aud: fc.option(fc.oneof(fc.constantFrom('api://mcp', 'a'), fc.array(fc.constantFrom('api://mcp', 'a]', 'b', 'aud'), { maxLength: 3 })), { nil: undefined }),
      scope: fc.option(fc.constantFrom('mcp:read', 'mcp:read mcp:admin', 'exp'), { nil: undefined }),
      nbf: fc.option(fc.constantFrom(now - 10, now + 600), { nil: undefined }),
      space: fc.constantFrom('', ' ', '\n '),
    })
    .map(({ before, after, iss, exp, aud, scope, nbf, space }) => {
      const text = ([name, value]: [string, unknown]): string => `${JSON.stringify(name)}${space}:${space}${JSON.stringify(value) ?? 'null'}`;
      const claims: [string, unknown][] = [['sub', 'user-1'], ['iss', iss], ['exp', exp]];
      if (aud !== undefined) claims.push(['aud', aud]);
      if (scope !== undefined) claims.push(['scope', scope]);
      if (nbf !== undefined) claims.push(['nbf', nbf]);
      return `{${[...before, ...claims, ...after].map(text).join(',')}}`;
    });
}
