import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../examples/auth-mcp-server/config.js';
import { startAuthMcpServer, type RunningAuthMcpServer } from '../../examples/auth-mcp-server/server.js';
import { startStack, type Stack } from './helpers.js';

const RFC8414 = '/.well-known/oauth-authorization-server';
const OIDC = '/.well-known/openid-configuration';

/** GET on the example server without following the redirect. */
async function discover(server: RunningAuthMcpServer, path: string): Promise<{ status: number; location: string | null; body: string }> {
  const response = await fetch(`${server.url}${path}`, { redirect: 'manual' });
  return { status: response.status, location: response.headers.get('location'), body: await response.text() };
}

describe('AS metadata redirects, with the dev authorization server (RFC 8414 only)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  it('/.well-known/oauth-authorization-server → 302 to the RFC 8414 document', async () => {
    const answer = await discover(stack.server, RFC8414);
    expect(answer.status).toBe(302);
    expect(answer.location).toBe(stack.as.metadataUrl);
  });

  it('/.well-known/openid-configuration is never a redirect to an RFC 8414 document: 404, as the AS itself answers', async () => {
    const asItself = await fetch(`${stack.as.issuer}${OIDC}`);
    expect(asItself.status).toBe(404);
    await asItself.body?.cancel();
    for (let i = 0; i < 2; i++) {
      const answer = await discover(stack.server, OIDC);
      expect(answer.status).toBe(404);
      expect(answer.location).toBeNull();
      expect(JSON.parse(answer.body)).toMatchObject({ error: 'not_found', error_description: expect.any(String) });
    }
    // The RFC 8414 path still works after the OIDC one was asked for, and the other way round.
    expect((await discover(stack.server, RFC8414)).location).toBe(stack.as.metadataUrl);
  });
});

/** A Keycloak-like IdP on 127.0.0.1 whose issuer has a path; `routes` maps request paths to answers. */
async function startIdp(routes: (issuer: string) => Record<string, (res: ServerResponse) => void>) {
  const requests: string[] = [];
  let table: Record<string, (res: ServerResponse) => void> = {};
  const idp = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests.push(req.url ?? '');
    const route = table[req.url ?? ''];
    if (route) route(res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}/realms/demo`;
  table = routes(issuer);
  const server = await startAuthMcpServer(buildConfig({ host: '127.0.0.1', port: '0', auth_server_url: issuer, backend: 'js' }), { warn: () => {} });
  return {
    issuer,
    server,
    requests,
    close: async () => {
      await server.close();
      await new Promise<void>((resolve) => idp.close(() => resolve()));
    },
  };
}

const json = (body: unknown) => (res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

describe('AS metadata redirects, with an IdP that publishes both documents', () => {
  it('each path redirects to its own kind of document, looked up once', async () => {
    const idp = await startIdp((issuer) => ({
      [`${RFC8414}/realms/demo`]: json({ issuer, authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token` }),
      [`/realms/demo${OIDC}`]: json({ issuer, authorization_endpoint: `${issuer}/auth`, jwks_uri: `${issuer}/certs`, subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'] }),
    }));
    try {
      const rfc = await discover(idp.server, RFC8414);
      expect(rfc.status).toBe(302);
      expect(rfc.location).toBe(`http://${new URL(idp.issuer).host}${RFC8414}/realms/demo`);
      for (let i = 0; i < 2; i++) {
        const oidc = await discover(idp.server, OIDC);
        expect(oidc.status).toBe(302);
        expect(oidc.location).toBe(`${idp.issuer}${OIDC}`);
      }
      const metadataFetches = idp.requests.filter((url) => url.includes('/.well-known/'));
      expect(new Set(metadataFetches).size).toBe(metadataFetches.length);
    } finally {
      await idp.close();
    }
  });
});

describe('AS metadata redirects, with an IdP that publishes only an OpenID configuration', () => {
  it('both paths redirect to it (an OIDC discovery document is also RFC 8414 metadata)', async () => {
    const idp = await startIdp((issuer) => ({
      [`/realms/demo${OIDC}`]: json({ issuer, authorization_endpoint: `${issuer}/auth`, jwks_uri: `${issuer}/certs` }),
    }));
    try {
      for (const path of [OIDC, RFC8414, OIDC]) {
        const answer = await discover(idp.server, path);
        expect(answer.status, path).toBe(302);
        expect(answer.location, path).toBe(`${idp.issuer}${OIDC}`);
      }
    } finally {
      await idp.close();
    }
  });
});

describe('AS metadata redirects, when the OpenID configuration cannot be told absent', () => {
  it('an IdP failing (500) or naming another issuer at the OIDC URLs is a 502, not a 404', async () => {
    for (const broken of [
      (_issuer: string) => (res: ServerResponse) => void res.writeHead(500).end(),
      (_issuer: string) => json({ issuer: 'https://attacker.example' }),
    ]) {
      const idp = await startIdp((issuer) => ({
        [`${RFC8414}/realms/demo`]: json({ issuer, authorization_endpoint: `${issuer}/auth` }),
        [`/realms/demo${OIDC}`]: broken(issuer),
      }));
      try {
        const oidc = await discover(idp.server, OIDC);
        expect(oidc.status).toBe(502);
        expect(oidc.location).toBeNull();
        expect((await discover(idp.server, RFC8414)).status).toBe(302);
      } finally {
        await idp.close();
      }
    }
  });
});
