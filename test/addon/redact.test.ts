import { describe, expect, it } from 'vitest';
import { redactLine, tokenSubject } from '../../src/backends/native/addon-redact.js';

const token = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

describe('redaction of native log lines', () => {
  it('redacts sub=..., "sub":"..." and subject: ... forms', () => {
    expect(redactLine('[GopherAuth] Token validated successfully for sub=alice@example.com')).toBe(
      '[GopherAuth] Token validated successfully for sub=[redacted]',
    );
    expect(redactLine('payload {"iss":"x","sub" : "bob \\"b\\"","exp":1}')).toBe('payload {"iss":"x","sub" : "[redacted]","exp":1}');
    // Everything after sub=/subject: goes: the subject may hold spaces, commas or JSON escapes.
    expect(redactLine('Subject: carol, scope=read')).toBe('Subject: [redacted]');
    expect(redactLine('[JwksClient] Using cached JWKS (expires in 10s, 1 keys)')).toBe(
      '[JwksClient] Using cached JWKS (expires in 10s, 1 keys)',
    );
  });

  it('redacts the token\'s own subject wherever it appears, spaces included', () => {
    const subject = tokenSubject(token({ sub: 'dave with spaces' }));
    expect(subject).toBe('dave with spaces');
    expect(redactLine('ok for sub=dave with spaces (cached)', subject)).toBe('ok for sub=[redacted]');
    expect(redactLine('user dave with spaces logged', subject)).toBe('user [redacted] logged');
  });

  it('redacts subjects the library prints as raw JSON text (escapes, nested actor subjects)', () => {
    for (const [raw, claims] of [
      ['Garc\\u00eda L\\u00f3pez', { sub: 'García López' }],
      ['users\\/Jane Q Public', { sub: 'users/Jane Q Public' }],
      ['agent 7', { sub: 'user-1', act: { sub: 'agent 7' } }],
    ] as const) {
      const line = `[GopherAuth] Token validated successfully for sub=${raw}`;
      const out = redactLine(line, tokenSubject(token(claims)));
      expect(out).toBe('[GopherAuth] Token validated successfully for sub=[redacted]');
    }
  });

  it('escapes control characters and bidi overrides, keeping the rest of Unicode', () => {
    expect(redactLine('[GopherAuth] \u2705 kid=a\u001b[2J\rb\u0085c\u202ed\u007f')).toBe('[GopherAuth] \u2705 kid=a\\u001b[2J\\u000db\\u0085c\\u202ed\\u007f');
  });

  it('a subject with a line break, printed by the library as two lines, is redacted in both', () => {
    // JSON.parse refuses raw control characters in a string; the library does not, and prints them.
    const raw = `e30.${Buffer.from('{"sub":"alice\r\nsecret-part","exp":1}').toString('base64url')}.sig`;
    const subject = tokenSubject(raw);
    expect(subject).toBe('alice\r\nsecret-part');
    const lines = '[GopherAuth] Token validated successfully for sub=alice\r\nsecret-part (cached)'.split('\n');
    expect(lines.map((line) => redactLine(line, subject))).toEqual(['[GopherAuth] Token validated successfully for sub=[redacted]', '[redacted] (cached)']);
  });

  it('a raw U+2028 or U+2029 in the subject (valid JSON) neither stops the redaction nor reaches the logger', () => {
    for (const separator of ['\u2028', '\u2029']) {
      // The library prints the claim's raw text: escapes stay escapes, so the decoded subject does not match.
      const line = `[GopherAuth] Token validated successfully for sub=al\\u0069ce${separator}se\\u0063ret-tail`;
      const out = redactLine(line, `alice${separator}secret-tail`);
      expect(out).toBe('[GopherAuth] Token validated successfully for sub=[redacted]');
      expect(redactLine(`before${separator}after`)).toBe(`before\\u${separator.charCodeAt(0).toString(16)}after`);
    }
  });

  it('reads no subject from malformed tokens', () => {
    expect(tokenSubject('not-a-token')).toBeNull();
    expect(tokenSubject('a.%%%.c')).toBeNull();
    expect(tokenSubject(token({ sub: 42 }))).toBeNull();
  });
});
