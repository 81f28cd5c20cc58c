import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GopherAuthError } from '../../src/core/errors.js';
import { startHttpsJwksServer, type HttpsJwksServer } from '../support/tls.js';
import { runFixture } from './child.js';
import { makeRsaJwk } from './helpers.js';

let server: HttpsJwksServer;
beforeAll(async () => {
  server = await startHttpsJwksServer({ jwks: { keys: [makeRsaJwk('tls-key')] } });
});
afterAll(async () => {
  await server?.close();
});

function childEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  if (!('NODE_EXTRA_CA_CERTS' in extra)) delete env.NODE_EXTRA_CA_CERTS;
  delete env.NODE_OPTIONS; // keep the test runner's loader hooks out of the child
  return env;
}

describe('HTTPS JWKS', () => {
  it('fetches over HTTPS from a self-signed server trusted through NODE_EXTRA_CA_CERTS, then exits by itself', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/jwks\.json$/);
    const [trusted, untrusted] = await Promise.all([
      runFixture('ready-and-exit.ts', [server.url], childEnv({ NODE_EXTRA_CA_CERTS: server.certificate.certPath })),
      runFixture('ready-and-exit.ts', [server.url], childEnv({})),
    ]);

    expect(trusted.signal, trusted.stderr).toBeNull(); // not killed: no timer or socket kept it alive
    expect(trusted.code, trusted.stderr).toBe(0);
    expect(JSON.parse(trusted.stdout.trim())).toEqual({ ok: true, kids: ['tls-key'], version: 1 });

    // Without the CA the same fetch fails certificate verification: the trust really came from the env.
    expect(untrusted.code, untrusted.stderr).toBe(0);
    const refused = JSON.parse(untrusted.stdout.trim()) as { ok: boolean; code: number; message: string };
    expect(refused.ok).toBe(false);
    expect(refused.code).toBe(GopherAuthError.JWKS_FETCH_FAILED);
    expect(refused.message).toMatch(/certificate|self.signed|SELF_SIGNED/i);

    expect(server.fetchCount).toBe(1);
  });
});
