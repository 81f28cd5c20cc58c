import { afterEach, describe, expect, it } from 'vitest';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';
import { makeJwks } from './helpers.js';

let server: JwksServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('test JWKS server', () => {
  it('serves the document with custom headers, extra routes and a request log', async () => {
    const jwks = makeJwks('a');
    server = await startJwksServer({
      jwks,
      headers: { 'cache-control': 'max-age=42' },
      routes: { '/.well-known/openid-configuration': { issuer: 'http://issuer.test' } },
    });
    expect(server.url).toBe(`${server.origin}/jwks.json`);
    const res = await fetch(server.url);
    expect(res.headers.get('cache-control')).toBe('max-age=42');
    expect(await res.json()).toEqual(jwks);
    const meta = await fetch(`${server.origin}/.well-known/openid-configuration`);
    expect(await meta.json()).toEqual({ issuer: 'http://issuer.test' });
    server.route('/custom', (_req, r) => {
      r.writeHead(418);
      r.end();
    });
    expect((await fetch(`${server.origin}/custom`)).status).toBe(418);
    expect((await fetch(`${server.origin}/missing`)).status).toBe(404);
    expect(server.fetchCount).toBe(1);
    expect(server.requests.map((r) => r.path)).toEqual(['/jwks.json', '/.well-known/openid-configuration', '/custom', '/missing']);
    server.resetCounts();
    expect(server.fetchCount).toBe(0);
  });

  it('applies a fault for `times` requests, then serves normally again', async () => {
    server = await startJwksServer({ jwks: makeJwks('a') });
    server.setFault({ kind: 'status', status: 503, times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(server.url)).status);
    expect(statuses).toEqual([503, 503, 200]);
    expect(server.fetchCount).toBe(3);
  });

  it('close() ends hanging requests and is idempotent', async () => {
    server = await startJwksServer({ jwks: makeJwks('a') });
    server.setFault({ kind: 'hang' });
    const pending = fetch(server.url).then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await Promise.all([server.close(), server.close()]);
    expect(await pending).toBe('failed');
  });
});
