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
