import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GopherAuthException } from '../../src/core/errors.js';
import { gopherGenerateWwwAuthenticateHeaderV2 } from '../../src/core/www-authenticate.js';

/** RFC 7235 auth-param list parser (quoted-string values only, as the builder emits). */
function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const scheme = /^[A-Za-z]+/.exec(header)![0];
  const params: Record<string, string> = {};
  let i = scheme.length;
  while (i < header.length) {
    const m = /^(?:, | )([a-z_]+)="/.exec(header.slice(i));
    if (!m) throw new Error(`unparsable at ${i}: ${header.slice(i, i + 20)}`);
    i += m[0].length;
    let value = '';
    for (;;) {
      const c = header[i++];
      if (c === undefined) throw new Error('unterminated quoted-string');
      if (c === '"') break;
      if (c === '\\') {
        value += header[i++];
        continue;
      }
      value += c;
    }
    params[m[1]!] = value;
  }
  return { scheme, params };
}

const PRM = 'https://api.example/.well-known/oauth-protected-resource/mcp';

describe('WWW-Authenticate builder never lets a value escape its parameter', () => {
  it('any description either is refused or round-trips exactly', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ maxLength: 20 }), (description, realm) => {
        let header: string;
        try {
          header = gopherGenerateWwwAuthenticateHeaderV2({ resourceMetadata: PRM, realm, error: 'invalid_token', errorDescription: description });
        } catch (error) {
          expect(error).toBeInstanceOf(GopherAuthException);
          expect(/[^\x20-\x7E]/.test(description) || /[^\x20-\x7E]/.test(realm) || /["\\]/.test(description)).toBe(true);
          return;
        }
        expect(header).not.toMatch(/[\r\n\0]/);
        const parsed = parseChallenge(header);
        expect(parsed.scheme).toBe('Bearer');
        expect(parsed.params['resource_metadata']).toBe(PRM);
        expect(parsed.params['error']).toBe('invalid_token');
        if (description !== '') expect(parsed.params['error_description']).toBe(description);
        if (realm !== '') expect(parsed.params['realm']).toBe(realm);
        expect(Object.keys(parsed.params).sort()).toEqual(
          ['error', 'resource_metadata', ...(description !== '' ? ['error_description'] : []), ...(realm !== '' ? ['realm'] : [])].sort(),
        );
      }),
      { numRuns: 2000 },
    );
  });
});
