import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TestIssuer } from '../support/issuer.js';
import { createSelfSignedCert, type SelfSignedCert } from '../support/tls.js';
import { mountNamespaceUnavailable, runFixture } from './run-fixture.js';

// Child processes on a shared 2-core machine can be slow to start; hangs are still bounded.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

interface Outcome {
  viaInjection: { valid: boolean; code: number };
  viaInjectionAsync: { valid: boolean; code: number };
  nativeRefreshRc: number | null;
  viaNativeFetch: { valid: boolean; code: number } | null;
  jsRefetchKeys: number;
}

const noNamespace = mountNamespaceUnavailable();
if (noNamespace) console.warn(`native HTTPS fetch with a trusted CA skipped: ${noNamespace}`);

const issuer = new TestIssuer('https://issuer.test/realms/native');
let cert: SelfSignedCert;
let server: Server;
let url: string;
let connections = 0;
let jwksRequests = 0;
const tlsErrors: string[] = [];

beforeAll(async () => {
  cert = createSelfSignedCert();
  const body = JSON.stringify(issuer.jwks(['rsa2048']));
  server = createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
    jwksRequests++;
    res.setHeader('content-type', 'application/json');
    res.end(body);
  });
  server.on('connection', () => connections++);
  server.on('tlsClientError', (err) => tlsErrors.push(err.message));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  cert.cleanup();
});

function reset(): void {
  connections = 0;
  jwksRequests = 0;
  tlsErrors.length = 0;
}

describe('HTTPS JWKS with a self-signed certificate trusted via NODE_EXTRA_CA_CERTS', () => {
  it('keys fetched by JS over HTTPS validate natively; native code never opens a connection', async () => {
    reset();
    const run = await runFixture<Outcome>('https-jwks.ts', {
      env: { JWKS_URL: url, TOKEN: issuer.sign(), NODE_EXTRA_CA_CERTS: cert.certPath },
    });
    expect(run.signal).toBeNull();
    expect(run.code).toBe(0);
    expect(run.result?.viaInjection).toMatchObject({ valid: true, code: 0 });
    expect(run.result?.viaInjectionAsync).toMatchObject({ valid: true, code: 0 });
    expect(run.result?.jsRefetchKeys).toBe(1);
    // Exactly the two JS fetches (ready + refresh) reached the server, over trusted TLS.
    expect(jwksRequests).toBe(2);
    expect(tlsErrors).toEqual([]);
  });

  it('a native HTTPS fetch on the isolated load fails cleanly instead of crashing, and Node HTTPS still works', async () => {
    reset();
    const run = await runFixture<Outcome>('https-jwks.ts', {
      args: ['native-fetch'],
      env: { JWKS_URL: url, TOKEN: issuer.sign(), NODE_EXTRA_CA_CERTS: cert.certPath },
    });
    expect(run.signal).toBeNull();
    expect(run.code).toBe(0);
    // The bundled libcurl trusts only its compiled-in CA bundle, so its TLS handshake (OpenSSL 1.1
    // on the isolated load) is refused by certificate verification: -1006, no crash.
    expect(run.result?.nativeRefreshRc).toBe(-1006);
    expect(tlsErrors.some((m) => m.includes('unknown ca'))).toBe(true);
    expect(run.result?.jsRefetchKeys).toBe(1);
    expect(run.result?.viaInjection).toMatchObject({ valid: true, code: 0 });
    expect(run.stdout.length).toBe(0);
  });
});

describe.skipIf(noNamespace !== null)('native HTTPS fetch with the test CA trusted by the bundled libcurl (private mount namespace)', () => {
  it('control: on a plain dlopen the native HTTPS fetch crashes the process (Node 20) or fails', async () => {
    reset();
    const run = await runFixture<{ rawRefreshRc: number }>('https-jwks.ts', {
      args: ['raw-fetch'],
      caBundle: cert.certPath,
      env: { JWKS_URL: url, TOKEN: issuer.sign(), NODE_EXTRA_CA_CERTS: cert.certPath },
    });
    if (process.versions.node.startsWith('20.')) {
      expect(run.result).toBeNull();
      expect(run.signal).toBe('SIGSEGV');
    } else {
      // Other Node builds export other OpenSSL internals: the mixed-up fetch crashes or fails.
      expect(run.signal === 'SIGSEGV' || (run.result !== null && run.result.rawRefreshRc !== 0)).toBe(true);
    }
  });

  it('on the isolated load the same native HTTPS fetch succeeds and its keys validate', async () => {
    reset();
    const run = await runFixture<Outcome>('https-jwks.ts', {
      args: ['native-fetch'],
      caBundle: cert.certPath,
      env: { JWKS_URL: url, TOKEN: issuer.sign(), NODE_EXTRA_CA_CERTS: cert.certPath },
    });
    expect(run.signal).toBeNull();
    expect(run.code).toBe(0);
    expect(run.result?.nativeRefreshRc).toBe(0);
    expect(run.result?.viaNativeFetch).toMatchObject({ valid: true, code: 0 });
    expect(run.result?.viaInjection).toMatchObject({ valid: true, code: 0 });
    expect(run.result?.jsRefetchKeys).toBe(1);
    // JS ready(), the native fetch, JS refresh().
    expect(jwksRequests).toBe(3);
    expect(tlsErrors).toEqual([]);
    expect(run.stdout.length).toBe(0);
  });
});
