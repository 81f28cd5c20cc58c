import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import express, { type RequestHandler } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import * as esmErrors from '@modelcontextprotocol/sdk/server/auth/errors.js';
import { gopherAuth, type GopherAuth } from '../../src/http/gopher-auth.js';
import { authErrors } from '../../src/http/errors.js';
import type { AuthFailureEvent } from '../../src/http/failure.js';
import { GopherAuthError } from '../../src/core/errors.js';
import { createTokenVerifier, sdkBearerAuthOptions, sdkErrorFor, sdkMetadataRouterOptions, type SdkAuthErrorClasses } from '../../src/mcp/verifier.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';

const ISSUER = 'https://issuer.test/realms/demo';
const issuer = new TestIssuer(ISSUER);
const require = createRequire(import.meta.url);
// The CommonJS build of the same SDK: a second copy with its own error classes.
const cjsErrors = require('@modelcontextprotocol/sdk/server/auth/errors.js') as SdkAuthErrorClasses;
const cjsBearer = require('@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js') as { requireBearerAuth: typeof requireBearerAuth };

let jwks: JwksServer;
let server: Server;
let base: string;
let resource: string;
let auth: GopherAuth;
const routes = new Map<string, RequestHandler>();

beforeAll(async () => {
  jwks = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
  server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  resource = `${base}/mcp`;
  auth = gopherAuth({ resource, issuer: ISSUER, jwksUri: jwks.url, backend: 'js', requiredScopes: ['mcp:read'] });
  const app = express();
  const ok: RequestHandler = (req, res) => {
    res.json({ sub: req.auth?.extra?.['sub'], scopes: req.auth?.scopes, resource: req.auth?.resource?.href, clientId: req.auth?.clientId });
  };
  app.post('/sdk', requireBearerAuth(sdkBearerAuthOptions(auth, { errors: esmErrors })), ok);
  app.post('/sdk-default', requireBearerAuth(sdkBearerAuthOptions(auth)), ok);
  app.post('/cjs-with-cjs-errors', cjsBearer.requireBearerAuth(sdkBearerAuthOptions(auth, { errors: cjsErrors })), ok);
  app.post('/cjs-with-esm-errors', cjsBearer.requireBearerAuth(sdkBearerAuthOptions(auth, { errors: esmErrors })), ok);
  app.post('/gate', auth, ok);
  server.on('request', app);
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await jwks.close();
  auth.close();
});

const token = (claims: Record<string, unknown> = {}) => issuer.sign({ claims: { aud: resource, scope: 'mcp:read', client_id: 'cli', ...claims } });

async function status(path: string, authorization?: string): Promise<{ status: number; challenge: string | null; body: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: authorization ? { authorization } : {} });
  return { status: res.status, challenge: res.headers.get('www-authenticate'), body: (await res.json()) as Record<string, unknown> };
}

describe("the SDK's requireBearerAuth with our verifier", () => {
  it.each<[string, () => string | undefined, number]>([
    ['valid', () => `Bearer ${token()}`, 200],
    ['no token', () => undefined, 401],
    ['garbage', () => 'Bearer abc.def.ghi', 401],
    ['expired', () => `Bearer ${token({ exp: Math.floor(Date.now() / 1000) - 600 })}`, 401],
    ['other audience', () => `Bearer ${token({ aud: 'https://elsewhere.example/mcp' })}`, 401],
    ['missing required scope', () => `Bearer ${token({ scope: 'openid' })}`, 403],
  ])('%s: same status as the gopher gate', async (_name, header, expected) => {
    const value = header();
    const viaSdk = await status('/sdk', value);
    const viaGate = await status('/gate', value);
    expect(viaSdk.status).toBe(expected);
    expect(viaGate.status).toBe(expected);
    if (expected >= 400) {
      expect(viaSdk.challenge).toContain(`resource_metadata="${auth.resourceMetadataUrl}"`);
      expect(viaGate.challenge).toContain(`resource_metadata="${auth.resourceMetadataUrl}"`);
    }
    if (expected === 403) {
      expect(viaSdk.challenge).toContain('error="insufficient_scope"');
      expect(viaGate.challenge).toContain('scope="mcp:read"');
    }
  });

  it('hands the SDK the same AuthInfo the gate produces', async () => {
    const value = `Bearer ${token({ sub: 'alice' })}`;
    const viaSdk = await status('/sdk', value);
    const viaGate = await status('/gate', value);
    expect(viaSdk.body).toEqual({ sub: 'alice', scopes: ['mcp:read'], resource, clientId: 'cli' });
    expect(viaGate.body).toEqual(viaSdk.body);
  });

  it('imports the SDK classes itself when none are given', async () => {
    expect((await status('/sdk-default', 'Bearer abc.def.ghi')).status).toBe(401);
  });

  it('a second SDK copy works when its own classes are passed (and shows why that matters)', async () => {
    expect((await status('/cjs-with-cjs-errors', 'Bearer abc.def.ghi')).status).toBe(401);
    expect((await status('/cjs-with-cjs-errors', `Bearer ${token({ scope: 'x' })}`)).status).toBe(403);
    // Classes from the other copy fail the SDK's instanceof checks and fall through to 500.
    expect((await status('/cjs-with-esm-errors', 'Bearer abc.def.ghi')).status).toBe(500);
  });

  it('maps every refusal kind to an SDK class', () => {
    expect(sdkErrorFor(authErrors.invalidToken('x'), esmErrors)).toBeInstanceOf(esmErrors.InvalidTokenError);
    expect(sdkErrorFor(authErrors.missingToken(), esmErrors)).toBeInstanceOf(esmErrors.InvalidTokenError);
    expect(sdkErrorFor(authErrors.insufficientScope(['a'], 'x'), esmErrors)).toBeInstanceOf(esmErrors.InsufficientScopeError);
    expect(sdkErrorFor(authErrors.unavailable('x'), esmErrors)).toBeInstanceOf(esmErrors.ServerError);
    expect(sdkErrorFor(authErrors.serverError('x'), esmErrors)).toBeInstanceOf(esmErrors.ServerError);
  });

  it('JWKS outage becomes ServerError under the SDK (it has no 503)', async () => {
    const down = gopherAuth({ resource, issuer: ISSUER, jwksUri: `${jwks.origin}/missing.json`, backend: 'js' });
    try {
      const verifier = createTokenVerifier(down, { errors: esmErrors });
      await expect(verifier.verifyAccessToken(token())).rejects.toBeInstanceOf(esmErrors.ServerError);
    } finally {
      down.close();
    }
  });

  it('refuses things that are not the SDK classes', () => {
    expect(() => createTokenVerifier(auth, { errors: {} as SdkAuthErrorClasses })).toThrow(/InvalidTokenError/);
  });

  it('refuses a gate with per-call scope rules, which the SDK middleware (no body) would not enforce', async () => {
    const rules = [{ toolScopes: { 'admin-tool': ['mcp:admin'] } }, { resourceScopes: { 'secret://vault/*': ['mcp:admin'] } }, { promptScopes: { p: ['mcp:admin'] } }];
    for (const rule of rules) {
      const guarded = gopherAuth({ resource, issuer: ISSUER, jwksUri: jwks.url, backend: 'js', ...rule });
      try {
        let thrown: unknown;
        try {
          sdkBearerAuthOptions(guarded);
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toMatchObject({ code: GopherAuthError.INVALID_CONFIG, message: expect.stringContaining(Object.keys(rule)[0] as string) });
        expect((thrown as Error).message).toContain('perCallRulesCheckedElsewhere');
        expect(() => createTokenVerifier(guarded)).toThrow(/never reads the request body/);
        // Acknowledged (the gate also runs in front): the options are made.
        const options = sdkBearerAuthOptions(guarded, { perCallRulesCheckedElsewhere: true });
        expect(options.expectedResource.href).toBe(resource);
      } finally {
        guarded.close();
      }
    }
  });

  // MCP requires a 403 for a present, disallowed Origin; requireBearerAuth hands the verifier the token only.
  it('refuses a gate with a cors.origin list unless something else checks the Origin', () => {
    const listed = gopherAuth({ resource, issuer: ISSUER, jwksUri: jwks.url, backend: 'js', cors: { origin: ['https://app.example'] } });
    const open = gopherAuth({ resource, issuer: ISSUER, jwksUri: jwks.url, backend: 'js', cors: { origin: '*' } });
    try {
      expect(() => sdkBearerAuthOptions(listed)).toThrow(/never sees the request's Origin.*originCheckedElsewhere/);
      expect(() => createTokenVerifier(listed)).toThrow(expect.objectContaining({ code: GopherAuthError.INVALID_CONFIG }));
      expect(sdkBearerAuthOptions(listed, { originCheckedElsewhere: true }).expectedResource.href).toBe(resource);
      expect(sdkBearerAuthOptions(listed, { perCallRulesCheckedElsewhere: true }).expectedResource.href).toBe(resource);
      expect(sdkBearerAuthOptions(open).expectedResource.href).toBe(resource);
    } finally {
      listed.close();
      open.close();
    }
  });

  it('with the gate in front too, its per-tool rule still refuses before the SDK middleware runs', async () => {
    const guarded = gopherAuth({ resource, issuer: ISSUER, jwksUri: jwks.url, backend: 'js', toolScopes: { 'admin-tool': ['mcp:admin'] } });
    const app = express();
    app.post('/both', guarded, requireBearerAuth(sdkBearerAuthOptions(guarded, { errors: esmErrors, perCallRulesCheckedElsewhere: true })), (_req, res) => {
      res.json({ ran: true });
    });
    const local = createServer(app);
    await new Promise<void>((r) => local.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(local.address() as AddressInfo).port}/both`;
      const call = (name: string) =>
        fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${token()}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: {} } }),
        });
      expect((await call('admin-tool')).status).toBe(403);
      expect((await call('weather')).status).toBe(200);
    } finally {
      local.close();
      guarded.close();
    }
  });
});

describe("the SDK's mcpAuthMetadataRouter with our options", () => {
  it('publishes the PRM at the URL our challenges name, for the same resource', async () => {
    const { mcpAuthMetadataRouter, getOAuthProtectedResourceMetadataUrl } = await import('@modelcontextprotocol/sdk/server/auth/router.js');
    const { buildAuthorizationServerMetadata } = await import('../../src/core/metadata.js');
    const asMetadata = buildAuthorizationServerMetadata({
      issuer: ISSUER,
      authorizationEndpoint: `${ISSUER}/auth`,
      tokenEndpoint: `${ISSUER}/token`,
      jwksUri: `${ISSUER}/certs`,
    }) as { issuer: string; authorization_endpoint: string; token_endpoint: string; response_types_supported: string[] };
    const options = sdkMetadataRouterOptions(auth, asMetadata);
    expect(getOAuthProtectedResourceMetadataUrl(options.resourceServerUrl)).toBe(auth.resourceMetadataUrl);

    const app = express();
    app.use(mcpAuthMetadataRouter(options));
    const srv = createServer(app);
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    try {
      const port = (srv.address() as AddressInfo).port;
      const path = new URL(auth.resourceMetadataUrl).pathname;
      const doc = (await (await fetch(`http://127.0.0.1:${port}${path}`)).json()) as Record<string, unknown>;
      expect(doc['resource']).toBe(resource);
      expect(doc['authorization_servers']).toEqual([ISSUER]);
      const as = (await (await fetch(`http://127.0.0.1:${port}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
      expect(as['issuer']).toBe(ISSUER);
    } finally {
      srv.closeAllConnections();
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });

  it('refuses authorization-server metadata of another issuer', () => {
    expect(() => sdkMetadataRouterOptions(auth, { issuer: 'https://other.example' })).toThrow(/other\.example/);
    expect(() => sdkMetadataRouterOptions(auth, { issuer: undefined } as unknown as { issuer: string })).toThrow(/names issuer undefined/);
  });

  // The SDK publishes resource as URL.href: a root resource without its '/' would send clients for
  // tokens with aud 'http://host/' that the gate (audience 'http://host') refuses, every time.
  it("a root resource: the router's resource is the audience the gate checks, or the configuration is refused", async () => {
    const { mcpAuthMetadataRouter } = await import('@modelcontextprotocol/sdk/server/auth/router.js');
    const asMetadata = { issuer: ISSUER, authorization_endpoint: `${ISSUER}/auth`, token_endpoint: `${ISSUER}/token`, response_types_supported: ['code'] };
    const bare = gopherAuth({ resource: base, issuer: ISSUER, jwksUri: jwks.url, backend: 'js' });
    try {
      expect(() => sdkMetadataRouterOptions(bare, asMetadata)).toThrow(`configure resource: "${base}/"`);
    } finally {
      bare.close();
    }
    // An audience set apart from the resource is the operator's mapping: not second-guessed.
    const mapped = gopherAuth({ resource: base, audience: 'api://mcp', issuer: ISSUER, jwksUri: jwks.url, backend: 'js' });
    try {
      expect(sdkMetadataRouterOptions(mapped, asMetadata).resourceServerUrl.href).toBe(`${base}/`);
    } finally {
      mapped.close();
    }

    const root = gopherAuth({ resource: `${base}/`, issuer: ISSUER, jwksUri: jwks.url, backend: 'js' });
    const app = express();
    app.use(mcpAuthMetadataRouter(sdkMetadataRouterOptions(root, asMetadata)));
    app.post('/', requireBearerAuth(sdkBearerAuthOptions(root, { errors: esmErrors })), (_req, res) => void res.json({ ok: true }));
    const srv = createServer(app);
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    try {
      const port = (srv.address() as AddressInfo).port;
      const prm = (await (await fetch(`http://127.0.0.1:${port}/.well-known/oauth-protected-resource`)).json()) as { resource: string };
      expect(prm.resource).toBe(`${base}/`);
      // What a client gets from the authorization server for that resource.
      const answer = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: { authorization: `Bearer ${issuer.sign({ claims: { aud: prm.resource } })}` } });
      expect(answer.status).toBe(200);
    } finally {
      srv.closeAllConnections();
      await new Promise<void>((r) => srv.close(() => r()));
      root.close();
    }
  });
});

// The SDK's middleware answers with fixed texts only: the operator's reasons must still arrive.
describe("refusals through the SDK's requireBearerAuth reach logger and onAuthFailure", () => {
  it('a refused token: one event without method or path, one warn line with the reason; an accepted one: none', async () => {
    const events: AuthFailureEvent[] = [];
    const lines: { level: string; obj: unknown; msg?: string }[] = [];
    const record = (level: string) => (obj: unknown, msg?: string) => void lines.push({ level, obj, msg });
    const observed = gopherAuth({
      resource,
      issuer: ISSUER,
      jwksUri: jwks.url,
      backend: 'js',
      logger: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') },
      onAuthFailure: (event) => void events.push(event),
    });
    const app = express();
    app.post('/', requireBearerAuth(sdkBearerAuthOptions(observed, { errors: esmErrors })), (_req, res) => void res.json({ ok: true }));
    const srv = createServer(app);
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/`;
      const send = (bearer: string) => fetch(url, { method: 'POST', headers: { authorization: `Bearer ${bearer}` } });
      const refused = await send(token({ aud: 'https://elsewhere.example' }));
      expect(refused.status).toBe(401);
      expect(await refused.text()).not.toContain('elsewhere');
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ kind: 'invalid_token', status: 401, code: GopherAuthError.INVALID_AUDIENCE });
      expect(events[0]!.reason).toContain('elsewhere.example');
      expect(events[0]).not.toHaveProperty('method');
      expect(events[0]).not.toHaveProperty('path');
      expect(lines.filter((l) => l.level === 'warn')).toEqual([{ level: 'warn', obj: expect.objectContaining({ reason: events[0]!.reason }), msg: 'gopher-auth: request refused' }]);

      expect((await send(token())).status).toBe(200);
      expect(events).toHaveLength(1);
    } finally {
      srv.closeAllConnections();
      await new Promise<void>((r) => srv.close(() => r()));
      observed.close();
    }
  });
});
