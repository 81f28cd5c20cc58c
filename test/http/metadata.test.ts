import { describe, expect, it } from 'vitest';
import { GopherAuthError, GopherAuthException } from '../../src/core/errors.js';
import {
  authorizationServerMetadataUrls,
  buildAuthorizationServerMetadata,
  buildOpenIdConfiguration,
  buildProtectedResourceMetadata,
  protectedResourceMetadataUrl,
  rootProtectedResourceMetadataUrl,
} from '../../src/core/metadata.js';

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(GopherAuthException);
    expect((error as GopherAuthException).code).toBe(GopherAuthError.INVALID_CONFIG);
    return (error as Error).message;
  }
  throw new Error('expected INVALID_CONFIG');
}

describe('protected-resource metadata URLs (RFC 9728 §3.1)', () => {
  it.each([
    ['https://api.example/mcp', 'https://api.example/.well-known/oauth-protected-resource/mcp'],
    ['https://api.example/', 'https://api.example/.well-known/oauth-protected-resource'],
    ['https://api.example', 'https://api.example/.well-known/oauth-protected-resource'],
    ['https://api.example:8443/v1/mcp/', 'https://api.example:8443/.well-known/oauth-protected-resource/v1/mcp/'],
    ['http://127.0.0.1:3001/mcp', 'http://127.0.0.1:3001/.well-known/oauth-protected-resource/mcp'],
  ])('%s → %s', (resource, expected) => {
    expect(protectedResourceMetadataUrl(resource)).toBe(expected);
  });

  it('root URL ignores the path', () => {
    expect(rootProtectedResourceMetadataUrl('https://api.example/a/b')).toBe('https://api.example/.well-known/oauth-protected-resource');
  });
});

describe('PRM document', () => {
  it('advertises only the header bearer method by default and omits absent members', () => {
    const doc = buildProtectedResourceMetadata({
      resource: 'https://api.example/mcp',
      authorizationServers: ['https://as.example/realms/x'],
      scopesSupported: ['mcp:read', 'mcp:admin', 'mcp:read'],
    });
    expect(doc).toEqual({
      resource: 'https://api.example/mcp',
      authorization_servers: ['https://as.example/realms/x'],
      scopes_supported: ['mcp:read', 'mcp:admin'],
      bearer_methods_supported: ['header'],
    });
  });

  it('never advertises query', () => {
    expect(configError(() => buildProtectedResourceMetadata({ resource: 'https://a.example/', bearerMethodsSupported: ['header', 'query' as 'header'] }))).toMatch(/query/);
  });

  it('never advertises "none" as a signing algorithm (RFC 9728 §2: MUST NOT be used)', () => {
    expect(configError(() => buildProtectedResourceMetadata({ resource: 'https://a.example/', resourceSigningAlgValuesSupported: ['RS256', 'none'] }))).toMatch(/"none"/);
    expect(buildProtectedResourceMetadata({ resource: 'https://a.example/', resourceSigningAlgValuesSupported: ['RS256'] }).resource_signing_alg_values_supported).toEqual(['RS256']);
  });

  it('stays valid JSON whatever the strings hold', () => {
    const doc = buildProtectedResourceMetadata({ resource: 'https://a.example/mcp', resourceName: 'Weather "MCP"\n</script>\\' });
    const text = JSON.stringify(doc);
    expect(JSON.parse(text).resource_name).toBe('Weather "MCP"\n</script>\\');
  });

  it('refuses fragments, credentials and non-http URLs', () => {
    configError(() => buildProtectedResourceMetadata({ resource: 'https://a.example/mcp#x' }));
    configError(() => buildProtectedResourceMetadata({ resource: 'ftp://a.example/mcp' }));
    configError(() => buildProtectedResourceMetadata({ resource: 'https://u:p@a.example/mcp' }));
    configError(() => buildProtectedResourceMetadata({ resource: 'mcp' }));
    configError(() => buildProtectedResourceMetadata({ resource: 'https://a.example/', authorizationServers: ['not a url'] }));
  });
});

describe('authorization-server metadata (RFC 8414)', () => {
  it('fills OAuth 2.1 defaults and keeps the issuer verbatim', () => {
    const doc = buildAuthorizationServerMetadata({
      issuer: 'https://as.example/realms/x',
      authorizationEndpoint: 'https://as.example/realms/x/auth',
      tokenEndpoint: 'https://as.example/realms/x/token',
      jwksUri: 'https://as.example/realms/x/certs',
      scopesSupported: ['openid', 'mcp:read'],
    });
    expect(doc).toEqual({
      issuer: 'https://as.example/realms/x',
      authorization_endpoint: 'https://as.example/realms/x/auth',
      token_endpoint: 'https://as.example/realms/x/token',
      jwks_uri: 'https://as.example/realms/x/certs',
      scopes_supported: ['openid', 'mcp:read'],
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      code_challenge_methods_supported: ['S256'],
    });
  });

  it('OIDC discovery adds the OpenID members', () => {
    const doc = buildOpenIdConfiguration({
      issuer: 'https://as.example',
      authorizationEndpoint: 'https://as.example/auth',
      tokenEndpoint: 'https://as.example/token',
      jwksUri: 'https://as.example/certs',
      userinfoEndpoint: 'https://as.example/userinfo',
    });
    expect(doc.userinfo_endpoint).toBe('https://as.example/userinfo');
    expect(doc.subject_types_supported).toEqual(['public']);
    expect(doc.id_token_signing_alg_values_supported).toEqual(['RS256']);
  });

  it('refuses documents that lack what they advertise (RFC 8414 §2, OIDC Discovery §3), scopes that are no scope-tokens, and a missing options object', () => {
    const endpoints = { authorizationEndpoint: 'https://as.example/auth', tokenEndpoint: 'https://as.example/token' };
    expect(configError(() => buildAuthorizationServerMetadata({ issuer: 'https://as.example' }))).toMatch(/authorizationEndpoint is required/);
    expect(configError(() => buildAuthorizationServerMetadata({ issuer: 'https://as.example', authorizationEndpoint: 'https://as.example/auth' }))).toMatch(/tokenEndpoint is required/);
    expect(configError(() => buildAuthorizationServerMetadata({ issuer: 'https://as.example', ...endpoints, responseTypesSupported: [] }))).toMatch(/must not be empty/);
    expect(configError(() => buildOpenIdConfiguration({ issuer: 'https://as.example', ...endpoints }))).toMatch(/jwksUri is required/);
    expect(buildAuthorizationServerMetadata({ issuer: 'https://as.example', tokenEndpoint: 'https://as.example/token', responseTypesSupported: ['none'], grantTypesSupported: ['client_credentials'] }).token_endpoint).toBe('https://as.example/token');
    expect(configError(() => buildAuthorizationServerMetadata({ issuer: 'https://as.example', ...endpoints, scopesSupported: ['a b'] }))).toMatch(/not a scope-token/);
    expect(configError(() => buildProtectedResourceMetadata({ resource: 'https://api.example/mcp', authorizationServers: ['https://as.example'], scopesSupported: ['c"d'] }))).toMatch(/not a scope-token/);
    expect(configError(() => buildAuthorizationServerMetadata(null as never))).toMatch(/options object/);
  });

  it('refuses an issuer with a query or fragment', () => {
    expect(configError(() => buildAuthorizationServerMetadata({ issuer: 'https://as.example/?x=1' }))).toMatch(/query/);
    configError(() => buildAuthorizationServerMetadata({ issuer: 'https://as.example/#f' }));
  });

  it('lists the discovery URLs, RFC 8414 path insertion first', () => {
    expect(authorizationServerMetadataUrls('https://as.example/realms/x')).toEqual([
      'https://as.example/.well-known/oauth-authorization-server/realms/x',
      'https://as.example/.well-known/openid-configuration/realms/x',
      'https://as.example/realms/x/.well-known/openid-configuration',
    ]);
    expect(authorizationServerMetadataUrls('https://as.example')).toEqual([
      'https://as.example/.well-known/oauth-authorization-server',
      'https://as.example/.well-known/openid-configuration',
    ]);
  });
});
