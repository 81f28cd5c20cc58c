import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ jsonParser: true });
});
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
afterAll(async () => {
  agent.destroy();
  await h.close();
});

function post(headers: Record<string, string>, body: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${h.url}/whoami`, { method: 'POST', agent, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('per-request identity under concurrency', () => {
  it('1,000 interleaved requests with 50 different tokens never see each other', async () => {
    const subjects = Array.from({ length: 50 }, (_, i) => `user-${i}`);
    const tokens = subjects.map((sub, i) => h.token(i % 2 === 0 ? 'mcp:read' : 'mcp:read mcp:admin', { sub }));
    const jobs = Array.from({ length: 1000 }, (_, n) => {
      const i = (n * 7) % subjects.length;
      return post(
        { authorization: `Bearer ${tokens[i]}`, 'x-expect': subjects[i]! },
        JSON.stringify({ jsonrpc: '2.0', id: n, method: 'tools/list' }),
      ).then((res) => ({ ...res, i }));
    });
    const results = await Promise.all(jobs);
    let mismatches = 0;
    for (const { status, body, i } of results) {
      expect(status).toBe(200);
      const expected = subjects[i];
      if (body['header'] !== expected || body['before'] !== expected || body['after'] !== expected || body['req'] !== expected) mismatches++;
      expect(body['scopes']).toEqual(i % 2 === 0 ? ['mcp:read'] : ['mcp:read', 'mcp:admin']);
    }
    expect(mismatches).toBe(0);
    expect(results).toHaveLength(1000);
  });
});

describe('asyncContext: false', () => {
  it('keeps the identity on req.auth only: getAuthInfo() answers undefined below the gate', async () => {
    const plain = await startHarness({ jsonParser: true, config: { asyncContext: false } });
    try {
      const token = plain.token('mcp:read', { sub: 'user-plain' });
      const res = await new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
        const req = request(`${plain.url}/whoami`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-expect': 'user-plain' } }, (r) => {
          let text = '';
          r.setEncoding('utf8');
          r.on('data', (chunk: string) => (text += chunk));
          r.on('end', () => resolve({ status: r.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
        });
        req.on('error', reject);
        req.end(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }));
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ req: 'user-plain' });
      expect(res.body['before']).toBeUndefined();
      expect(res.body['after']).toBeUndefined();
    } finally {
      await plain.close();
    }
  });

  it('must be a boolean', async () => {
    const { gopherAuth } = await import('../../src/http/gopher-auth.js');
    expect(() => gopherAuth({ resource: 'http://127.0.0.1:1/mcp', issuer: 'http://127.0.0.1:2', jwksUri: 'http://127.0.0.1:2/jwks', asyncContext: 'no' as never })).toThrow(/asyncContext must be true or false/);
  });
});
