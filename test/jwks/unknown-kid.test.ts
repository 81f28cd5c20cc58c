import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GopherAuthException } from '../../src/core/errors.js';
import { JwksManager } from '../../src/core/jwks/manager.js';
import type { JwksManagerOptions } from '../../src/core/jwks/types.js';
import { spawnAndCollect } from '../support/child-run.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';
import { makeJwks, randomKid, sleep } from './helpers.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: JwksManagerOptions): Promise<{ server: JwksServer; m: JwksManager }> {
  const server = await startJwksServer({ jwks: makeJwks('k1') });
  const m = new JwksManager(server.url, { autoRefresh: false, ...options });
  cleanups.push(() => server.close(), () => m.destroy());
  await m.ready();
  server.resetCounts();
  return { server, m };
}

describe('unknown kid', () => {
  it('a flood of 1,000 random kids costs one fetch per cooldown', async () => {
    const { server, m } = await setup({ unknownKidCooldown: 30 });
    const results = await Promise.all(Array.from({ length: 1000 }, () => m.handleUnknownKid(randomKid())));
    expect(results.every((r) => r === null)).toBe(true);
    expect(server.fetchCount).toBe(1);
    // A second wave, sequential this time, inside the cooldown: no fetch at all.
    for (let i = 0; i < 1000; i++) expect(await m.handleUnknownKid(randomKid())).toBeNull();
    expect(await m.handleUnknownKid(null)).toBeNull();
    expect(server.fetchCount).toBe(1);
    expect(m.status().fetchCount).toBe(2);
  });

  it('keeps to at most one fetch per cooldown under a sustained flood', async () => {
    const cooldownMs = 250;
    // The cooldown is kept where fetches start: read the gaps there (a few ms allowed between the
    // manager's clock reading and its call to fetch). The server's arrival times add the loopback hop,
    // whose delay differs between requests by tens of ms on a loaded machine.
    const fetchStarts: number[] = [];
    const { server, m } = await setup({
      unknownKidCooldown: cooldownMs / 1000,
      fetch: (input, init) => {
        fetchStarts.push(Date.now());
        return fetch(input, init);
      },
    });
    fetchStarts.length = 0;
    const started = Date.now();
    let calls = 0;
    while (Date.now() - started < 1100) {
      await Promise.all(Array.from({ length: 20 }, () => m.handleUnknownKid(randomKid())));
      calls += 20;
      await sleep(2);
    }
    const elapsed = Date.now() - started;
    expect(calls).toBeGreaterThan(1000);
    expect(server.fetchCount).toBeGreaterThanOrEqual(2);
    expect(server.fetchCount).toBeLessThanOrEqual(Math.floor(elapsed / cooldownMs) + 1);
    expect(fetchStarts).toHaveLength(server.fetchCount);
    for (let i = 1; i < fetchStarts.length; i++) expect(fetchStarts[i]! - fetchStarts[i - 1]!).toBeGreaterThanOrEqual(cooldownMs - 10);
  });

  it('finds a rotated-in kid and resolves the new snapshot', async () => {
    const { server, m } = await setup({ unknownKidCooldown: 30 });
    server.setJwks(makeJwks('k1', 'k2'));
    const fresh = await m.handleUnknownKid('k2');
    expect(fresh).not.toBeNull();
    expect(fresh!.version).toBe(2);
    expect(fresh!.keys.map((k) => k.kid)).toEqual(['k1', 'k2']);
    expect(m.current()).toBe(fresh);
    // Once known, asking again needs no fetch and returns the snapshot that has it.
    expect(await m.handleUnknownKid('k2')).toBe(fresh);
    expect(server.fetchCount).toBe(1);
  });

  it('negatively caches a kid that stayed unknown, for the cooldown', async () => {
    const { server, m } = await setup({ unknownKidCooldown: 0.5 });
    expect(await m.handleUnknownKid('ghost')).toBeNull();
    expect(server.fetchCount).toBe(1);
    await sleep(150);
    // Cooldown still running and kid negatively cached: nothing fetched.
    expect(await m.handleUnknownKid('ghost')).toBeNull();
    expect(server.fetchCount).toBe(1);
    await sleep(400);
    // Both expired: the kid may be looked for once more, and now it exists.
    server.setJwks(makeJwks('k1', 'ghost'));
    const fresh = await m.handleUnknownKid('ghost');
    expect(fresh?.keys.map((k) => k.kid)).toEqual(['k1', 'ghost']);
    expect(server.fetchCount).toBe(2);
  });

  it('answers a negatively cached kid at once even while another fetch is in flight', async () => {
    const { server, m } = await setup({ unknownKidCooldown: 30 });
    expect(await m.handleUnknownKid('ghost')).toBeNull();
    server.setFault({ kind: 'delay', ms: 300 });
    const refresh = m.refresh();
    let t = performance.now();
    expect(await m.handleUnknownKid('ghost')).toBeNull();
    expect(performance.now() - t).toBeLessThan(100);
    t = performance.now();
    expect(await m.handleUnknownKid('never-seen')).toBeNull(); // joins the refresh and waits for it
    expect(performance.now() - t).toBeGreaterThanOrEqual(150);
    await refresh;
    expect(server.fetchCount).toBe(2);
  });

  it('waits for a fetch already in flight; a kid it lacks gets one refetch of its own, then is remembered', async () => {
    const { server, m } = await setup({ unknownKidCooldown: 30 });
    const fetchesBefore = server.fetchCount;
    server.setFault({ kind: 'delay', ms: 100 });
    server.setJwks(makeJwks('k1', 'k3'));
    const refresh = m.refresh();
    const [a, b, c] = await Promise.all([m.handleUnknownKid('k3'), m.handleUnknownKid('nope'), m.handleUnknownKid('nope'), refresh]);
    expect(a?.version).toBe(2); // found in the fetch it waited for
    // "nope" may be newer than the key set that fetch was sent for: both callers share one more.
    expect(server.fetchCount).toBe(fetchesBefore + 2);
    expect(b?.version).toBe(2); // the key set changed (it now has k3), even though it lacks "nope"
    expect(c).toBe(b);
    expect(await m.handleUnknownKid('nope')).toBeNull();
    expect(server.fetchCount).toBe(fetchesBefore + 2);
  });

  it('a kid first seen while an older fetch is under way is found by the refetch after it (no 30 s refusal)', async () => {
    const { server, m } = await setup({ unknownKidCooldown: 30 });
    server.setFault({ kind: 'delay', ms: 150 });
    const stale = m.refresh(); // sent before the issuer adds k9
    await new Promise((resolve) => setTimeout(resolve, 50));
    server.setJwks(makeJwks('k1', 'k9'));
    const found = await m.handleUnknownKid('k9');
    await stale;
    expect(found?.keys.map((k) => k.kid)).toContain('k9');
  });

  it('resolves null when the refetch fails, and keeps the old keys', async () => {
    const { server, m } = await setup({ unknownKidCooldown: 30 });
    const before = m.current();
    server.setFault({ kind: 'status', status: 500 });
    expect(await m.handleUnknownKid('x')).toBeNull();
    expect(m.current()).toBe(before);
    expect(m.status().lastError).toMatch(/HTTP 500/);
  });

  it('loads the key set when none is loaded yet', async () => {
    const server = await startJwksServer({ jwks: makeJwks('k1') });
    const m = new JwksManager(server.url, { autoRefresh: false });
    cleanups.push(() => server.close(), () => m.destroy());
    const loaded = await m.handleUnknownKid(null);
    expect(loaded?.version).toBe(1);
    m.destroy();
    await expect(m.handleUnknownKid('k1')).rejects.toBeInstanceOf(GopherAuthException);
  });
});

describe('unknownKidSettled: when handleUnknownKid would answer null without waiting', () => {
  /** Whether handleUnknownKid(kid) resolved before a 20 ms timer, and with what; fetches it caused. */
  async function probe(server: JwksServer, m: JwksManager, kid: string | null): Promise<{ settledNow: boolean; value: unknown; fetched: number }> {
    const before = server.fetchCount;
    const timer = sleep(20).then(() => 'timer' as const);
    const answer = m.handleUnknownKid(kid).then((value) => ({ value }));
    const first = await Promise.race([answer, timer]);
    const { value } = await answer;
    return { settledNow: first !== 'timer' && value === null, value, fetched: server.fetchCount - before };
  }

  it('agrees with handleUnknownKid in every state: cooldown due, within it, remembered kid, known kid, fetch under way, destroyed', async () => {
    const { server, m } = await setup({ unknownKidCooldown: 1 });
    server.setFault({ kind: 'delay', ms: 60 });
    // Cooldown due (no unknown-kid fetch yet): a fetch would be sent.
    expect(m.unknownKidSettled('ghost')).toBe(false);
    expect(await probe(server, m, 'ghost')).toMatchObject({ settledNow: false, value: null, fetched: 1 });
    // Within the cooldown, nothing under way: settled for any kid, null included, and for the remembered one.
    for (const kid of ['ghost', randomKid(), null]) {
      expect(m.unknownKidSettled(kid)).toBe(true);
      expect(await probe(server, m, kid)).toMatchObject({ settledNow: true, fetched: 0 });
    }
    // A kid the keys have is never settled: the caller must validate again with the keys.
    expect(m.unknownKidSettled('k1')).toBe(false);
    // A fetch under way: a new kid waits for it (not settled); the remembered kid is still answered at once.
    const refresh = m.refresh();
    expect(m.unknownKidSettled(randomKid())).toBe(false);
    expect(m.unknownKidSettled('ghost')).toBe(true);
    expect(await probe(server, m, 'ghost')).toMatchObject({ settledNow: true, fetched: 0 });
    expect((await probe(server, m, randomKid())).settledNow).toBe(false);
    await refresh;
    // Cooldown over (the remembered kid too): a fetch is due again.
    await sleep(1050);
    expect(m.unknownKidSettled('ghost')).toBe(false);
    expect(m.unknownKidSettled(randomKid())).toBe(false);
    m.destroy();
    expect(m.unknownKidSettled('ghost')).toBe(false);
  });

  it('is false before any key set is loaded (handleUnknownKid loads one)', async () => {
    const server = await startJwksServer({ jwks: makeJwks('k1') });
    const m = new JwksManager(server.url, { autoRefresh: false, unknownKidCooldown: 30 });
    cleanups.push(() => server.close(), () => m.destroy());
    expect(m.unknownKidSettled('k2')).toBe(false);
    expect(m.unknownKidSettled(null)).toBe(false);
  });
});

describe('unknown kid: a full negative cache', () => {
  it('30,000 unknown kids joining one slow refetch are remembered without stalling the event loop', async () => {
    const { server, m } = await setup({ unknownKidCooldown: 30 });
    server.setFault({ kind: 'delay', ms: 1000 });
    const refresh = m.refresh();
    const pending = Array.from({ length: 30_000 }, (_, i) => m.handleUnknownKid(`ghost-${i}`));
    // The stall is measured in CPU time between ticks: on a shared machine the wall-clock gap also
    // counts time other processes had the core.
    let worstGap = 0;
    let worstCpuGap = 0;
    let last = performance.now();
    let lastCpu = cpuMs();
    const probe = setInterval(() => {
      const now = performance.now();
      const cpu = cpuMs();
      worstGap = Math.max(worstGap, now - last);
      worstCpuGap = Math.max(worstCpuGap, cpu - lastCpu);
      last = now;
      lastCpu = cpu;
    }, 5);
    try {
      expect((await Promise.all(pending)).every((r) => r === null)).toBe(true);
      await refresh;
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      clearInterval(probe);
    }
    console.info(`worst gap between ticks: ${worstGap.toFixed(0)} ms wall, ${worstCpuGap.toFixed(0)} ms CPU`);
    // Scanning all 10,000 entries per insert took ~2.5 s here; linear work ~0.15–0.25 s.
    expect(worstCpuGap).toBeLessThan(500);
    // The newest are remembered: answered at once, no fetch.
    server.resetCounts();
    expect(await m.handleUnknownKid('ghost-29999')).toBeNull();
    expect(server.fetchCount).toBe(0);
  });
});

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

describe('unknown kid: memory', () => {
  it('2,000 remembered 40,000-character kids hold well under 1 MB (they would hold 80 MB as themselves)', async () => {
    const root = path.resolve(import.meta.dirname, '../..');
    const run = await spawnAndCollect<{ retainedBytes: number; probeAnswer: unknown; probeMs: number; fetches: number }>(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', path.join(root, 'test/jwks/fixtures/long-kids.ts')],
      { cwd: root, timeoutMs: 60_000 },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = run.result!;
    expect(report.retainedBytes).toBeLessThan(1_000_000);
    // Still negatively cached by its digest: answered without waiting for the 300 ms fetch.
    expect(report.probeAnswer).toBeNull();
    expect(report.probeMs).toBeLessThan(100);
    // ready, the refresh they waited out, the one refetch they all joined, the second refresh.
    expect(report.fetches).toBe(4);
  }, 90_000);
});
