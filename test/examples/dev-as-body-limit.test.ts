import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevAuthorizationServer, type DevAuthorizationServer } from '../../examples/dev-authorization-server/index.js';

let as: DevAuthorizationServer;
beforeAll(async () => {
  as = await startDevAuthorizationServer();
});
afterAll(async () => {
  await as.close();
});

/** Writes `first`, then `second` once the first answer's head arrived, on one keep-alive connection: the status lines seen. */
function twoOnOneConnection(first: string, second: string): Promise<string[]> {
  const url = new URL(as.url);
  return new Promise((resolve) => {
    let text = '';
    let sentSecond = false;
    const statuses = (): string[] => text.match(/HTTP\/1\.1 \d{3}/g) ?? [];
    const socket = connect(Number(url.port), url.hostname, () => socket.write(first));
    socket.setTimeout(3_000, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (statuses().length === 1 && !sentSecond) {
        sentSecond = true;
        socket.write(second);
      }
      if (statuses().length === 2) socket.destroy();
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(statuses()));
  });
}

describe('dev authorization server: a body over 64 KiB', () => {
  it('is answered 413, and the keep-alive connection serves the next request', async () => {
    const host = new URL(as.url).host;
    for (const [path, type] of [
      ['/clients-registrations/openid-connect', 'application/json'],
      ['/protocol/openid-connect/token', 'application/x-www-form-urlencoded'],
    ]) {
      const big = 'a'.repeat(256 * 1024);
      const oversized = `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: ${type}\r\nContent-Length: ${big.length}\r\n\r\n${big}`;
      const next = `GET /.well-known/oauth-authorization-server HTTP/1.1\r\nHost: ${host}\r\n\r\n`;
      expect(await twoOnOneConnection(oversized, next), path).toEqual(['HTTP/1.1 413', 'HTTP/1.1 200']);
    }
  });
});
