/**
 * The verifier behind MCP SDK v2's own bearer middleware: `requireBearerAuth` from
 * `@modelcontextprotocol/express` and the web-standard one from `@modelcontextprotocol/server`.
 * v2 recognises only its own `OAuthError` (by brand and `code`); anything else becomes a 500.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBearerAuth as expressRequireBearerAuth, mcpAuthMetadataRouter } from '@modelcontextprotocol/express';
import * as v2 from '@modelcontextprotocol/server';
import * as v1Errors from '@modelcontextprotocol/sdk/server/auth/errors.js';
import { gopherAuth, type GopherAuth } from '../../src/http/gopher-auth.js';
import { authErrors } from '../../src/http/errors.js';
import { createTokenVerifier, sdkBearerAuthOptions, sdkErrorFor, sdkMetadataRouterOptions, type SdkAuthErrors } from '../../src/mcp/verifier.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';

const ISSUER = 'https://issuer.test/realms/demo';
const issuer = new TestIssuer(ISSUER);

let jwks: JwksServer;
let downJwks: JwksServer;
let server: Server;
let base: string;
let resource: string;
let auth: GopherAuth;
let down: GopherAuth;
let webGate: (request: Request) => Promise<v2.AuthInfo | Response>;

beforeAll(async () => {
  jwks = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
  downJwks = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
  downJwks.setFault({ kind: 'status', status: 503 });
  server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  resource = `${base}/mcp`;
  auth = gopherAuth({ resource, issuer: ISSUER, jwksUri: jwks.url, backend: 'js', requiredScopes: ['mcp:read'] });
  down = gopherAuth({ resource, issuer: ISSUER, jwksUri: downJwks.url, backend: 'js', requiredScopes: ['mcp:read'] });
  const app = express();
  const ok: RequestHandler = (req, res) => {
    res.json({ sub: req.auth?.extra?.['sub'], scopes: req.auth?.scopes, resource: req.auth?.resource?.href });
  };
  app.post('/express', expressRequireBearerAuth(sdkBearerAuthOptions(auth, { errors: v2 })), ok);
  app.post('/express-down', expressRequireBearerAuth(sdkBearerAuthOptions(down, { errors: v2 })), ok);
  server.on('request', app);
  webGate = v2.requireBearerAuth(sdkBearerAuthOptions(auth, { errors: v2 }));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await jwks.close();
  await downJwks.close();
  auth.close();
  down.close();
});

const token = (claims: Record<string, unknown> = {}) => issuer.sign({ claims: { aud: resource, scope: 'mcp:read', client_id: 'cli', ...claims } });

interface Answer {
  status: number;
  challenge: string | null;
  body: Record<string, unknown>;
}

async function viaExpress(path: string, authorization?: string): Promise<Answer> {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: authorization ? { authorization } : {} });
  return { status: res.status, challenge: res.headers.get('www-authenticate'), body: (await res.json()) as Record<string, unknown> };
}

async function viaWeb(authorization?: string): Promise<Answer> {
  const out = await webGate(new Request(resource, { method: 'POST', headers: authorization ? { authorization } : {} }));
  if (out instanceof Response) return { status: out.status, challenge: out.headers.get('www-authenticate'), body: (await out.json()) as Record<string, unknown> };
  return { status: 200, challenge: null, body: { sub: out.extra?.['sub'], scopes: out.scopes, resource: out.resource?.href } };
}

const REFUSALS: Array<[string, () => string, number, string]> = [
  ['garbage', () => 'Bearer abc.def.ghi', 401, 'invalid_token'],
  ['expired', () => `Bearer ${token({ exp: Math.floor(Date.now() / 1000) - 600 })}`, 401, 'invalid_token'],
  ['another audience', () => `Bearer ${token({ aud: 'https://elsewhere.example/mcp' })}`, 401, 'invalid_token'],
  ['missing the required scope', () => `Bearer ${token({ scope: 'openid' })}`, 403, 'insufficient_scope'],
];

describe.each([
  ['@modelcontextprotocol/express requireBearerAuth', (h?: string) => viaExpress('/express', h)],
  ['@modelcontextprotocol/server requireBearerAuth (web standard)', (h?: string) => viaWeb(h)],
])('SDK v2 %s with sdkBearerAuthOptions(auth, { errors: v2 })', (_name, call) => {
  it('a valid token passes with the AuthInfo the gate builds', async () => {
    const answer = await call(`Bearer ${token()}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ sub: 'user-123', scopes: ['mcp:read'], resource });
  });

  it.each(REFUSALS)('%s → %i %s, with the gate resource_metadata', async (_case, header, status, error) => {
    const answer = await call(header());
    expect(answer.status).toBe(status);
    expect(answer.body['error']).toBe(error);
    expect(answer.challenge).toContain(`error="${error}"`);
    expect(answer.challenge).toContain(`resource_metadata="${auth.resourceMetadataUrl}"`);
  });

  it('no token → 401 (v2 answers that itself)', async () => {
    const answer = await call();
    expect(answer.status).toBe(401);
    expect(answer.challenge).toContain(`resource_metadata="${auth.resourceMetadataUrl}"`);
  });
});

describe('SDK v2 errors', () => {
  it('JWKS down: a server error (500), not 400 — v2 has no 503 and answers temporarily_unavailable with 400', async () => {
    const answer = await viaExpress('/express-down', `Bearer ${token()}`);
    expect(answer.status).toBe(500);
    expect(answer.body['error']).toBe('server_error');
  });

  it('sdkErrorFor makes v2 OAuthErrors with the matching code; v1 classes still work', () => {
    const invalid = sdkErrorFor(authErrors.invalidToken('test'), v2);
    expect(invalid).toBeInstanceOf(v2.OAuthError);
    expect((invalid as v2.OAuthError).code).toBe(v2.OAuthErrorCode.InvalidToken);
    expect((sdkErrorFor(authErrors.insufficientScope(['mcp:admin'], 'test'), v2) as v2.OAuthError).code).toBe(v2.OAuthErrorCode.InsufficientScope);
    expect((sdkErrorFor(authErrors.unavailable('test'), v2) as v2.OAuthError).code).toBe(v2.OAuthErrorCode.ServerError);
    expect(sdkErrorFor(authErrors.invalidToken('test'), v1Errors)).toBeInstanceOf(v1Errors.InvalidTokenError);
  });

  it('errors that are neither SDK generation are refused at once, saying what to pass', () => {
    expect(() => createTokenVerifier(auth, { errors: {} as SdkAuthErrors })).toThrow(/InvalidTokenError.*OAuthError and OAuthErrorCode/);
    const noCodes = { OAuthError: v2.OAuthError } as unknown as SdkAuthErrors;
    expect(() => createTokenVerifier(auth, { errors: noCodes })).toThrow(/OAuthErrorCode/);
    const wrongCodes = { OAuthError: v2.OAuthError, OAuthErrorCode: { InvalidToken: 'x', InsufficientScope: 'y', ServerError: 'z' } } as unknown as SdkAuthErrors;
    expect(() => createTokenVerifier(auth, { errors: wrongCodes })).toThrow(/OAuthErrorCode/);
  });

  it("sdkMetadataRouterOptions feeds v2's mcpAuthMetadataRouter: the PRM sits where the challenges point", async () => {
    const app = express();
    const asMetadata = { issuer: ISSUER, authorization_endpoint: `${ISSUER}/auth`, token_endpoint: `${ISSUER}/token`, response_types_supported: ['code'] };
    app.use(mcpAuthMetadataRouter(sdkMetadataRouterOptions(auth, asMetadata)));
    const srv = createServer(app);
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    try {
      const port = (srv.address() as AddressInfo).port;
      const res = await fetch(`http://127.0.0.1:${port}${new URL(auth.resourceMetadataUrl).pathname}`);
      expect(res.status).toBe(200);
      const doc = (await res.json()) as Record<string, unknown>;
      expect(doc['resource']).toBe(resource);
      expect(doc['authorization_servers']).toEqual([ISSUER]);
    } finally {
      srv.closeAllConnections();
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });
});
