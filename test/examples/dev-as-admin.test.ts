import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevAuthorizationServer, type DevAuthorizationServer } from '../../examples/dev-authorization-server/index.js';
import { rawRequest } from './helpers.js';

let as: DevAuthorizationServer;
beforeAll(async () => {
  as = await startDevAuthorizationServer({ adminRoutes: true });
});
afterAll(async () => {
  await as.close();
});

const rotateUrl = (): string => `${as.url}/admin/rotate-keys`;

describe('development authorization server: POST /admin/rotate-keys', () => {
  it('refuses what a web page can send cross-origin without a preflight (text/plain, form, no type)', async () => {
    const before = as.currentKid;
    const attempts: Array<Record<string, string>> = [
      { origin: 'https://evil.example', 'content-type': 'text/plain' },
      { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      { origin: 'https://evil.example', 'content-type': 'multipart/form-data; boundary=x' },
      {},
    ];
    for (const headers of attempts) {
      // Bytes, not a string: fetch would add text/plain by itself.
      const response = await fetch(rotateUrl(), { method: 'POST', headers, body: new TextEncoder().encode('{}') });
      expect(response.status, JSON.stringify(headers)).toBe(415);
      await response.body?.cancel();
    }
    expect(as.currentKid).toBe(before);
  });

  it('grants no CORS preflight to any origin, so a page cannot send application/json either', async () => {
    const preflight = await fetch(rotateUrl(), {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.ok).toBe(false);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-headers')).toBeNull();
  });

  it('rotates on an application/json POST, with no CORS headers on the answer', async () => {
    const before = as.currentKid;
    const response = await fetch(rotateUrl(), { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const { kid } = (await response.json()) as { kid: string };
    expect(kid).not.toBe(before);
    expect(as.currentKid).toBe(kid);
  });
});

describe('development authorization server: Host header (DNS rebinding)', () => {
  it('answers only requests addressed to its own name, localhost or an IP literal', async () => {
    const port = new URL(as.url).port;
    const before = as.currentKid;
    // After DNS rebinding, a page of evil.example reaches this socket same-origin: no preflight, Host: evil.example.
    const rebound = await rawRequest(`${as.url}/admin/rotate-keys`, {
      method: 'POST',
      headers: { host: `evil.example:${port}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(rebound.status).toBe(421);
    expect(as.currentKid).toBe(before);
    const metadata = await rawRequest(`${as.url}/.well-known/oauth-authorization-server`, { method: 'GET', headers: { host: `evil.example:${port}` } });
    expect(metadata.status).toBe(421);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, new URL(as.url).host]) {
      const ok = await rawRequest(`${as.url}/.well-known/oauth-authorization-server`, { method: 'GET', headers: { host } });
      expect(ok.status, host).toBe(200);
    }
  });
});
