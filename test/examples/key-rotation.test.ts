import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { metadataCandidates } from '../../examples/auth-mcp-server/as-metadata.js';
import { buildConfig } from '../../examples/auth-mcp-server/config.js';
import { startAuthMcpServer } from '../../examples/auth-mcp-server/server.js';
import { INITIALIZE, post, startStack } from './helpers.js';

describe('example server with a rotating authorization server', () => {
  it('accepts tokens signed by a freshly rotated key (one JWKS refetch) and refuses the retired key', async () => {
    const stack = await startStack();
    try {
      const mcpUrl = stack.server.mcpUrl;
      const oldToken = await stack.as.issueToken({ scope: 'mcp:read', audience: mcpUrl, subject: 'u1' });
      expect((await post(mcpUrl, INITIALIZE, { authorization: `Bearer ${oldToken}` })).status).toBe(200);
      const fetchesBefore = stack.as.requestCounts.get('/protocol/openid-connect/certs') ?? 0;

      await stack.as.rotateKeys({ keepPrevious: false });
      const newToken = await stack.as.issueToken({ scope: 'mcp:read', audience: mcpUrl, subject: 'u1' });
      expect((await post(mcpUrl, INITIALIZE, { authorization: `Bearer ${newToken}` })).status).toBe(200);
      expect(stack.as.requestCounts.get('/protocol/openid-connect/certs')).toBe(fetchesBefore + 1);

      const retired = await post(mcpUrl, INITIALIZE, { authorization: `Bearer ${oldToken}` });
      expect(retired.status).toBe(401);
    } finally {
      await stack.close();
    }
  });
});

describe('authorization server metadata location', () => {
  it('tries RFC 8414 path insertion, then OIDC, for issuers with and without a path', () => {
    expect(metadataCandidates('http://127.0.0.1:9000')).toEqual([
      'http://127.0.0.1:9000/.well-known/oauth-authorization-server',
      'http://127.0.0.1:9000/.well-known/openid-configuration',
    ]);
    expect(metadataCandidates('https://kc.example/realms/demo/')).toEqual([
      'https://kc.example/.well-known/oauth-authorization-server/realms/demo',
      'https://kc.example/.well-known/openid-configuration/realms/demo',
      'https://kc.example/realms/demo/.well-known/openid-configuration',
    ]);
  });

  it('with an AS without dynamic registration, /oauth/register returns the configured public client id and never its secret; a lying issuer is not redirected to', async () => {
    let issuer = '';
    let lie = false;
    const idp = createServer((req, res) => {
      if (req.url === '/realms/demo/.well-known/openid-configuration') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ issuer: lie ? 'https://attacker.example' : issuer, authorization_endpoint: `${issuer}/auth`, jwks_uri: `${issuer}/certs` }));
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}/realms/demo`;
    const server = await startAuthMcpServer(
      buildConfig({ host: '127.0.0.1', port: '0', auth_server_url: issuer, backend: 'js', client_id: 'public-app', client_secret: 'S3CRET-value' }),
    );
    try {
      const registered = await post(`${server.url}/oauth/register`, { redirect_uris: ['http://127.0.0.1:9/cb'] });
      const text = await registered.text();
      expect(registered.status).toBe(201);
      expect(JSON.parse(text)).toEqual({ client_id: 'public-app', token_endpoint_auth_method: 'none' });
      expect(text).not.toContain('S3CRET');
      const redirect = await fetch(`${server.url}/.well-known/oauth-authorization-server`, { redirect: 'manual' });
      expect(redirect.headers.get('location')).toBe(`${issuer}/.well-known/openid-configuration`);
    } finally {
      await server.close();
    }
    lie = true;
    const second = await startAuthMcpServer(buildConfig({ host: '127.0.0.1', port: '0', auth_server_url: issuer, backend: 'js' }));
    try {
      const refused = await fetch(`${second.url}/.well-known/oauth-authorization-server`, { redirect: 'manual' });
      expect(refused.status).toBe(502);
    } finally {
      await second.close();
      await new Promise<void>((resolve) => idp.close(() => resolve()));
    }
  });
});
