import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ jsonParser: true });
});
afterAll(async () => {
  await h.close();
});

describe('per-request identity under concurrency', () => {
  it('1,000 interleaved requests with 50 different tokens never see each other', async () => {
    const subjects = Array.from({ length: 50 }, (_, i) => `user-${i}`);
    const tokens = subjects.map((sub, i) => h.token(i % 2 === 0 ? 'mcp:read' : 'mcp:read mcp:admin', { sub }));
    const jobs = Array.from({ length: 1000 }, (_, n) => {
      const i = (n * 7) % subjects.length;
      return fetch(`${h.url}/whoami`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[i]}`, 'x-expect': subjects[i]! },
        body: JSON.stringify({ jsonrpc: '2.0', id: n, method: 'tools/list' }),
      }).then(async (res) => ({ status: res.status, body: (await res.json()) as Record<string, unknown>, i }));
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
