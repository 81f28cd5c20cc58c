import { describe, expect, it } from 'vitest';
import { extractBearerToken } from '../../src/http/token.js';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';

function kindOf(result: ReturnType<typeof extractBearerToken>): string {
  return 'token' in result ? `token:${result.token}` : result.error.kind;
}

describe('bearer token extraction', () => {
  it.each([
    [`Bearer ${JWT}`, `token:${JWT}`],
    [`bearer ${JWT}`, `token:${JWT}`],
    [`BEARER   ${JWT}`, `token:${JWT}`],
    [`  Bearer ${JWT}  `, `token:${JWT}`],
    ['Bearer abc==', 'token:abc=='],
    ['Basic dXNlcjpwYXNz', 'missing_token'],
    ['Bearer', 'invalid_request'],
    ['Bearer ', 'invalid_request'],
    ['', 'invalid_request'],
    [`Bearer ${JWT} extra`, 'invalid_request'],
    [`Bearer "${JWT}"`, 'invalid_request'],
    [`Bearer ${JWT}, Bearer ${JWT}`, 'invalid_request'],
    [`Bearer a=b`, 'invalid_request'],
  ])('%j → %s', (header, expected) => {
    expect(kindOf(extractBearerToken([header], ''))).toBe(expected);
  });

  it('no header is a missing token', () => {
    expect(kindOf(extractBearerToken(undefined, ''))).toBe('missing_token');
    expect(kindOf(extractBearerToken([], '?x=1'))).toBe('missing_token');
  });

  it('two Authorization headers are refused even when both are valid', () => {
    const result = extractBearerToken([`Bearer ${JWT}`, `Bearer ${JWT}`], '');
    expect(kindOf(result)).toBe('invalid_request');
  });

  it('a query-string token is refused, with or without a header', () => {
    expect(kindOf(extractBearerToken(undefined, `?access_token=${JWT}`))).toBe('invalid_request');
    expect(kindOf(extractBearerToken([`Bearer ${JWT}`], `a=1&access_token=${JWT}`))).toBe('invalid_request');
    const result = extractBearerToken(undefined, `?access_token=${JWT}`);
    expect('error' in result && result.error.description).toMatch(/URL/);
  });
});
