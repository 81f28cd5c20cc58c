import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GopherAuthClient } from '../../src/core/client.js';
import { GopherAuthError } from '../../src/core/errors.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';

/**
 * A rotation while many validations are in flight: the refetch that brings the new key lands between
 * tokens being accepted and being sent to the native library. Every new-key token must pass and every
 * token of the removed key must fail, whichever key set each validation happened to start with.
 */
const issuer = new TestIssuer('https://issuer.test/rotation');
let server: JwksServer;

beforeAll(async () => {
  server = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
});
afterAll(async () => {
  await server.close();
});

const TRIALS = 8;
const EACH = 300;

describe.each(['auto', 'native', 'js'] as const)("backend '%s': a rotation under load", (backend) => {
  it('accepts every token of the new key and refuses every token of the removed one', async () => {
    const wronglyRefused: string[] = [];
    let wronglyAccepted = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      server.setJwks(issuer.jwks(['rsa2048']));
      const client = new GopherAuthClient(server.url, issuer.issuer, { backend });
      try {
        await client.ready();
        const oldKey = issuer.sign({ key: 'rsa2048' });
        const newKey = issuer.sign({ key: 'rsa3072' });
        expect((await client.validateToken(oldKey)).valid).toBe(true);
        server.setJwks(issuer.jwks(['rsa3072']));
        const [fresh] = await Promise.all([
          Promise.all(Array.from({ length: EACH }, () => client.validateToken(newKey))),
          Promise.all(Array.from({ length: EACH }, () => client.validateToken(oldKey))),
        ]);
        for (const r of fresh) if (!r.valid) wronglyRefused.push(`${r.errorCode} ${r.errorMessage}`);
        // Old-key tokens started before the refetch landed may pass (nobody could know yet); after it, none.
        expect(await client.validateToken(oldKey)).toMatchObject({ valid: false, errorCode: GopherAuthError.INVALID_KEY });
        wronglyAccepted += (await Promise.all(Array.from({ length: 16 }, () => client.validateToken(oldKey)))).filter((r) => r.valid).length;
      } finally {
        client.destroy();
      }
    }
    expect(wronglyRefused).toEqual([]);
    expect(wronglyAccepted).toBe(0);
  }, 60_000);
});
