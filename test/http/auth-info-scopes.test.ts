/** AuthInfo.scopes lists what extractPayload's `scopes` lists: scope-tokens only. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gopherAuth, type GopherAuth } from '../../src/http/gopher-auth.js';
import { extractTokenPayload } from '../../src/core/payload.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';

const issuer = new TestIssuer('https://issuer.test/realms/auth-info');
const RESOURCE = 'https://mcp.test/mcp';
let jwks: JwksServer;
let auth: GopherAuth;
beforeAll(async () => {
  jwks = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
  auth = gopherAuth({ resource: RESOURCE, issuer: issuer.issuer, jwksUri: jwks.url, backend: 'js' });
});
afterAll(async () => {
  auth.close();
  await jwks.close();
});

describe('AuthInfo.scopes', () => {
  it('drops entries that are not scope-tokens (a NUL, a space, empty, not a string), as the payload view does', async () => {
    const token = issuer.sign({ claims: { aud: RESOURCE, scope: undefined, scp: ['a', 'a\u0000b', '', 5, 'A', 'b c', 'mcp:read'] } });
    const info = await auth.verifyAccessToken(token);
    expect(info.scopes).toEqual(['a', 'A', 'mcp:read']);
    expect(extractTokenPayload(token)!.scopes.split(' ')).toEqual(['a', 'A', 'mcp:read']);
  });
});
