/**
 * RFC 7519 and RFC 8725 §3.8/§3.9: claim tricks — types and forms of exp/nbf, issuer and audience
 * look-alikes, nested and duplicate claims aimed at the native library's first-textual-match parser,
 * prototype keys.
 */
import { E, RS_HEADER, adv, bad, claimsText, ok, raw, type AdversarialCase } from './helpers.js';
import type { TestIssuer } from '../../support/issuer.js';

const C = '7519 claims' as const;
const ISS = '8725 §3.8 issuer' as const;
const AUD = '8725 §3.9 audience' as const;
const NAIVE = 'native: naive claim parser' as const;

/** Payload text with `exp` written verbatim. */
const withExp = (expText: (now: number) => string) => (i: TestIssuer) =>
  raw(i, RS_HEADER, `{"sub":"user-123","iss":${JSON.stringify(i.issuer)},"exp":${expText(i.now())}}`);
const withNbf = (nbfText: (now: number) => string) => (i: TestIssuer) =>
  raw(i, RS_HEADER, claimsText(i, `"nbf":${nbfText(i.now())}`));
const withIss = (issText: (iss: string) => string) => (i: TestIssuer) =>
  raw(i, RS_HEADER, `{"sub":"user-123","iss":${issText(i.issuer)},"exp":${i.now() + 600}}`);
const withAud = (audText: string) => (i: TestIssuer) => raw(i, RS_HEADER, claimsText(i, `"aud":${audText}`));
const withSub = (subText: string) => (i: TestIssuer) =>
  raw(i, RS_HEADER, `{"sub":${subText},"iss":${JSON.stringify(i.issuer)},"exp":${i.now() + 600}}`);

const AUDIENCE = { audience: 'api://mcp' };
const ADMIN = { scopes: ['mcp:admin'] };

export const CLAIM_TRICKS: AdversarialCase[] = [
  // exp forms
  adv(C, 'exp in exponent notation, in the future', 'a JSON number is a number: valid (the native parser reads only the mantissa; JS decides)', 'RS256', withExp((now) => `${(now + 600) / 1000}e3`), ok),
  adv(C, 'exp 1e10 (year 2286)', 'far-future exp in exponent form is valid', 'RS256', withExp(() => '1e10'), ok),
  adv(C, 'exp in exponent notation, in the past', 'exponent form does not hide expiry', 'RS256', withExp((now) => `${(now - 3600) / 1000}e3`), bad(E.EXPIRED_TOKEN)),
  adv(C, 'exp 1e300', 'exp beyond int64 seconds is not a usable NumericDate', 'RS256', withExp(() => '1e300'), bad(E.INVALID_TOKEN)),
  adv(C, 'exp with 23 digits', 'exp beyond int64 seconds is refused', 'RS256', withExp(() => '99999999999999999999999'), bad(E.INVALID_TOKEN)),
  adv(C, 'exp 2^63', 'exp beyond int64 seconds is refused', 'RS256', withExp(() => '9223372036854775808'), bad(E.INVALID_TOKEN)),
  adv(C, 'exp 2^53 + 1', 'a far-future exp inside int64 is a valid NumericDate', 'RS256', withExp(() => '9007199254740993'), ok),
  adv(C, 'exp -0', 'exp must be positive', 'RS256', withExp(() => '-0'), bad(E.INVALID_TOKEN)),
  adv(C, 'exp hugely negative', 'a negative exp never expires natively; refused', 'RS256', withExp(() => '-9000000000000000000'), bad(E.INVALID_TOKEN)),
  adv(C, 'exp negative fraction', 'exp must be positive', 'RS256', withExp(() => '-0.5'), bad(E.INVALID_TOKEN)),
  adv(C, 'exp 0.9', 'truncates to 0: not a positive NumericDate', 'RS256', withExp(() => '0.9'), bad(E.INVALID_TOKEN)),
  adv(C, 'exp numeric string', 'exp is a number, not a string', 'RS256', withExp((now) => `"${now + 600}"`), bad(E.INVALID_TOKEN)),
  adv(C, 'exp string with spaces', 'exp is a number', 'RS256', withExp((now) => `" ${now + 600} "`), bad(E.INVALID_TOKEN)),
  adv(C, 'exp null', 'exp is required and numeric', 'RS256', withExp(() => 'null'), bad(E.INVALID_TOKEN)),
  adv(C, 'exp true', 'exp is numeric', 'RS256', withExp(() => 'true'), bad(E.INVALID_TOKEN)),
  adv(C, 'exp in an array', 'exp is a single number', 'RS256', withExp((now) => `[${now + 600}]`), bad(E.INVALID_TOKEN)),
  adv(C, 'exp as an object', 'exp is a single number', 'RS256', withExp((now) => `{"$date":${now + 600}}`), bad(E.INVALID_TOKEN)),
  adv(C, 'exp NaN literal', 'not JSON', 'RS256', withExp(() => 'NaN'), bad(E.INVALID_TOKEN)),
  adv(C, 'exp Infinity literal', 'not JSON', 'RS256', withExp(() => 'Infinity'), bad(E.INVALID_TOKEN)),
  adv(C, 'exp hex literal', 'not JSON', 'RS256', withExp(() => '0x7fffffff'), bad(E.INVALID_TOKEN)),
  adv(C, 'exp with a leading plus', 'not JSON', 'RS256', withExp((now) => `+${now + 600}`), bad(E.INVALID_TOKEN)),
  adv(C, 'exp with leading zeros', 'not JSON', 'RS256', withExp((now) => `0${now + 600}`), bad(E.INVALID_TOKEN)),
  adv(C, 'exp fractional past, outside skew', 'fractions do not extend the lifetime', 'RS256', withExp((now) => `${now - 120}.999`), bad(E.EXPIRED_TOKEN)),
  adv(C, 'exp written with whitespace around it', 'insignificant JSON whitespace is fine', 'RS256', withExp((now) => ` \n ${now + 600} \t`), ok),
  // nbf forms
  adv(C, 'nbf 1e10 (far future) in exponent form', 'not yet valid (the native parser reads 1)', 'RS256', withNbf(() => '1e10'), bad(E.INVALID_TOKEN)),
  adv(C, 'nbf null', 'nbf, when present, is a NumericDate', 'RS256', withNbf(() => 'null'), bad(E.INVALID_TOKEN)),
  adv(C, 'nbf 1e300', 'nbf beyond int64 is refused', 'RS256', withNbf(() => '1e300'), bad(E.INVALID_TOKEN)),
  adv(C, 'nbf fractional future, outside skew', 'not yet valid', 'RS256', withNbf((now) => `${now + 600}.5`), bad(E.INVALID_TOKEN)),
  adv(C, 'nbf an array', 'nbf is a single number', 'RS256', withNbf((now) => `[${now}]`), bad(E.INVALID_TOKEN)),
  adv(C, 'iat in the future', 'iat is informational; exp and nbf decide', 'RS256', (i) => i.sign({ claims: { iat: i.now() + 86400 } }), ok),
  adv(C, 'iat a string', 'iat is not compared with the clock, but it must be a number (RFC 7519 §4.1.6; the native library ignores it)', 'RS256', (i) => i.sign({ claims: { iat: 'yesterday' } }), bad(E.INVALID_TOKEN)),
  adv(C, 'iat null', 'iat, when present, is a number', 'RS256', (i) => i.sign({ claims: { iat: null } }), bad(E.INVALID_TOKEN)),
  adv(C, 'iat 0 (the epoch)', 'any number is a NumericDate', 'RS256', (i) => i.sign({ claims: { iat: 0 } }), ok),
  adv(C, 'exp exactly now, zero skew', 'not accepted on or after exp (RFC 7519 §4.1.4; the native library accepts it)', 'RS256', (i) => i.sign({ claims: { exp: i.now() } }), bad(E.EXPIRED_TOKEN), { options: { clockSkew: 0 } }),
  // sub
  adv(C, 'sub empty string', 'sub must be a non-empty string', 'RS256', withSub('""'), bad(E.INVALID_TOKEN)),
  adv(C, 'sub null', 'sub must be a string', 'RS256', withSub('null'), bad(E.INVALID_TOKEN)),
  adv(C, 'sub an array', 'sub must be a string', 'RS256', withSub('["admin"]'), bad(E.INVALID_TOKEN)),
  adv(C, 'sub an object', 'sub must be a string', 'RS256', withSub('{"id":"admin"}'), bad(E.INVALID_TOKEN)),
  adv(C, 'sub unicode-escaped', 'escapes are JSON: valid', 'RS256', withSub('"\\u0075ser-123"'), ok),
  // issuer
  adv(ISS, 'iss unicode-escaped (\\u0068ttps)', 'decodes to the issuer: valid (the native parser compares raw text; JS decides)', 'RS256', withIss((iss) => JSON.stringify(iss).replace('h', '\\u0068')), ok),
  adv(ISS, 'iss with escaped slashes (PHP json_encode style)', 'decodes to the issuer: valid', 'RS256', withIss((iss) => JSON.stringify(iss).replace(/\//g, '\\/')), ok),
  adv(ISS, 'iss unicode-escaped to another issuer', 'escapes cannot make another issuer match', 'RS256', withIss(() => '"https:\\/\\/evil.test\\/realms\\/demo"'), bad(E.INVALID_ISSUER)),
  adv(ISS, 'iss with a trailing space', 'issuer comparison is exact', 'RS256', withIss((iss) => JSON.stringify(`${iss} `)), bad(E.INVALID_ISSUER)),
  adv(ISS, 'iss with a NUL appended', 'no C-string truncation', 'RS256', withIss((iss) => JSON.stringify(`${iss}\u0000`)), bad(E.INVALID_ISSUER)),
  adv(ISS, 'iss with a NUL then a suffix', 'no C-string truncation', 'RS256', withIss((iss) => JSON.stringify(`${iss}\u0000.evil.test`)), bad(E.INVALID_ISSUER)),
  adv(ISS, 'iss with a Cyrillic lookalike letter', 'issuer comparison is by code point', 'RS256', withIss((iss) => JSON.stringify(iss.replace('i', '\u0456'))), bad(E.INVALID_ISSUER)),
  adv(ISS, 'iss over http instead of https', 'the scheme is part of the issuer', 'RS256', withIss((iss) => JSON.stringify(iss.replace('https:', 'http:'))), bad(E.INVALID_ISSUER)),
  adv(ISS, 'iss with an explicit :443', 'issuer comparison is exact, not URL-normalised', 'RS256', withIss((iss) => JSON.stringify(iss.replace('issuer.test', 'issuer.test:443'))), bad(E.INVALID_ISSUER)),
  adv(ISS, 'iss with a query string', 'issuer comparison is exact', 'RS256', withIss((iss) => JSON.stringify(`${iss}?x=1`)), bad(E.INVALID_ISSUER)),
  adv(ISS, 'iss null', 'iss must be a string', 'RS256', withIss(() => 'null'), bad(E.INVALID_TOKEN)),
  adv(ISS, 'iss an array holding the issuer', 'iss must be a string', 'RS256', withIss((iss) => `[${JSON.stringify(iss)}]`), bad(E.INVALID_TOKEN)),
  adv(ISS, 'iss an object', 'iss must be a string', 'RS256', withIss((iss) => `{"url":${JSON.stringify(iss)}}`), bad(E.INVALID_TOKEN)),
  adv(ISS, 'iss empty', 'iss must be non-empty', 'RS256', withIss(() => '""'), bad(E.INVALID_TOKEN)),
  // audience
  adv(AUD, 'aud null', 'a required audience must be present', 'RS256', withAud('null'), bad(E.INVALID_AUDIENCE), { options: AUDIENCE }),
  adv(AUD, 'aud empty string', 'a required audience must match', 'RS256', withAud('""'), bad(E.INVALID_AUDIENCE), { options: AUDIENCE }),
  adv(AUD, 'aud empty array', 'a required audience must be a member', 'RS256', withAud('[]'), bad(E.INVALID_AUDIENCE), { options: AUDIENCE }),
  adv(AUD, 'aud array with null and the audience', 'membership is what counts: valid', 'RS256', withAud('[null,"api://mcp"]'), ok, { options: AUDIENCE }),
  adv(AUD, 'aud array with only null', 'null is no audience', 'RS256', withAud('[null]'), bad(E.INVALID_AUDIENCE), { options: AUDIENCE }),
  adv(AUD, 'aud array with a padded audience', 'exact comparison', 'RS256', withAud('["api://mcp "]'), bad(E.INVALID_AUDIENCE), { options: AUDIENCE }),
  adv(AUD, 'aud nested array', 'only strings directly in the array count', 'RS256', withAud('[["api://mcp"]]'), bad(E.INVALID_AUDIENCE), { options: AUDIENCE }),
  adv(AUD, 'aud a number', 'aud is a string or an array of strings', 'RS256', withAud('42'), bad(E.INVALID_AUDIENCE), { options: AUDIENCE }),
  adv(AUD, 'aud an object keyed by the audience', 'aud is a string or an array of strings', 'RS256', withAud('{"api://mcp":true}'), bad(E.INVALID_AUDIENCE), { options: AUDIENCE }),
  adv(AUD, 'aud with a path suffix', 'no prefix matching', 'RS256', withAud('"api://mcp/extra"'), bad(E.INVALID_AUDIENCE), { options: AUDIENCE }),
  adv(AUD, 'aud in upper case', 'exact comparison', 'RS256', withAud('"API://MCP"'), bad(E.INVALID_AUDIENCE), { options: AUDIENCE }),
  adv(AUD, 'aud with escaped slashes', 'decodes to the audience: valid', 'RS256', withAud('"api:\\/\\/mcp"'), ok, { options: AUDIENCE }),
  adv(AUD, 'aud as a space-separated list', 'aud is not a space-separated string', 'RS256', withAud('"other api://mcp"'), bad(E.INVALID_AUDIENCE), { options: AUDIENCE }),
  adv(AUD, 'duplicate aud', 'duplicate claims are refused', 'RS256', (i) => raw(i, RS_HEADER, claimsText(i, '"aud":"api://mcp","aud":"other"')), bad(E.INVALID_TOKEN), { options: AUDIENCE }),
  // scopes
  adv(C, 'scope claim as an array', 'scope is a space-separated string (RFC 8693); an array is not read', 'RS256', (i) => i.sign({ claims: { scope: ['mcp:admin'] } }), bad(E.INSUFFICIENT_SCOPE), { options: ADMIN }),
  adv(C, 'scope in another case', 'scopes are case-sensitive', 'RS256', (i) => i.sign({ claims: { scope: 'MCP:ADMIN' } }), bad(E.INSUFFICIENT_SCOPE), { options: ADMIN }),
  adv(C, 'scope null', 'no scopes granted', 'RS256', (i) => i.sign({ claims: { scope: null } }), bad(E.INSUFFICIENT_SCOPE), { options: ADMIN }),
  adv(C, 'scope containing the required one as a substring', 'scopes match whole tokens', 'RS256', (i) => i.sign({ claims: { scope: 'xmcp:admin mcp:adminx' } }), bad(E.INSUFFICIENT_SCOPE), { options: ADMIN }),
  adv(C, 'scope unicode-escaped', 'escapes are JSON: valid', 'RS256', (i) => raw(i, RS_HEADER, claimsText(i, '"scope":"mcp:\\u0061dmin"')), ok, { options: ADMIN }),
  adv(C, 'scp as an object', 'scp is a string or an array', 'RS256', (i) => i.sign({ claims: { scp: { 'mcp:admin': true } } }), bad(E.INSUFFICIENT_SCOPE), { options: ADMIN }),
  adv(C, 'scopes array with non-strings', 'only strings are scopes', 'RS256', (i) => i.sign({ claims: { scopes: [1, null, { s: 'mcp:admin' }] } }), bad(E.INSUFFICIENT_SCOPE), { options: ADMIN }),
  // prototype keys
  adv(C, '__proto__ claim', 'a claim named __proto__ is data: valid, nothing is polluted', 'RS256', (i) => raw(i, RS_HEADER, claimsText(i, '"__proto__":{"admin":true,"scope":"mcp:admin"}')), ok),
  adv(C, '__proto__ granting a scope', 'a nested scope is not a scope', 'RS256', (i) => raw(i, RS_HEADER, claimsText(i, '"__proto__":{"scope":"mcp:admin"}', true)), bad(E.INSUFFICIENT_SCOPE), { options: ADMIN }),
  adv(C, '__proto__ carrying a future exp, top-level exp past', 'only the top-level exp counts', 'RS256', (i) => raw(i, RS_HEADER, `{"__proto__":{"exp":${i.now() + 600}},"sub":"u","iss":${JSON.stringify(i.issuer)},"exp":${i.now() - 900}}`), bad(E.EXPIRED_TOKEN)),
  adv(C, 'constructor.prototype claim', 'a claim named constructor is data: valid', 'RS256', (i) => raw(i, RS_HEADER, claimsText(i, '"constructor":{"prototype":{"polluted":true}}')), ok),
  adv(C, 'toString and hasOwnProperty claims', 'claims shadowing Object methods are data: valid', 'RS256', (i) => raw(i, RS_HEADER, claimsText(i, '"toString":"x","hasOwnProperty":1,"valueOf":null')), ok),
  // nested and duplicate claims aimed at the native first-match parser
  adv(NAIVE, 'act claim (RFC 8693) with sub and iss before the top-level ones', 'a nested actor is not the subject or issuer: valid (native reads the nested iss; JS decides)', 'RS256', (i) => raw(i, RS_HEADER, claimsText(i, '"act":{"sub":"admin","iss":"https://evil.test"}', true)), ok),
  adv(NAIVE, 'nested past exp before a future top-level exp', 'only the top-level exp counts: valid', 'RS256', (i) => raw(i, RS_HEADER, claimsText(i, `"ctx":{"exp":${i.now() - 900}}`, true)), ok),
  adv(NAIVE, 'nested future exp in an array before a past top-level exp', 'only the top-level exp counts', 'RS256', (i) => raw(i, RS_HEADER, `{"list":[{"exp":${i.now() + 600}}],"sub":"u","iss":${JSON.stringify(i.issuer)},"exp":${i.now() - 900}}`), bad(E.EXPIRED_TOKEN)),
  adv(NAIVE, 'nested aud before a wrong top-level aud', 'only the top-level aud counts', 'RS256', (i) => raw(i, RS_HEADER, claimsText(i, '"x":{"aud":"api://mcp"},"aud":"other"', true)), bad(E.INVALID_AUDIENCE), { options: AUDIENCE }),
  adv(NAIVE, 'nested wrong aud before the right top-level aud', 'only the top-level aud counts: valid', 'RS256', (i) => raw(i, RS_HEADER, claimsText(i, '"x":{"aud":"other"},"aud":"api://mcp"', true)), ok, { options: AUDIENCE }),
  adv(NAIVE, '"exp" text inside a string value', 'a string that looks like a member is data', 'RS256', (i) => raw(i, RS_HEADER, `{"note":"\\"exp\\":${i.now() + 600}","sub":"u","iss":${JSON.stringify(i.issuer)},"exp":${i.now() - 900}}`), bad(E.EXPIRED_TOKEN)),
  adv(NAIVE, '"iss" as a string value before the claim', 'a value equal to "iss" is not the iss member', 'RS256', (i) => raw(i, RS_HEADER, `{"k":"iss","sub":"u","iss":"https://evil.test","exp":${i.now() + 600}}`), bad(E.INVALID_ISSUER)),
  adv(NAIVE, '"exp" as a string value before the claim, token valid', 'a value equal to "exp" is not the exp member: valid (the library reads the value first; JS decides)', 'RS256', (i) => raw(i, RS_HEADER, `{"k":"exp","sub":"u","iss":${JSON.stringify(i.issuer)},"exp":${i.now() + 600}}`), ok),
  adv(NAIVE, '"exp" as a string value, token expired', 'the top-level exp counts: expired, as on every backend (the library would say exp is missing)', 'RS256', (i) => raw(i, RS_HEADER, `{"k":"exp","sub":"u","iss":${JSON.stringify(i.issuer)},"exp":${i.now() - 900}}`), bad(E.EXPIRED_TOKEN)),
  adv(NAIVE, '"iss" as a string value before the right iss', 'a value equal to "iss" is not the iss member: valid', 'RS256', (i) => raw(i, RS_HEADER, `{"k":"iss","sub":"u","iss":${JSON.stringify(i.issuer)},"exp":${i.now() + 600}}`), ok),
  adv(NAIVE, '"exp" in an array before the claim', 'amr ["exp"] is data: valid', 'RS256', (i) => raw(i, RS_HEADER, `{"amr":["exp"],"sub":"u","iss":${JSON.stringify(i.issuer)},"exp":${i.now() + 600}}`), ok),
  adv(NAIVE, 'sub equal to "exp"', 'a subject named exp is data: valid', 'RS256', (i) => raw(i, RS_HEADER, `{"sub":"exp","iss":${JSON.stringify(i.issuer)},"exp":${i.now() + 600}}`), ok),
  adv(NAIVE, '"aud" as a string value before the right aud', 'a value equal to "aud" is not the aud member: valid', 'RS256', (i) => raw(i, RS_HEADER, claimsText(i, '"k":"aud","aud":"api://mcp"')), ok, { options: AUDIENCE }),
  adv(NAIVE, 'aud array with a ] inside a string before the audience', 'the ] is part of the string: valid', 'RS256', (i) => raw(i, RS_HEADER, claimsText(i, '"aud":["a]","api://mcp"]')), ok, { options: AUDIENCE }),
  adv(NAIVE, 'exp name escaped (\\u0065xp) and the only exp', 'the escaped name is exp: valid (native finds no "exp" text; JS decides)', 'RS256', (i) => raw(i, RS_HEADER, `{"sub":"u","iss":${JSON.stringify(i.issuer)},"\\u0065xp":${i.now() + 600}}`), ok),
  adv(NAIVE, 'exp name escaped (\\u0065xp), kid unknown', 'no key has that kid: the key miss, as for any complete token (native finds no "exp" text and would say it is missing)', 'RS256', (i) => raw(i, '{"alg":"RS256","kid":"no-such-key"}', `{"sub":"u","iss":${JSON.stringify(i.issuer)},"\\u0065xp":${i.now() + 600}}`), bad(E.INVALID_KEY)),
  adv(NAIVE, 'sub name escaped (\\u0073ub), kid unknown', 'no key has that kid: the key miss (native finds no "sub" text and would say it is missing)', 'RS256', (i) => raw(i, '{"alg":"RS256","kid":"no-such-key"}', `{"\\u0073ub":"u","iss":${JSON.stringify(i.issuer)},"exp":${i.now() + 600}}`), bad(E.INVALID_KEY)),
  adv(NAIVE, 'escaped exp name plus plain exp', 'they are the same member twice: refused', 'RS256', (i) => raw(i, RS_HEADER, `{"sub":"u","iss":${JSON.stringify(i.issuer)},"\\u0065xp":${i.now() - 900},"exp":${i.now() + 600}}`), bad(E.INVALID_TOKEN)),
  adv(NAIVE, 'duplicate nbf', 'duplicate claims are refused', 'RS256', (i) => raw(i, RS_HEADER, claimsText(i, `"nbf":${i.now() + 900},"nbf":${i.now() - 900}`)), bad(E.INVALID_TOKEN)),
  adv(NAIVE, 'duplicate scope, granting one first', 'duplicate claims are refused', 'RS256', (i) => raw(i, RS_HEADER, claimsText(i, '"scope":"mcp:admin","scope":"none"')), bad(E.INVALID_TOKEN), { options: ADMIN }),
  adv(NAIVE, 'duplicate iss, right one second', 'duplicate claims are refused', 'RS256', (i) => raw(i, RS_HEADER, `{"sub":"u","iss":"https://evil.test","iss":${JSON.stringify(i.issuer)},"exp":${i.now() + 600}}`), bad(E.INVALID_TOKEN)),
  adv(NAIVE, 'deeply nested claim (20,000 levels)', 'depth does not crash either parser; the token is valid', 'RS256', (i) => raw(i, RS_HEADER, claimsText(i, `"deep":${'['.repeat(20000)}${']'.repeat(20000)}`)), ok),
];
