import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GopherAuthClient } from '../../src/core/client.js';
import { gopherAuth } from '../../src/http/gopher-auth.js';
import type { TokenClient } from '../../src/http/config.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';

const ISSUER = 'https://issuer.test/realms/demo';
const RESOURCE = 'http://127.0.0.1:9/mcp';
let server: JwksServer;

beforeAll(async () => {
  server = await startJwksServer({ jwks: new TestIssuer(ISSUER).jwks(['rsa2048']) });
});
afterAll(async () => {
  await server.close();
});

describe('gopherAuth().gopherAuthClient', () => {
  it('is the GopherAuthClient the gate created from jwksUri', () => {
    const auth = gopherAuth({ resource: RESOURCE, issuer: ISSUER, jwksUri: server.url, backend: 'js' });
    try {
      expect(auth.gopherAuthClient).toBeInstanceOf(GopherAuthClient);
      expect(auth.gopherAuthClient).toBe(auth.client);
      expect(auth.gopherAuthClient?.jwksStatus().uri).toBe(server.url);
    } finally {
      auth.close();
    }
  });

  it('is the caller’s client when it is a GopherAuthClient, and undefined for any other token client', () => {
    using own = new GopherAuthClient(server.url, ISSUER, { backend: 'js' });
    const withOwn = gopherAuth({ resource: RESOURCE, issuer: ISSUER, client: own });
    expect(withOwn.gopherAuthClient).toBe(own);
    const custom: TokenClient = { validateToken: () => Promise.resolve({ valid: false, errorCode: -1000, errorMessage: 'no' }), extractPayload: () => null };
    const withCustom = gopherAuth({ resource: RESOURCE, issuer: ISSUER, client: custom });
    expect(withCustom.client).toBe(custom);
    expect(withCustom.gopherAuthClient).toBeUndefined();
  });
});

describe('closing a gate with requests in flight', () => {
  for (const backend of ['js', 'native'] as const) {
    it(`${backend}: requests validated before close() go on; later ones get 503, never a 500`, async () => {
      const issuer = new TestIssuer(ISSUER);
      const auth = gopherAuth({ resource: RESOURCE, issuer: ISSUER, jwksUri: server.url, backend });
      await auth.gopherAuthClient?.ready();
      const tokens = Array.from({ length: 40 }, (_, i) => issuer.sign({ claims: { aud: RESOURCE, scope: 'mcp:read', sub: `u${i}` } }));
      const pending = tokens.map((token) => auth.authenticate({ method: 'GET', url: '/mcp', authorization: [`Bearer ${token}`], body: async () => undefined }));
      auth.close();
      const after = await auth.authenticate({ method: 'GET', url: '/mcp', authorization: [`Bearer ${tokens[0]}`], body: async () => undefined });
      const outcomes = [...(await Promise.all(pending)), after];
      const kinds = outcomes.map((o) => ('error' in o ? o.error.kind : 'ok'));
      expect(kinds.filter((k) => k !== 'ok' && k !== 'unavailable')).toEqual([]);
      expect(kinds.at(-1)).toBe('unavailable');
      for (const outcome of outcomes) if ('authInfo' in outcome) expect(outcome.authInfo.scopes).toEqual(['mcp:read']);
    });
  }
});

describe('a gate over the caller’s own client', () => {
  it('reads claims through a GopherAuthClient subclass’s own extractPayload', async () => {
    class Mapping extends GopherAuthClient {
      override extractPayload(token: string) {
        const payload = super.extractPayload(token);
        return payload === null ? null : { ...payload, claims: { ...payload.claims, sub: 'mapped-subject' } };
      }
    }
    using own = new Mapping(server.url, ISSUER, { backend: 'js' });
    const auth = gopherAuth({ resource: RESOURCE, issuer: ISSUER, client: own });
    const token = new TestIssuer(ISSUER).sign({ claims: { aud: RESOURCE, scope: 'mcp:read', sub: 'raw-subject' } });
    const outcome = await auth.authenticate({ method: 'GET', url: '/mcp', authorization: [`Bearer ${token}`], body: async () => undefined });
    expect('authInfo' in outcome && outcome.authInfo.extra?.['sub']).toBe('mapped-subject');
  });

  it('after close(), refuses with 503 even though the client (not its own) still works', async () => {
    using own = new GopherAuthClient(server.url, ISSUER, { backend: 'js' });
    const auth = gopherAuth({ resource: RESOURCE, issuer: ISSUER, client: own });
    const token = new TestIssuer(ISSUER).sign({ claims: { aud: RESOURCE, scope: 'mcp:read' } });
    const request = { method: 'GET', url: '/mcp', authorization: [`Bearer ${token}`], body: async () => undefined };
    expect('authInfo' in (await auth.authenticate(request))).toBe(true);
    auth.close();
    expect(own.isDestroyed()).toBe(false);
    const after = await auth.authenticate(request);
    expect('error' in after && after.error.kind).toBe('unavailable');
  });
});
