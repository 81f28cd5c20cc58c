import { afterEach, describe, expect, it } from 'vitest';
import { DESCRIPTIONS } from '../../src/http/errors.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const LIST = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });

async function whoami(harness: Harness, token: string): Promise<Response> {
  return fetch(`${harness.url}/whoami`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: LIST });
}

describe('JWKS unreachable with no usable keys', () => {
  it('answers 503 with Retry-After on a cold start, then recovers', async () => {
    h = await startHarness({ jwksDown: true, config: { retryAfterSeconds: 3 } });
    const token = h.token('mcp:read');
    const down = await whoami(h, token);
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('3');
    expect(down.headers.get('www-authenticate')).toBeNull();
    expect(await down.json()).toEqual({ error: 'temporarily_unavailable', error_description: DESCRIPTIONS.unavailable });
    expect(h.failures.at(-1)).toMatchObject({ kind: 'unavailable', status: 503 });

    h.jwks.setFault(null);
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
      const res = await whoami(h, token);
      status = res.status;
      await res.text();
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
  });

  it('a token signed with a rotated-in key while the JWKS endpoint fails → 503, then 200 once it is back', async () => {
    h = await startHarness({ config: { clientOptions: { jwks: { unknownKidCooldown: 1 } } } });
    const warm = await whoami(h, h.token('mcp:read'));
    expect(warm.status).toBe(200);
    await warm.text();

    h.jwks.setFault({ kind: 'status', status: 502 });
    h.jwks.setJwks(h.issuer.jwks(['rsa2048', 'rsa2048b']));
    const rotated = h.issuer.sign({ key: 'rsa2048b', claims: { aud: h.resource, scope: 'mcp:read' } });
    const during = await whoami(h, rotated);
    expect(during.status).toBe(503);
    expect(during.headers.get('retry-after')).toBe('5');
    expect(h.failures.at(-1)?.reason).toMatch(/JWKS endpoint is failing/);

    h.jwks.setFault(null);
    let status = 0;
    for (let attempt = 0; attempt < 40 && status !== 200; attempt++) {
      await new Promise((r) => setTimeout(r, 100));
      const res = await whoami(h, rotated);
      status = res.status;
      await res.text();
    }
    expect(status).toBe(200);
  });

  it('an unknown kid with a healthy JWKS endpoint stays a 401', async () => {
    h = await startHarness();
    const stranger = h.issuer.sign({ key: 'rsa2048b', claims: { aud: h.resource } });
    const res = await whoami(h, stranger);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('an unreachable JWKS host (connection refused) is also a 503, not 401 or 500', async () => {
    h = await startHarness();
    const closed = `http://127.0.0.1:${h.jwks.port}/jwks.json`;
    await h.jwks.close();
    const { gopherAuth } = await import('../../src/http/gopher-auth.js');
    const auth = gopherAuth({ resource: h.resource, issuer: 'https://issuer.test/realms/demo', jwksUri: closed, backend: 'js' });
    try {
      const outcome = await auth.authenticate({ method: 'POST', url: '/mcp', authorization: [`Bearer ${h.token('')}`], body: async () => undefined });
      expect('error' in outcome && outcome.error.kind).toBe('unavailable');
    } finally {
      auth.close();
    }
  });
});
