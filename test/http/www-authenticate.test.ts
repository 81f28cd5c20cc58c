import { describe, expect, it } from 'vitest';
import { GopherAuthError, GopherAuthException } from '../../src/core/errors.js';
import {
  buildChallenge,
  formatScopes,
  gopherGenerateWwwAuthenticateHeader,
  gopherGenerateWwwAuthenticateHeaderV2,
  quoteHeaderValue,
} from '../../src/core/www-authenticate.js';

const PRM = 'https://api.example/.well-known/oauth-protected-resource/mcp';

function refusal(fn: () => unknown): GopherAuthException {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(GopherAuthException);
    return error as GopherAuthException;
  }
  throw new Error('expected a GopherAuthException');
}

describe('RFC 6750 builder', () => {
  it('uses comma-separated quoted parameters', () => {
    expect(gopherGenerateWwwAuthenticateHeader('mcp', 'invalid_token', 'The access token expired')).toBe(
      'Bearer realm="mcp", error="invalid_token", error_description="The access token expired"',
    );
  });

  it('omits empty parts', () => {
    expect(gopherGenerateWwwAuthenticateHeader('mcp')).toBe('Bearer realm="mcp"');
    expect(gopherGenerateWwwAuthenticateHeader('', 'invalid_request', '')).toBe('Bearer error="invalid_request"');
    expect(gopherGenerateWwwAuthenticateHeader('', null, null)).toBe('Bearer');
  });

  it('escapes quotes and backslashes inside quoted-strings', () => {
    expect(gopherGenerateWwwAuthenticateHeader('a "b" \\c', 'invalid_token', "say 'hi'")).toBe(
      'Bearer realm="a \\"b\\" \\\\c", error="invalid_token", error_description="say \'hi\'"',
    );
  });

  it('refuses " and \\ in error_description, which RFC 6750 §3 excludes even escaped', () => {
    for (const description of ['say "hi"', 'back\\slash']) {
      expect(refusal(() => gopherGenerateWwwAuthenticateHeader('r', 'invalid_token', description)).code).toBe(GopherAuthError.INVALID_PARAMETER);
      expect(refusal(() => gopherGenerateWwwAuthenticateHeaderV2({ resourceMetadata: PRM, error: 'invalid_token', errorDescription: description })).code).toBe(
        GopherAuthError.INVALID_PARAMETER,
      );
    }
  });

  it('refuses a resource_metadata that is not an absolute http(s) URL', () => {
    for (const resourceMetadata of ['javascript:alert(1)', '/.well-known/oauth-protected-resource', 'ftp://x/prm']) {
      expect(refusal(() => gopherGenerateWwwAuthenticateHeaderV2({ resourceMetadata })).code).toBe(GopherAuthError.INVALID_PARAMETER);
    }
  });

  it.each(['x\r\nSet-Cookie: a=b', 'x\n', 'x\r', 'nul\u0000', 'tab\t', 'del\u007f', 'caf\u00e9'])(
    'refuses control and non-ASCII characters (%j)',
    (value) => {
      expect(refusal(() => gopherGenerateWwwAuthenticateHeader(value)).code).toBe(GopherAuthError.INVALID_PARAMETER);
      expect(refusal(() => gopherGenerateWwwAuthenticateHeader('r', 'invalid_token', value)).code).toBe(
        GopherAuthError.INVALID_PARAMETER,
      );
    },
  );

  it('refuses an error code that is not a token', () => {
    refusal(() => gopherGenerateWwwAuthenticateHeader('r', 'invalid token'));
    refusal(() => gopherGenerateWwwAuthenticateHeader('r', 'bad"code'));
  });
});

describe('RFC 9728 builder', () => {
  it('puts resource_metadata in every challenge, without error when none is given', () => {
    expect(gopherGenerateWwwAuthenticateHeaderV2({ resourceMetadata: PRM })).toBe(`Bearer resource_metadata="${PRM}"`);
  });

  it('orders realm, error, error_description, scope, resource_metadata', () => {
    expect(
      gopherGenerateWwwAuthenticateHeaderV2({
        realm: 'mcp',
        resourceMetadata: PRM,
        scopes: ['mcp:read', 'mcp:admin'],
        error: 'insufficient_scope',
        errorDescription: 'need more',
      }),
    ).toBe(
      `Bearer realm="mcp", error="insufficient_scope", error_description="need more", scope="mcp:read mcp:admin", resource_metadata="${PRM}"`,
    );
  });

  it('accepts scopes as a string, dropping empties and duplicates', () => {
    expect(gopherGenerateWwwAuthenticateHeaderV2({ resourceMetadata: PRM, scopes: 'a  b a', error: 'insufficient_scope' })).toBe(
      `Bearer error="insufficient_scope", scope="a b", resource_metadata="${PRM}"`,
    );
    expect(formatScopes(['x', '', 'x', 'y'])).toBe('x y');
  });

  it('refuses a missing resource_metadata and injected values', () => {
    refusal(() => gopherGenerateWwwAuthenticateHeaderV2({ resourceMetadata: '' }));
    refusal(() => gopherGenerateWwwAuthenticateHeaderV2({ resourceMetadata: `${PRM}"\r\nX-Evil: 1` }));
    refusal(() => gopherGenerateWwwAuthenticateHeaderV2({ resourceMetadata: PRM, scopes: ['a"b'] }));
    refusal(() => gopherGenerateWwwAuthenticateHeaderV2({ resourceMetadata: PRM, scopes: ['a\\b'] }));
    refusal(() => gopherGenerateWwwAuthenticateHeaderV2({ resourceMetadata: PRM, scopes: ['ok', 'new\nline'] }));
    refusal(() => gopherGenerateWwwAuthenticateHeaderV2({ resourceMetadata: PRM, errorDescription: 'a\r\nb' }));
  });

  it('output is always a single header line that Node accepts', () => {
    const value = gopherGenerateWwwAuthenticateHeaderV2({
      resourceMetadata: PRM,
      error: 'invalid_token',
      realm: 'quote " and backslash \\ survive',
      errorDescription: "apostrophes, <brackets> and {braces} are fine",
    });
    expect(value).not.toMatch(/[\r\n]/);
    expect(() => new Headers({ 'www-authenticate': value })).not.toThrow();
    expect(value).toContain('realm="quote \\" and backslash \\\\ survive"');
  });
});

describe('generic challenge', () => {
  it('quotes and validates names and scheme', () => {
    expect(buildChallenge('DPoP', [{ name: 'algs', value: 'ES256 PS256' }])).toBe('DPoP algs="ES256 PS256"');
    refusal(() => buildChallenge('Bad Scheme', []));
    refusal(() => buildChallenge('Bearer', [{ name: 'a=b', value: 'x' }]));
    expect(quoteHeaderValue('')).toBe('""');
  });
});
