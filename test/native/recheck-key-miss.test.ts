/**
 * The native header parser takes the first textual "kid", a nested one included. A token whose
 * nested kid names a real key while its top-level kid names none is accepted by the native library
 * alone (control); through GopherAuthClient the JS re-check finds no key for the real kid, and that
 * must end as a refusal, never as the native acceptance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNativeClient } from '../../src/backends/native/index.js';
import { GopherAuthClient } from '../../src/core/client.js';
import { GopherAuthError } from '../../src/core/errors.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';

const issuer = new TestIssuer('https://issuer.test/recheck-miss');
const supported = process.platform === 'linux' && process.arch === 'x64';
let server: JwksServer;

const nestedRealKid = (): string =>
  issuer.signRaw({
    alg: 'RS256',
    key: 'rsa2048',
    headerJson: '{"alg":"RS256","ctx":{"kid":"rsa2048"},"kid":"no-such-key"}',
    payloadJson: JSON.stringify(issuer.defaultClaims()),
  });

beforeAll(async () => {
  server = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
});
afterAll(async () => {
  await server.close();
});

describe.runIf(supported)('native acceptance on a nested kid the JS parse does not have', () => {
  it('control: the native library alone accepts it (it reads the nested kid)', () => {
    const doc = issuer.jwks(['rsa2048']);
    const native = createNativeClient({ jwksUri: server.url, issuer: issuer.issuer });
    try {
      native.setKeys({ keys: doc.keys, json: JSON.stringify(doc), fetchedAt: Date.now(), version: 1 });
      expect(native.validateSync(nestedRealKid(), { issuer: issuer.issuer, clockSkew: 60, algorithms: ['RS256'] }).valid).toBe(true);
    } finally {
      native.destroy();
    }
  });

  it.each(['native', 'auto'] as const)('GopherAuthClient (%s) refuses it with INVALID_KEY, async and sync', async (backend) => {
    const client = new GopherAuthClient(server.url, issuer.issuer, { backend });
    try {
      await client.ready();
      const token = nestedRealKid();
      expect(await client.validateToken(token)).toMatchObject({ valid: false, errorCode: GopherAuthError.INVALID_KEY });
      expect(client.validateTokenSync(token)).toMatchObject({ valid: false, errorCode: GopherAuthError.INVALID_KEY });
      // Control: the same key under its own top-level kid is fine.
      expect((await client.validateToken(issuer.sign())).valid).toBe(true);
    } finally {
      client.destroy();
    }
  });
});
