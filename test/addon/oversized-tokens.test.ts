/**
 * Tokens over 64 KiB (or holding a NUL) are refused before the library sees them: its parser spends
 * ~0.1 s per MiB, and the JS re-check would give the same verdict, so only the library's own count
 * of validations shows that the size check runs (the vector suites cannot tell).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeAddon } from '../../src/backends/native/addon.js';
import { GopherAuthClient } from '../../src/core/client.js';
import { GopherAuthError } from '../../src/core/errors.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';

const issuer = new TestIssuer('https://issuer.test/oversized');
let server: JwksServer;
let client: GopherAuthClient;
beforeAll(async () => {
  server = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
  client = new GopherAuthClient(server.url, issuer.issuer, { backend: 'native' });
  await client.ready();
});
afterAll(async () => {
  client.destroy();
  await server.close();
});

const libraryCalls = (): number => nativeAddon()?.stats().validations ?? -1;

describe.runIf(process.platform === 'linux' && process.arch === 'x64')('tokens the library never sees', () => {
  it('over 64 KiB or holding a NUL: refused without a library call, sync and awaited; a normal token is one call', async () => {
    expect(nativeAddon()).not.toBeNull();
    const padded = issuer.sign({ claims: { pad: 'x'.repeat(1024 * 1024) } });
    const withNul = `${issuer.sign()}\u0000`;
    const before = libraryCalls();
    for (const token of [padded, withNul]) {
      expect(client.validateTokenSync(token)).toMatchObject({ valid: false, errorCode: GopherAuthError.INVALID_TOKEN });
      expect(await client.validateToken(token)).toMatchObject({ valid: false, errorCode: GopherAuthError.INVALID_TOKEN });
      expect(await Promise.all([client.validateToken(token), client.validateToken(token)])).toMatchObject([{ valid: false }, { valid: false }]);
    }
    expect(libraryCalls()).toBe(before);
    expect(client.validateTokenSync(issuer.sign()).valid).toBe(true);
    expect(libraryCalls()).toBe(before + 1);
  });
});
