/**
 * The native claim parser takes the first textual occurrence of a claim, nested objects and
 * duplicates included. The native backend alone accepts such tokens (control); through
 * GopherAuthClient the JS re-check on a real JSON parse rejects them.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNativeClient } from '../../src/backends/native/index.js';
import { GopherAuthClient } from '../../src/core/client.js';
import { TestIssuer } from '../support/issuer.js';

const issuer = new TestIssuer('https://issuer.test/realms/claims');
const now = issuer.now();
const header = JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'rsa2048' });
const raw = (payloadJson: string): string => issuer.signRaw({ alg: 'RS256', key: 'rsa2048', headerJson: header, payloadJson });
const iss = JSON.stringify(issuer.issuer);

const cases: { name: string; token: () => string; options?: { audience?: string; scopes?: string[] } }[] = [
  { name: 'nested future exp before the real, expired exp', token: () => raw(`{"sub":"u","meta":{"exp":${now + 3600}},"iss":${iss},"exp":${now - 3600}}`) },
  { name: 'duplicate exp (future first, expired last)', token: () => raw(`{"sub":"u","exp":${now + 3600},"iss":${iss},"exp":${now - 3600}}`) },
  { name: 'nested issuer before a foreign issuer', token: () => raw(`{"sub":"u","ctx":{"iss":${iss}},"iss":"https://evil.test","exp":${now + 600}}`) },
  {
    name: 'nested audience before the real audience',
    token: () => raw(`{"sub":"u","ctx":{"aud":"api://mine"},"iss":${iss},"aud":"api://other","exp":${now + 600}}`),
    options: { audience: 'api://mine' },
  },
  {
    name: 'nested scope before the real scope',
    token: () => raw(`{"sub":"u","ctx":{"scope":"admin"},"iss":${iss},"scope":"read","exp":${now + 600}}`),
    options: { scopes: ['admin'] },
  },
];

let server: Server;
let jwksUri: string;

beforeAll(async () => {
  const body = JSON.stringify(issuer.jwks(['rsa2048']));
  server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe.runIf(process.platform === 'linux' && process.arch === 'x64')('nested and duplicate claims', () => {
  it('control: the native library alone accepts every one of them', () => {
    const client = createNativeClient({ jwksUri, issuer: issuer.issuer });
    const doc = issuer.jwks(['rsa2048']);
    client.setKeys({ keys: doc.keys, json: JSON.stringify(doc), fetchedAt: Date.now(), version: 1 });
    try {
      for (const c of cases) {
        const verdict = client.validateSync(c.token(), {
          issuer: issuer.issuer,
          clockSkew: 60,
          algorithms: ['RS256'],
          audience: c.options?.audience,
          scopes: c.options?.scopes,
        });
        expect(verdict, c.name).toMatchObject({ valid: true });
      }
    } finally {
      client.destroy();
    }
  });

  for (const backend of ['native', 'auto'] as const) {
    it(`GopherAuthClient with backend '${backend}' rejects every one of them (async and sync)`, async () => {
      const client = new GopherAuthClient(jwksUri, issuer.issuer, { backend });
      try {
        await client.ready();
        expect(client.backend).toBe('native');
        const good = await client.validateToken(issuer.sign({ key: 'rsa2048' }));
        expect(good.valid).toBe(true);
        for (const c of cases) {
          const token = c.token();
          const result = await client.validateToken(token, c.options);
          expect(result.valid, c.name).toBe(false);
          expect(result.errorCode, c.name).not.toBe(0);
          expect(client.validateTokenSync(token, c.options).valid, c.name).toBe(false);
        }
      } finally {
        client.destroy();
      }
    });
  }
});
