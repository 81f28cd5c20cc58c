/**
 * The fuzzing environment: a JWKS served over HTTP on 127.0.0.1, one GopherAuthClient per backend
 * (JS, native) built from it, and a pool of genuinely signed tokens whose signing inputs are the
 * only header+payload bytes any client may ever accept.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GopherAuthClient } from '../../src/core/client.js';
import { TestIssuer } from '../support/issuer.js';

export const FUZZ_ISSUER = 'https://issuer.test/realms/fuzz';

export interface FuzzEnv {
  issuer: TestIssuer;
  js: GopherAuthClient;
  /** Backend 'auto' and 'native'; null only off linux-x64, where the native library cannot be installed. */
  auto: GopherAuthClient | null;
  native: GopherAuthClient | null;
  genuine: readonly string[];
  /** `header.payload` of every genuine token. */
  signingInputs: ReadonlySet<string>;
  close(): Promise<void>;
}

export function nativeSupported(): boolean {
  return process.platform === 'linux' && process.arch === 'x64';
}

export function genuineTokens(issuer: TestIssuer): string[] {
  const now = issuer.now();
  return [
    issuer.sign(),
    issuer.sign({ alg: 'RS384' }),
    issuer.sign({ alg: 'RS512', claims: { scope: 'mcp:read mcp:admin', aud: 'api://mcp' } }),
    issuer.sign({ kid: null, claims: { nbf: now - 10 } }),
    issuer.sign({ alg: 'PS256' }),
    issuer.sign({ alg: 'ES256', claims: { aud: ['a', 'api://mcp'] } }),
    issuer.sign({ alg: 'EdDSA' }),
    issuer.sign({ claims: { act: { sub: 'svc', iss: 'https://other.test' }, groups: ['a', 'b'] } }),
  ];
}

export async function startFuzzEnv(): Promise<FuzzEnv> {
  const issuer = new TestIssuer(FUZZ_ISSUER);
  const body = JSON.stringify(issuer.jwks(['rsa2048', 'p256', 'ed25519', 'rsa1024']));
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  const options = { jwks: { unknownKidCooldown: 3600 } };
  const js = new GopherAuthClient(jwksUri, FUZZ_ISSUER, { ...options, backend: 'js' });
  const native = nativeSupported() ? new GopherAuthClient(jwksUri, FUZZ_ISSUER, { ...options, backend: 'native' }) : null;
  const auto = nativeSupported() ? new GopherAuthClient(jwksUri, FUZZ_ISSUER, { ...options, backend: 'auto' }) : null;
  await js.ready();
  await native?.ready();
  await auto?.ready();
  const genuine = genuineTokens(issuer);
  return {
    issuer,
    js,
    auto,
    native,
    genuine,
    signingInputs: new Set(genuine.map((t) => t.slice(0, t.lastIndexOf('.')))),
    async close() {
      js.destroy();
      native?.destroy();
      auto?.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
