import { describe, expect, it } from 'vitest';
import { corsHeaders, isPreflight, preflightHeaders } from '../../src/http/cors.js';

describe('CORS headers', () => {
  it("'*' allows any origin and exposes the MCP/auth headers", () => {
    const h = corsHeaders({ origin: '*', maxAge: 600 }, 'https://a.example');
    expect(h['access-control-allow-origin']).toBe('*');
    expect(h['access-control-expose-headers']).toBe('WWW-Authenticate, Mcp-Session-Id, Mcp-Protocol-Version, Retry-After');
  });

  it('an origin list echoes allowed origins only, always with Vary', () => {
    const cors = { origin: ['https://app.example'], maxAge: 60 } as const;
    expect(corsHeaders(cors, 'https://app.example')).toMatchObject({ vary: 'Origin', 'access-control-allow-origin': 'https://app.example' });
    expect(corsHeaders(cors, 'https://evil.example')).toEqual({ vary: 'Origin' });
    expect(preflightHeaders(cors, 'https://evil.example')).toEqual({ vary: 'Origin' });
    const pre = preflightHeaders(cors, 'https://app.example');
    expect(pre['access-control-allow-headers']).toContain('Authorization');
    expect(pre['access-control-allow-headers']).toContain('Mcp-Protocol-Version');
    // Any other header (Mcp-Param-* mirrored tool parameters, traceparent) through the wildcard,
    // which covers everything but Authorization — named explicitly.
    expect(pre['access-control-allow-headers']?.split(', ')).toEqual(expect.arrayContaining(['*', 'Authorization']));
    expect(pre['access-control-allow-methods']).toBe('GET, POST, DELETE, OPTIONS');
    expect(pre['access-control-max-age']).toBe('60');
  });

  it('disabled CORS adds nothing; preflight needs Access-Control-Request-Method', () => {
    expect(corsHeaders(null, 'https://a.example')).toEqual({});
    expect(isPreflight('OPTIONS', 'POST')).toBe(true);
    expect(isPreflight('OPTIONS', null)).toBe(false);
    expect(isPreflight('POST', 'POST')).toBe(false);
  });
});
