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
