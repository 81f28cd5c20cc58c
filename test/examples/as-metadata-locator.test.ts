import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AsMetadataLocator } from '../../examples/auth-mcp-server/as-metadata.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** An authorization server whose RFC 8414 URL answers with `answer`; the issuer it stands for. */
async function authorizationServer(answer: (res: import('node:http').ServerResponse) => void): Promise<string> {
  server = createServer((req, res) => {
    if (req.url === '/.well-known/oauth-authorization-server') answer(res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

describe('the example server finding its authorization server metadata', () => {
  it('stops reading an endless metadata answer at 256 KB, and says why', async () => {
    let sent = 0;
    const issuer = await authorizationServer((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = (): void => {
        while (sent < 64 * 1024 * 1024 && res.write(chunk)) sent += chunk.length;
        if (sent < 64 * 1024 * 1024) res.once('drain', pump);
      };
      res.write('{"issuer":');
      pump();
    });
    const started = process.memoryUsage().arrayBuffers;
    await expect(new AsMetadataLocator(issuer, 10_000).locate()).rejects.toThrow(/response larger than 262144 bytes/);
    expect(sent).toBeLessThan(16 * 1024 * 1024);
    expect(process.memoryUsage().arrayBuffers - started).toBeLessThan(16 * 1024 * 1024);
  });

  it('a declared length over the cap is refused before reading', async () => {
    const big = await authorizationServer((res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(300 * 1024) });
      res.end(`"${' '.repeat(300 * 1024 - 2)}"`);
    });
    await expect(new AsMetadataLocator(big, 5_000).locate()).rejects.toThrow(/Content-Length 307200/);
  });

  it('a document that is JSON but not an object is a problem named, not a TypeError', async () => {
    const issuer = await authorizationServer((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('null');
    });
    await expect(new AsMetadataLocator(issuer, 5_000).locate()).rejects.toThrow(/oauth-authorization-server: not a JSON object/);
  });

  it('finds a document that names its issuer', async () => {
    const issuer = await authorizationServer((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, token_endpoint: 'x' }));
    });
    const found = await new AsMetadataLocator(issuer, 5_000).locate();
    expect(found).toMatchObject({ kind: 'oauth-authorization-server', document: { token_endpoint: 'x' } });
  });
});
