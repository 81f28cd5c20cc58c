import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64url, decodeBase64urlText, isBase64url } from '../../src/backends/js/base64url.js';

/** The rule itself (RFC 7515 §2, no padding; RFC 4648 §3.5 canonical: re-encoding gives it back), written the obvious way. */
const ALPHABET = /^[A-Za-z0-9_-]+$/;
const reference = (s: string): Buffer | null =>
  s.length % 4 !== 1 && ALPHABET.test(s) && Buffer.from(s, 'base64url').toString('base64url') === s ? Buffer.from(s, 'base64url') : null;

describe('strict base64url decoding', () => {
  it.each([
    ['', null],
    ['Q', null],
    ['QQ', 'A'],
    ['QUI', 'AB'],
    ['QUJD', 'ABC'],
    ['QQ==', null],
    ['QQ=A', null],
    ['QUJD=', null],
    ['QU+D', null],
    ['QU/D', null],
    ['QU JD', null],
    ['QU\nJD', null],
    ['QU\u0000D', null],
    // Code units whose low byte is an alphabet character must not pass as that character.
    ['QU\u0141D', null],
    ['\uff21QJD', null],
    ['-_-_', Buffer.from('-_-_', 'base64url').toString('latin1')],
    // Non-canonical endings: the unused low bits of the last character must be zero.
    ['QR', null],
    ['QUJ', null],
    ['QUK', null],
    ['QUI', 'AB'],
    ['QUJDRA', 'ABCD'],
    ['QUJDRB', null],
  ])('%j → %j', (input, expected) => {
    const decoded = decodeBase64url(input);
    expect(decoded === null ? null : decoded.toString('latin1')).toBe(expected);
    expect(isBase64url(input)).toBe(expected !== null);
  });

  it('agrees with the alphabet rule on arbitrary strings', () => {
    const alphabetChar = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');
    const oddChar = fc.oneof(fc.constantFrom('+', '/', '=', ' ', '.', '\n', '\t', '%', '\u0000', '\u00e9', '\u0141', '\u0241', '\uff21'), fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }));
    const text = fc.array(fc.oneof({ weight: 12, arbitrary: alphabetChar }, { weight: 1, arbitrary: oddChar }), { maxLength: 40 }).map((chars) => chars.join(''));
    fc.assert(
      fc.property(text, (s) => {
        const ours = decodeBase64url(s);
        const expected = reference(s);
        expect(ours === null).toBe(expected === null);
        if (ours !== null && expected !== null) expect(ours.equals(expected)).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });

  it('refuses invalid UTF-8 as text', () => {
    expect(decodeBase64urlText(Buffer.from([0xc3, 0x28]).toString('base64url'))).toBeNull();
    expect(decodeBase64urlText(Buffer.from('{"a":"é"}').toString('base64url'))).toBe('{"a":"é"}');
  });
});
