import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GopherAuthClient } from '../../src/core/client.js';
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

/** The docs/api.md recipe: undici's fetch through a dispatcher that trusts the private CA. */
const fetchThrough = (dispatcher: Agent): typeof fetch =>
  ((url, init) => undiciFetch(url as string, { ...(init as object), dispatcher })) as typeof fetch;

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

  it('trusts a private CA given through jwks.fetch (the recipe in docs/api.md), in this process', async () => {
    const dispatcher = new Agent({ connect: { ca: server.certificate.cert } });
    const client = new GopherAuthClient(server.url, 'https://issuer.test', {
      backend: 'js',
      jwks: { fetch: fetchThrough(dispatcher) },
    });
    try {
      await client.ready();
      expect(client.jwksStatus().kids).toEqual(['tls-key']);
    } finally {
      client.destroy();
      await dispatcher.close();
    }
  });

  it('an untrusted or misnamed certificate fails with the reason and what to do about it', async () => {
    const untrusted = new GopherAuthClient(server.url, 'https://issuer.test', { backend: 'js' });
    // Trusted, but reached under a name the certificate does not carry.
    const dispatcher = new Agent({ connect: { ca: server.certificate.cert, servername: 'keys.example' } });
    const misnamed = new GopherAuthClient(server.url, 'https://issuer.test', {
      backend: 'js',
      jwks: { fetch: fetchThrough(dispatcher) },
    });
    try {
      const refused = await untrusted.ready().then(() => null, (error: unknown) => error as Error & { code: number });
      expect(refused?.code).toBe(GopherAuthError.JWKS_FETCH_FAILED);
      expect(refused?.message).toMatch(/DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
      expect(refused?.message).toContain('set NODE_EXTRA_CA_CERTS to its PEM file, or pass jwks.fetch');
      await expect(misnamed.ready()).rejects.toThrow(/ERR_TLS_CERT_ALTNAME_INVALID.*the certificate is not for the host in the JWKS URI/);
      expect(untrusted.jwksStatus().lastError).toContain('NODE_EXTRA_CA_CERTS');
    } finally {
      untrusted.destroy();
      misnamed.destroy();
      await dispatcher.close();
    }
  });
});
