import { describe, expect, it } from 'vitest';
import { GopherAuthError, GopherAuthException } from '../../src/core/errors.js';
import { resolveAuthConfig, type GopherAuthConfig } from '../../src/http/config.js';

const base: GopherAuthConfig = {
  resource: 'https://api.example/mcp',
  issuer: 'https://as.example/realms/demo',
  jwksUri: 'https://as.example/realms/demo/certs',
};

function refused(config: Partial<GopherAuthConfig> & Record<string, unknown>): string {
  try {
    resolveAuthConfig({ ...base, ...config } as GopherAuthConfig);
  } catch (error) {
    expect(error).toBeInstanceOf(GopherAuthException);
    expect((error as GopherAuthException).code).toBe(GopherAuthError.INVALID_CONFIG);
    return (error as Error).message;
  }
  throw new Error('configuration was accepted');
}

describe('derivation from resource', () => {
  it('derives PRM URLs, challenge URL, audience and document from one string', () => {
    const c = resolveAuthConfig({ ...base, toolScopes: { 'get-forecast': ['mcp:read'], alerts: ['mcp:admin'] } });
    expect(c.resourceMetadataUrl).toBe('https://api.example/.well-known/oauth-protected-resource/mcp');
    expect(c.rootResourceMetadataUrl).toBe('https://api.example/.well-known/oauth-protected-resource');
    expect(c.metadataPaths).toEqual(['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']);
    expect(c.audience).toBe('https://api.example/mcp');
    expect(c.protectedResourceMetadata).toEqual({
      resource: 'https://api.example/mcp',
      authorization_servers: ['https://as.example/realms/demo'],
      scopes_supported: ['mcp:read', 'mcp:admin'],
      bearer_methods_supported: ['header'],
    });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('keeps a root resource without trailing slash byte-identical', () => {
    const c = resolveAuthConfig({ ...base, resource: 'https://api.example' });
    expect(c.protectedResourceMetadata.resource).toBe('https://api.example');
    expect(c.audience).toBe('https://api.example');
    expect(c.resourceMetadataUrl).toBe('https://api.example/.well-known/oauth-protected-resource');
    expect(c.metadataPaths).toEqual(['/.well-known/oauth-protected-resource']);
  });

  it('honours an explicit audience and scopesSupported', () => {
    const c = resolveAuthConfig({ ...base, audience: 'mcp-server', scopesSupported: ['openid', 'mcp:read'], requiredScopes: ['mcp:read'] });
    expect(c.audience).toBe('mcp-server');
    expect(c.scopesSupported).toEqual(['openid', 'mcp:read']);
  });

  it('allows http on loopback only (unless told otherwise)', () => {
    expect(resolveAuthConfig({ resource: 'http://127.0.0.1:3001/mcp', issuer: 'http://localhost:9000', jwksUri: 'http://[::1]:9000/jwks' }).resource).toBe(
      'http://127.0.0.1:3001/mcp',
    );
    expect(refused({ resource: 'http://api.example/mcp' })).toMatch(/non-loopback/);
    expect(resolveAuthConfig({ ...base, resource: 'http://api.example/mcp', allowInsecureHttp: true }).resource).toBe('http://api.example/mcp');
  });
});

describe('refuses inconsistent settings at start', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['fragment in resource', { resource: 'https://api.example/mcp#frag' }, /fragment/],
    ['query in resource', { resource: 'https://api.example/mcp?x=1' }, /query/],
    ['non-canonical resource', { resource: 'https://API.example/mcp' }, /canonical/],
    ['dot segments', { resource: 'https://api.example/a/../mcp' }, /canonical/],
    ['relative resource', { resource: '/mcp' }, /absolute/],
    ['issuer with query', { issuer: 'https://as.example/?a=b' }, /query/],
    ['client and jwksUri', { client: { validateToken: async () => ({}), extractPayload: () => null } }, /either client/],
    ['AS list without the issuer', { authorizationServers: ['https://other.example'] }, /must include the issuer/],
    ['scope with a space', { requiredScopes: ['mcp read'] }, /invalid scope/],
    ['scope with a quote', { toolScopes: { t: ['a"b'] } }, /invalid scope/],
    ['scope map not an object', { toolScopes: ['x'] }, /object/],
    ['required scope not supported', { scopesSupported: ['mcp:read'], toolScopes: { t: ['mcp:admin'] } }, /mcp:admin/],
    ['bad backend', { backend: 'fast' }, /backend/],
    ['negative clock skew', { clockSkew: -1 }, /clockSkew/],
    ['empty audience', { audience: '' }, /audience/],
    ['realm with CRLF', { realm: 'a\r\nb' }, /realm/],
    ['bad cors origin', { cors: { origin: ['https://app.example/path'] } }, /bare origin/],
  ])('%s', (_name, patch, message) => {
    expect(refused(patch)).toMatch(message);
  });

  it('without jwksUri the issuer metadata will be discovered', () => {
    expect(resolveAuthConfig({ ...base, jwksUri: undefined }).jwksUri).toBeUndefined();
  });

  it('accepts an AS list that has the issuer with a trailing slash', () => {
    expect(resolveAuthConfig({ ...base, authorizationServers: ['https://as.example/realms/demo/', 'https://b.example'] }).authorizationServers).toHaveLength(2);
  });

  it('a prototype-named tool is an ordinary own key', () => {
    const c = resolveAuthConfig({ ...base, toolScopes: JSON.parse('{"__proto__":["mcp:admin"]}') });
    expect(c.toolScopes.get('__proto__')).toEqual(['mcp:admin']);
    expect(c.toolScopes.get('constructor')).toBeUndefined();
  });
});

describe('unknown keys', () => {
  it('a misspelt option is refused, with the nearest real one (an ignored scope rule would leave a tool open)', () => {
    expect(refused({ toolScope: { admin: ['mcp:admin'] } })).toBe('gopherAuth: unknown option "toolScope" (did you mean "toolScopes"?)');
    expect(refused({ requiredScope: ['mcp:read'] })).toBe('gopherAuth: unknown option "requiredScope" (did you mean "requiredScopes"?)');
    expect(refused({ ResourceScopes: {} })).toBe('gopherAuth: unknown option "ResourceScopes" (did you mean "resourceScopes"?)');
    expect(refused({ frobnicate: true })).toBe('gopherAuth: unknown option "frobnicate"');
    expect(refused({ cors: { origins: ['https://app.example'] } } as never)).toBe('gopherAuth: unknown cors option "origins" (did you mean "origin"?)');
  });

  it('every documented option is accepted', () => {
    expect(() =>
      resolveAuthConfig({
        ...base,
        authorizationServers: ['https://as.example/realms/demo'],
        scopesSupported: ['mcp:read', 'mcp:admin'],
        requiredScopes: ['mcp:read'],
        toolScopes: { a: ['mcp:admin'] },
        resourceScopes: { 'r://*': ['mcp:admin'] },
        promptScopes: { p: ['mcp:admin'] },
        audience: 'https://api.example/mcp',
        backend: 'js',
        clockSkew: 30,
        logger: undefined,
        onAuthFailure: () => undefined,
        clientOptions: { cacheDuration: 60 },
        realm: 'mcp',
        resourceName: 'API',
        resourceDocumentation: 'https://api.example/docs',
        retryAfterSeconds: 5,
        maxBodyBytes: 1024,
        cors: { origin: ['https://app.example'], maxAge: 60 },
        allowInsecureHttp: false,
        asyncContext: true,
      }),
    ).not.toThrow();
  });
});

describe('resourceScopes keys', () => {
  it('must be in the form resources are matched in, or the rule would never apply', () => {
    expect(refused({ resourceScopes: { 'SECRET://vault/admin': ['mcp:admin'] } })).toBe(
      'gopherAuth: resourceScopes key "SECRET://vault/admin" is not in the form resources are matched in (new URL(uri).href): write "secret://vault/admin"',
    );
    expect(refused({ resourceScopes: { 'https://files.example/./private/*': ['mcp:admin'] } })).toMatch(/write "https:\/\/files\.example\/private\/\*"/);
    expect(refused({ resourceScopes: { 'HTTPS://files.example/*': ['mcp:admin'] } })).toMatch(/write "https:\/\/files\.example\/\*"/);
    expect(() =>
      resolveAuthConfig({ ...base, resourceScopes: { 'secret://vault/admin': ['a'], 'https://files.example*': ['b'], 'weather://alerts/*': ['c'], 'not a uri': ['d'] } }),
    ).not.toThrow();
  });
});
