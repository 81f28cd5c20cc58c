import { describe, expect, it } from 'vitest';
import { hasAllScopes, hasAnyScope, readTokenScopes } from '../../src/core/scopes.js';

describe('hasAllScopes', () => {
  it('strings and arrays on either side', () => {
    expect(hasAllScopes('openid mcp:read mcp:write', 'mcp:read mcp:write')).toBe(true);
    expect(hasAllScopes(['mcp:read'], ['mcp:read', 'mcp:write'])).toBe(false);
    expect(hasAllScopes('  mcp:read  mcp:write ', ['mcp:write'])).toBe(true);
    // RFC 6749 §3.3 separates scopes by spaces only: other whitespace is part of one (malformed) scope.
    for (const separator of ['\t', '\n', '\v', '\u00a0', '\u2028', '\u3000', '\ufeff']) {
      expect(hasAllScopes(`mcp:read${separator}mcp:admin`, ['mcp:admin'])).toBe(false);
    }
    expect(hasAllScopes('mcp:readonly', 'mcp:read')).toBe(false);
    expect(hasAllScopes('', '')).toBe(true);
    expect(hasAllScopes([], ['a'])).toBe(false);
  });
});

describe('hasAnyScope', () => {
  it('one is enough; an empty requirement is satisfied', () => {
    expect(hasAnyScope('a b', 'c b')).toBe(true);
    expect(hasAnyScope(['a'], ['b', 'c'])).toBe(false);
    expect(hasAnyScope('a', [])).toBe(true);
    expect(hasAnyScope('', 'a')).toBe(false);
  });
});

describe('a requirement that is not strings', () => {
  it('throws instead of dropping the entry and passing (a misspelt constant is undefined in plain JS)', () => {
    const SCOPES = { admin: 'mcp:admin' } as Record<string, string>;
    for (const check of [hasAllScopes, hasAnyScope]) {
      expect(() => check(['mcp:read'], [SCOPES.admni as string]), check.name).toThrow(/entry 0 is undefined/);
      expect(() => check(['mcp:read'], ['mcp:read', null as never]), check.name).toThrow(/entry 1 is null/);
      expect(() => check(['mcp:read'], undefined as never), check.name).toThrow(/got undefined/);
      expect(() => check(['mcp:read'], { scope: 'mcp:read' } as never), check.name).toThrow(/got object/);
    }
    // The available side is what a token holds: odd entries there are simply not scopes.
    expect(hasAllScopes(['mcp:read', 5 as never], ['mcp:read'])).toBe(true);
  });

  // An unset environment variable (`process.env.ADMIN_SCOPE ?? ''`) left a requirement that names no
  // scope, and every token passed `hasAllScopes(granted, [adminScope])`.
  it("throws for an entry that names no scope ('', spaces, not a scope-token); only '' and [] are empty", () => {
    for (const check of [hasAllScopes, hasAnyScope]) {
      expect(() => check([], [process.env.GOPHER_AUTH_TEST_UNSET_SCOPE ?? '']), check.name).toThrow(/entry 0 is ""/);
      expect(() => check(['mcp:read'], ['mcp:read', ' ']), check.name).toThrow(/entry 1 is " "/);
      expect(() => check(['mcp:read'], ['mcp:read mcp:admin']), check.name).toThrow(/entry 0 is "mcp:read mcp:admin"/);
      expect(() => check([], ' '), check.name).toThrow(/name no scope/);
      expect(() => check([], 'a "b"'), check.name).toThrow(/entry 1 is "\\"b\\""/);
      expect(() => check(null as never, ['a']), check.name).toThrow(/available scopes must be .* got null/);
    }
    expect(hasAllScopes([], '')).toBe(true);
    expect(hasAllScopes([], [])).toBe(true);
    expect(hasAnyScope([], '')).toBe(true);
  });
});

describe('readTokenScopes', () => {
  it('reads the first of scope (string), scp and scopes (string or array) the claims carry, never a merge', () => {
    expect(readTokenScopes({ scope: 'a b a', scp: ['b', 'c'], scopes: 'd a' })).toEqual(['a', 'b']);
    expect(readTokenScopes({ scp: ['b', 'c', 'b'], scopes: 'd a' })).toEqual(['b', 'c']);
    expect(readTokenScopes({ scp: 'x y' })).toEqual(['x', 'y']);
    expect(readTokenScopes({ scopes: ['x', 5, ''] })).toEqual(['x']);
    // Present decides, even when empty or of the wrong type: `scope` is a string per RFC 9068.
    expect(readTokenScopes({ scope: '', scp: ['a'] })).toEqual([]);
    expect(readTokenScopes({ scope: ['a'], scp: ['a'] })).toEqual([]);
    expect(readTokenScopes({ scp: { a: true }, scopes: 'a' })).toEqual([]);
    expect(readTokenScopes({ scope: ['a'] })).toEqual([]);
    expect(readTokenScopes({ nested: { scope: 'a' } })).toEqual([]);
    expect(readTokenScopes({ scope: 'a\tb c' })).toEqual(['a\tb', 'c']);
  });
});
