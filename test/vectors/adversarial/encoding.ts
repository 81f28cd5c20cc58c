/** RFC 7515 §2/§7.1 and RFC 8725 §3.6: encoding tricks, whitespace, segment counts, sizes. */
import { MAX_TOKEN_LENGTH } from '../../../src/backends/js/index.js';
import { signJws, type TestIssuer } from '../../support/issuer.js';
import { E, RS_HEADER, adv, b64url, bad, claimsText, ok, parts, raw, withSegments, type AdversarialCase } from './helpers.js';

const ENC = 'native: encoding' as const;
const UTF8 = '8725 §3.6 UTF-8' as const;
const SIZE = 'native: size' as const;

/** A signed token whose `segment` contains '-' or '_', that segment rewritten in standard base64. */
function standardBase64(i: TestIssuer, segment: 0 | 1): string {
  for (let n = 0; ; n++) {
    const t = i.sign({ header: { x: `${n}~~~???>>>` }, claims: { note: `~~~???>>>${n}` } });
    const p = parts(t);
    if (/[-_]/.test(p[segment])) {
      p[segment] = Buffer.from(p[segment], 'base64url').toString('base64').replace(/=+$/, '');
      return p.join('.');
    }
  }
}

/** Alters the unused low bits of the last base64url character of the signature (same bytes). */
function nonCanonicalSignature(token: string): string {
  const [h, p, s] = parts(token);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(s[s.length - 1] ?? 'A');
  const spare = s.length % 4 === 2 ? 0x0f : 0x03; // 2 chars → 4 unused bits, 3 chars → 2 unused bits
  const altered = alphabet[(last & ~spare) | (~last & spare)] ?? 'A';
  return `${h}.${p}.${s.slice(0, -1)}${altered}`;
}

/** A genuinely signed token of exactly `length` characters (padding claim sized to fit). */
function tokenOfLength(i: TestIssuer, length: number): string {
  let pad = Math.max(0, Math.floor((length - 600) * 0.75));
  for (let step = 0; step < 64; step++) {
    const t = i.sign({ claims: { pad: 'x'.repeat(pad) } });
    if (t.length === length) return t;
    pad += t.length < length ? 1 : -1;
    if (Math.abs(t.length - length) > 4) pad += Math.round((length - t.length) * 0.75);
  }
  // Base64 grows in steps of 4: fall back to padding the kid by one character at a time.
  for (let extra = 0; extra < 8; extra++) {
    for (let p = pad - 8; p <= pad + 8; p++) {
      const t = i.sign({ kid: 'rsa2048', header: { x: 'y'.repeat(extra) }, claims: { pad: 'x'.repeat(p) } });
      if (t.length === length) return t;
    }
  }
  throw new Error(`could not build a token of ${length} characters`);
}

export const ENCODING_TRICKS: AdversarialCase[] = [
  adv(ENC, 'header in standard base64 (+ or /)', 'base64url only', 'RS256', (i) => standardBase64(i, 0), bad(E.INVALID_TOKEN), { headerUnreadable: true }),
  adv(ENC, 'payload in standard base64 (+ or /)', 'base64url only (the signature covers the url-safe text)', 'RS256', (i) => standardBase64(i, 1), bad(E.INVALID_TOKEN)),
  adv(ENC, 'signature with non-canonical trailing bits', 'one signature has one spelling (RFC 4648 §3.5): else one token has several texts, and the verdict cache or a revocation list keyed by token text can be sidestepped (the native library accepts it; the re-check refuses)', 'RS256', (i) => nonCanonicalSignature(i.sign()), bad(E.INVALID_TOKEN)),
  adv(ENC, 'payload with non-canonical trailing bits', 'the signature covers the exact payload text', 'RS256', (i) => {
    for (let n = 0; ; n++) {
      const t = i.sign({ claims: { n } });
      const [, p] = parts(t);
      if (p.length % 4 === 2 || p.length % 4 === 3) return withSegments(t, { p: nonCanonicalSignature(`a.b.${p}`).split('.')[2] });
    }
  }, bad(E.INVALID_TOKEN)),
  adv(ENC, 'padding inside the signature', 'no = anywhere', 'RS256', (i) => { const [h, p, s] = parts(i.sign()); return `${h}.${p}.${s.slice(0, 8)}=${s.slice(8)}`; }, bad(E.INVALID_TOKEN)),
  adv(ENC, 'signature segment of length 4n+1', 'not a valid base64url length', 'RS256', (i) => { const [h, p, s] = parts(i.sign()); return `${h}.${p}.${s}${s.length % 4 === 1 ? '' : 'A'.repeat((5 - (s.length % 4)) % 4 || 4)}`; }, bad(E.INVALID_TOKEN)),
  adv(ENC, 'leading space', 'no whitespace anywhere', 'RS256', (i) => ` ${i.sign()}`, bad(E.INVALID_TOKEN), { headerUnreadable: true }),
  adv(ENC, 'newline inside the payload segment', 'no whitespace anywhere', 'RS256', (i) => { const [h, p, s] = parts(i.sign()); return `${h}.${p.slice(0, 10)}\n${p.slice(10)}.${s}`; }, bad(E.INVALID_TOKEN)),
  adv(ENC, 'tab before the signature', 'no whitespace anywhere', 'RS256', (i) => { const [h, p, s] = parts(i.sign()); return `${h}.${p}.\t${s}`; }, bad(E.INVALID_TOKEN)),
  adv(ENC, 'CRLF at the end', 'no whitespace anywhere', 'RS256', (i) => `${i.sign()}\r\n`, bad(E.INVALID_TOKEN)),
  adv(ENC, '"Bearer " prefix left on the token', 'the scheme is not part of the token', 'RS256', (i) => `Bearer ${i.sign()}`, bad(E.INVALID_TOKEN), { headerUnreadable: true }),
  adv(ENC, 'percent-encoded dots', 'tokens are not URL-decoded', 'RS256', (i) => i.sign().replace(/\./g, '%2E'), bad(E.INVALID_TOKEN), { headerUnreadable: true }),
  adv(ENC, 'empty header segment', 'segments must not be empty', 'RS256', (i) => withSegments(i.sign(), { h: '' }), bad(E.INVALID_TOKEN), { headerUnreadable: true }),
  adv(ENC, 'empty signature segment', 'segments must not be empty (an RS256 "none" in disguise)', 'RS256', (i) => withSegments(i.sign(), { s: '' }), bad(E.INVALID_TOKEN)),
  adv(ENC, 'only dots', 'nothing is not a token', '', () => '..', bad(E.INVALID_TOKEN)),
  adv(ENC, 'five segments of a signed token', 'a JWS has exactly three segments', 'RS256', (i) => `${i.sign()}.AAAA.AAAA`, bad(E.INVALID_TOKEN)),
  adv(ENC, 'dot at the end of a signed token', 'a JWS has exactly three segments', 'RS256', (i) => `${i.sign()}.`, bad(E.INVALID_TOKEN)),
  adv(ENC, 'NUL byte inside the token', 'C strings would truncate here: refused before the native call', 'RS256', (i) => { const t = i.sign(); return `${t}\u0000${t}`; }, bad(E.INVALID_TOKEN)),
  adv(ENC, 'NUL byte between header and payload', 'refused before the native call', 'RS256', (i) => { const [h, p, s] = parts(i.sign()); return `${h}\u0000.${p}.${s}`; }, bad(E.INVALID_TOKEN), { headerUnreadable: true }),
  adv(ENC, 'non-ASCII letters in the signature', 'base64url only', 'RS256', (i) => { const [h, p, s] = parts(i.sign()); return `${h}.${p}.${s.slice(0, -2)}éé`; }, bad(E.INVALID_TOKEN)),
  adv(ENC, 'JSON with a comment in the payload', 'claims are strict JSON', 'RS256', (i) => raw(i, RS_HEADER, claimsText(i).replace('{', '{/* c */')), bad(E.INVALID_TOKEN)),
  adv(ENC, 'JSON with single quotes', 'claims are strict JSON', 'RS256', (i) => raw(i, RS_HEADER, claimsText(i).replace('"sub":"user-123"', "'sub':'user-123'")), bad(E.INVALID_TOKEN)),
  adv(ENC, 'JSON with a trailing comma', 'claims are strict JSON', 'RS256', (i) => raw(i, RS_HEADER, claimsText(i).replace(/}$/, ',}')), bad(E.INVALID_TOKEN)),
  adv(ENC, 'header with a trailing comma', 'headers are strict JSON', 'RS256', (i) => raw(i, '{"alg":"RS256","kid":"rsa2048",}', claimsText(i)), bad(E.INVALID_TOKEN)),
  adv(ENC, 'two JSON objects in the payload', 'one JSON object, nothing after', 'RS256', (i) => raw(i, RS_HEADER, `${claimsText(i)}{"sub":"admin"}`), bad(E.INVALID_TOKEN)),
  adv(ENC, 'insignificant whitespace in header and payload JSON', 'JSON whitespace is fine: valid', 'RS256', (i) => raw(i, '{ "alg" : "RS256" ,\n "kid" : "rsa2048" }', claimsText(i).replace(/,/g, ' ,\n\t')), ok),
  adv(UTF8, 'UTF-8 BOM before the header JSON', 'JSON text has no BOM (RFC 8259 §8.1)', 'RS256', (i) => raw(i, `\ufeff${RS_HEADER}`, claimsText(i)), bad(E.INVALID_TOKEN), { headerUnreadable: true }),
  adv(UTF8, 'UTF-8 BOM before the payload JSON', 'JSON text has no BOM', 'RS256', (i) => raw(i, RS_HEADER, `\ufeff${claimsText(i)}`), bad(E.INVALID_TOKEN)),
  adv(UTF8, 'invalid UTF-8 in the payload', 'claims must be valid UTF-8', 'RS256', (i) => {
    const payload = Buffer.concat([Buffer.from(claimsText(i).slice(0, -1)), Buffer.from(',"x":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    const input = `${b64url(RS_HEADER)}.${payload.toString('base64url')}`;
    return `${input}.${signRs(i, input)}`;
  }, bad(E.INVALID_TOKEN)),
  adv(UTF8, 'payload in UTF-16', 'claims are UTF-8 JSON', 'RS256', (i) => {
    const input = `${b64url(RS_HEADER)}.${Buffer.from(claimsText(i), 'utf16le').toString('base64url')}`;
    return `${input}.${signRs(i, input)}`;
  }, bad(E.INVALID_TOKEN)),
  adv(UTF8, 'non-ASCII subject', 'UTF-8 claims are fine: valid', 'RS256', (i) => i.sign({ claims: { sub: 'ユーザー-😀' } }), ok),
  adv(SIZE, 'token of exactly the length limit', `a genuinely signed token of ${MAX_TOKEN_LENGTH} characters is accepted`, 'RS256', (i) => tokenOfLength(i, MAX_TOKEN_LENGTH), ok),
  adv(SIZE, 'token one character over the limit', 'size is bounded before any parsing', 'RS256', (i) => tokenOfLength(i, MAX_TOKEN_LENGTH + 1), bad(E.INVALID_TOKEN)),
  adv(SIZE, '1 MiB token, genuinely signed', 'size is bounded (the native library alone would accept it)', 'RS256', (i) => i.sign({ claims: { pad: 'x'.repeat(768 * 1024) } }), bad(E.INVALID_TOKEN)),
  adv(SIZE, '10 MiB token, genuinely signed', 'size is bounded before the native parser spends a second on it', 'RS256', (i) => i.sign({ claims: { pad: 'x'.repeat(7680 * 1024) } }), bad(E.INVALID_TOKEN)),
  adv(SIZE, '1 MiB of base64url without dots', 'no structure, refused at once', '', () => 'A'.repeat(1024 * 1024), bad(E.INVALID_TOKEN)),
  adv(SIZE, '1 MiB of dots', 'no structure, refused at once', '', () => '.'.repeat(1024 * 1024), bad(E.INVALID_TOKEN)),
  adv(SIZE, '1 MiB header segment', 'size is bounded whatever segment is large', 'RS256', (i) => i.sign({ header: { pad: 'x'.repeat(768 * 1024) } }), bad(E.INVALID_TOKEN)),
];

/** RS256 over an exact signing input (for payload bytes TestIssuer cannot express as text). */
function signRs(i: TestIssuer, input: string): string {
  return b64url(signJws('RS256', input, i.key('rsa2048').privateKey));
}
