/**
 * The example server caps live MCP sessions per token subject (the subject's least recently used one
 * is closed) and in total (new subjects get 503), so one user re-initializing in a loop can neither
 * grow memory without bound nor push out other users' sessions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INITIALIZE, openSession, post, startStack, type Stack } from './helpers.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({}, { sessionLimits: { perSubject: 2, total: 4 } });
});
afterAll(async () => {
  await stack.close();
});

const tokenFor = (subject: string) => stack.as.issueToken({ subject, audience: stack.server.mcpUrl, scope: 'mcp:read' });

/** Status of a tools/list in the session: 200 while it lives, 404 once closed. */
async function alive(session: Record<string, string>): Promise<boolean> {
  const response = await post(stack.server.mcpUrl, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, session);
  await response.body?.cancel();
  if (response.status !== 200 && response.status !== 404) throw new Error(`unexpected ${response.status}`);
  return response.status === 200;
}

describe('example server session limits', () => {
  it('per subject: the oldest session of that subject is closed, other subjects keep theirs; in total: a new subject gets 503', async () => {
    const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map(tokenFor)) as [string, string, string];
    const b1 = await openSession(stack.server.mcpUrl, bob);
    const a1 = await openSession(stack.server.mcpUrl, alice);
    const a2 = await openSession(stack.server.mcpUrl, alice);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await alive(a1); // a1 is now used more recently than a2
    const a3 = await openSession(stack.server.mcpUrl, alice);
    expect(await alive(a2)).toBe(false);
    expect(await alive(a1)).toBe(true);
    expect(await alive(a3)).toBe(true);
    // Alice re-initializing in a loop only recycles her own two sessions.
    let latest = a3;
    for (let i = 0; i < 10; i++) latest = await openSession(stack.server.mcpUrl, alice);
    expect(await alive(latest)).toBe(true);
    expect(await alive(b1)).toBe(true);

    // alice 2 + bob 1 + bob 1 = the total of 4: carol cannot open one, and nobody's is taken for her.
    const b2 = await openSession(stack.server.mcpUrl, bob);
    const refused = await post(stack.server.mcpUrl, INITIALIZE, { authorization: `Bearer ${carol}` });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/too many open sessions/i);
    expect(await alive(b1)).toBe(true);
    expect(await alive(b2)).toBe(true);
    // A subject at its own cap still gets a new session: it replaces its own oldest.
    await openSession(stack.server.mcpUrl, bob);
    expect(await alive(b1)).toBe(false);

    // Closing one (DELETE) makes room again.
    const deleted = await fetch(stack.server.mcpUrl, { method: 'DELETE', headers: b2 });
    expect(deleted.status).toBe(200);
    expect(await alive(await openSession(stack.server.mcpUrl, carol))).toBe(true);
  });
});
