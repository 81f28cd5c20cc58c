/**
 * The core flow with the real native backend under 'auto' (linux-x64: never skipped): RS* tokens go
 * to native, everything else to JS, and native "valid" answers pass the JS re-check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeBackend } from '../../src/backends/native/index.js';
import { GopherAuthClient } from '../../src/core/client.js';
import { GopherAuthError } from '../../src/core/errors.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';

const issuer = new TestIssuer('https://issuer.test/auto');
let server: JwksServer;
let client: GopherAuthClient;

beforeAll(async () => {
  server = await startJwksServer({ jwks: issuer.jwks(['rsa2048', 'rsa1024', 'p256']) });
  client = new GopherAuthClient(server.url, issuer.issuer, { backend: 'auto' });
  await client.ready();
});
afterAll(async () => {
  client.destroy();
  await server.close();
});

describe("backend 'auto' with the native library", () => {
  it('the native backend is available on this platform', () => {
    expect(process.platform === 'linux' && process.arch === 'x64').toBe(true);
    expect(nativeBackend.availability()).toEqual({ available: true });
    expect(client.backend).toBe('native');
  });

  it('validates RS256 (native) and ES256 (JS) tokens', async () => {
    expect(await client.validateToken(issuer.sign())).toEqual({ valid: true, errorCode: 0, errorMessage: null });
    expect(await client.validateToken(issuer.sign({ alg: 'ES256' }))).toEqual({ valid: true, errorCode: 0, errorMessage: null });
    expect(client.validateTokenSync(issuer.sign())).toEqual({ valid: true, errorCode: 0, errorMessage: null });
  });

  it('native answers rejections with the native codes', async () => {
    expect((await client.validateToken(issuer.sign({ claims: { exp: issuer.now() - 3600 } }))).errorCode).toBe(GopherAuthError.EXPIRED_TOKEN);
    expect((await client.validateToken(issuer.sign({ key: 'rsa2048c', kid: 'rsa2048' }))).errorCode).toBe(GopherAuthError.INVALID_SIGNATURE);
  });

  it('the JS re-check refuses what the native library wrongly accepts', async () => {
    const nested = issuer.signRaw({
      alg: 'RS256',
      headerJson: '{"alg":"RS256","kid":"rsa2048"}',
      payloadJson: `{"sub":"u","iss":"${issuer.issuer}","ctx":{"exp":${issuer.now() + 600}},"exp":${issuer.now() - 900}}`,
    });
    expect(await client.validateToken(nested)).toMatchObject({ valid: false, errorCode: GopherAuthError.EXPIRED_TOKEN });
    expect(await client.validateToken(issuer.sign({ key: 'rsa1024' }))).toMatchObject({ valid: false, errorCode: GopherAuthError.INVALID_KEY });
    expect(await client.validateToken(issuer.sign({ claims: { exp: -1 } }))).toMatchObject({ valid: false, errorCode: GopherAuthError.INVALID_TOKEN });
    expect(await client.validateToken(issuer.sign({ header: { crit: ['x'], x: 1 } }))).toMatchObject({ valid: false, errorCode: GopherAuthError.INVALID_TOKEN });
  });

  it('scopes from scp are honoured on the native path (the JS re-check enforces scopes)', async () => {
    const token = issuer.sign({ claims: { scp: ['mcp:read'] } });
    expect((await client.validateToken(token, { scopes: ['mcp:read'] })).valid).toBe(true);
    expect((await client.validateToken(token, { scopes: ['mcp:admin'] })).errorCode).toBe(GopherAuthError.INSUFFICIENT_SCOPE);
  });

  it('an unknown kid on the native path refetches through the JWKS manager, then answers INVALID_KEY', async () => {
    const before = server.fetchCount;
    const result = await client.validateToken(issuer.sign({ kid: 'nope' }));
    expect(result.errorCode).toBe(GopherAuthError.INVALID_KEY);
    expect(server.fetchCount - before).toBeLessThanOrEqual(1);
  });
});
