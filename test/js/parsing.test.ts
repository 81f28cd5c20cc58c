import { describe, expect, it } from 'vitest';
import { decodeBase64url, decodeBase64urlText } from '../../src/backends/js/base64url.js';
import { parseJsonObject } from '../../src/backends/js/json-object.js';

describe('strict base64url', () => {
  it('accepts the URL alphabet without padding', () => {
    expect(decodeBase64url('AQID-_8')?.toString('hex')).toBe('010203fbff');
    expect(decodeBase64urlText('eyJhIjoxfQ')).toBe('{"a":1}');
  });

  it.each([
    ['padding', 'eyJhIjoxfQ=='],
    ['standard alphabet +', 'a+b'],
    ['standard alphabet /', 'a/b0'],
    ['whitespace', 'eyJh IjoxfQ'],
    ['newline', 'eyJh\nIjoxfQ'],
    ['impossible length', 'abcde'],
    ['empty', ''],
    ['padding in the middle', 'ab=cdefg'],
    ['a NUL character', 'AAAA\u0000AAA'],
    ['a non-ASCII letter', 'eyJhIjoxfQé'],
    ['a dot', 'eyJ.IjoxfQ'],
    ['a percent-encoded character', 'eyJh%3DIjox'],
  ])('refuses %s', (_name, input) => {
    expect(decodeBase64url(input)).toBeNull();
  });

  it('agrees with the alphabet check on every single-character substitution', () => {
    const base = 'eyJzdWIiOiJ1c2VyIn0';
    for (let code = 0; code < 0x180; code++) {
      const ch = String.fromCharCode(code);
      const mutated = `${base.slice(0, 7)}${ch}${base.slice(8)}`;
      const inAlphabet = /^[A-Za-z0-9_-]$/.test(ch);
      expect(decodeBase64url(mutated) !== null, `U+${code.toString(16)}`).toBe(inAlphabet);
    }
  });

  it('refuses text that is not UTF-8', () => {
    expect(decodeBase64urlText(Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url'))).toBeNull();
  });
});

describe('strict JSON object parsing', () => {
  it('parses one object', () => {
    expect(parseJsonObject(' {"a":1,"b":{"a":2},"c":[{"a":3}]} ')).toEqual({ ok: true, value: { a: 1, b: { a: 2 }, c: [{ a: 3 }] } });
  });

  it('ignores member names inside nested objects, arrays and strings', () => {
    expect(parseJsonObject('{"exp":1,"x":{"exp":2,"exp":3},"y":[{"exp":4}],"s":"\\"exp\\":5"}').ok).toBe(true);
  });

  it.each([
    ['plain duplicate', '{"exp":1,"exp":2}', 'exp'],
    ['escaped duplicate', '{"sub":"a","\\u0073ub":"b"}', 'sub'],
    ['duplicate after nesting', '{"a":{"b":1},"c":"}{","a":2}', 'a'],
    ['duplicate with escaped quote in name', '{"a\\"b":1,"a\\"b":2}', 'a"b'],
    ['duplicate __proto__', '{"__proto__":1,"__proto__":2}', '__proto__'],
  ])('refuses a %s', (_name, text, name) => {
    expect(parseJsonObject(text)).toEqual({ ok: false, reason: 'duplicate', name });
  });

  it.each([
    ['trailing garbage', '{"a":1} x', 'syntax'],
    ['two objects', '{"a":1}{"b":2}', 'syntax'],
    ['byte order mark', '\ufeff{"a":1}', 'syntax'],
    ['array', '[1]', 'not-object'],
    ['null', 'null', 'not-object'],
    ['string', '"x"', 'not-object'],
  ])('refuses %s', (_name, text, reason) => {
    expect(parseJsonObject(text)).toMatchObject({ ok: false, reason });
  });
});
