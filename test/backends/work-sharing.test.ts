import { describe, expect, it } from 'vitest';
import { DEFAULT_TURN_BUDGET_MS, WorkSharing, type Job } from '../../src/backends/work-sharing.js';

/** A job that burns `ms` of this thread inline, and off-thread answers after a timer when allowed. */
function job(ms: number, log: string[], name: string, offThread: { room: number } | null = null): Job<string> {
  return {
    inline() {
      const until = performance.now() + ms;
      while (performance.now() < until);
      log.push(`inline ${name}`);
      return name;
    },
    offload() {
      if (offThread === null || offThread.room === 0) return null;
      offThread.room--;
      return new Promise((resolve) =>
        setTimeout(() => {
          offThread.room++;
          log.push(`off ${name}`);
          resolve(name);
        }, 1),
      );
    },
  };
}

describe('WorkSharing', () => {
  it('runs a lone caller inline, and past the budget lets other callbacks run before its next job', async () => {
    const sharing = new WorkSharing(2);
    const log: string[] = [];
    const results: string[] = [];
    let ticked = false;
    setImmediate(() => {
      ticked = true;
      log.push('other callback');
    });
    for (let i = 0; i < 4; i++) results.push(await sharing.run(job(1.5, log, `j${i}`)));
    expect(results).toEqual(['j0', 'j1', 'j2', 'j3']);
    expect(ticked).toBe(true);
    // 1.5 ms each against a 2 ms budget: two fit in the first turn, then the loop turns.
    expect(log.indexOf('other callback')).toBeGreaterThan(0);
    expect(log.indexOf('other callback')).toBeLessThan(log.indexOf('inline j3'));
    expect(sharing.stats()).toMatchObject({ inline: 4, offloaded: 0 });
    expect(sharing.stats().deferred).toBeGreaterThan(0);
  });

  it('by default runs a quarter of a millisecond of queued work per event-loop turn, then lets the loop turn', async () => {
    expect(DEFAULT_TURN_BUDGET_MS).toBe(0.25);
    const sharing = new WorkSharing();
    let turn = 0;
    let running = true;
    const tick = (): void => {
      turn++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    const turns: number[] = [];
    const jobs = Array.from({ length: 24 }, (_, i) => {
      const work = job(0.1, [], `j${i}`);
      return { inline: () => (turns.push(turn), work.inline()), offload: () => null };
    });
    await Promise.all(jobs.map((j) => sharing.run(j)));
    running = false;
    const perTurn = new Map<number, number>();
    for (const t of turns) perTurn.set(t, (perTurn.get(t) ?? 0) + 1);
    // 0.1 ms jobs: the third crosses 0.25 ms, so no turn runs more than three (0.5 ms allowed five).
    expect(Math.max(...perTurn.values())).toBeLessThanOrEqual(3);
    expect(perTurn.size).toBeGreaterThanOrEqual(8);
    expect(turns).toHaveLength(24);
  });

  it('sends concurrent work off-thread while there is room and does the rest itself', async () => {
    const sharing = new WorkSharing(0.5);
    const log: string[] = [];
    const offThread = { room: 2 };
    const names = Array.from({ length: 12 }, (_, i) => `j${i}`);
    const results = await Promise.all(names.map((n) => sharing.run(job(0.2, log, n, offThread))));
    expect(results).toEqual(names);
    const stats = sharing.stats();
    expect(stats.offloaded).toBeGreaterThan(0);
    expect(stats.inline).toBeGreaterThan(0);
    expect(stats.inline + stats.offloaded).toBe(12);
    expect(offThread.room).toBe(2);
  });

  it('calls its drain hooks around each drain turn, saying whether another one is coming', async () => {
    const events: string[] = [];
    let sharing: WorkSharing | null = null;
    sharing = new WorkSharing(0.25, {
      beforeDrain: () => events.push(`before pending=${String(sharing?.drainPending)}`),
      afterDrain: (more) => events.push(`after more=${String(more)} pending=${String(sharing?.drainPending)}`),
    });
    expect(sharing.drainPending).toBe(false);
    // A lone caller past the budget: its next job waits for a drain turn.
    const first = sharing.run(job(0.3, [], 'a'));
    const second = sharing.run(job(0.3, [], 'b'));
    const third = sharing.run(job(0.3, [], 'c'));
    expect(sharing.drainPending).toBe(true);
    expect(await Promise.all([first, second, third])).toEqual(['a', 'b', 'c']);
    // 'b' and 'c' each take a turn (0.3 ms > the budget): two drains, the first announcing the second.
    expect(events).toEqual(['before pending=false', 'after more=true pending=true', 'before pending=false', 'after more=false pending=false']);
    expect(sharing.drainPending).toBe(false);

    // Hooks that throw do not stall the queue.
    const throwing = new WorkSharing(0.25, {
      beforeDrain: () => {
        throw new Error('before');
      },
      afterDrain: () => {
        throw new Error('after');
      },
    });
    expect(await Promise.all(['x', 'y', 'z'].map((n) => throwing.run(job(0.3, [], n))))).toEqual(['x', 'y', 'z']);
  });

  it('turns a throwing job into a rejection, and an offload that throws into inline work', async () => {
    const sharing = new WorkSharing();
    await expect(sharing.run({ inline: () => { throw new Error('boom'); }, offload: () => null })).rejects.toThrow('boom');
    const both = [
      sharing.run({ inline: () => 'a', offload: () => null }),
      sharing.run({ inline: () => 'b', offload: () => { throw new Error('no'); } }),
    ];
    expect(await Promise.all(both)).toEqual(['a', 'b']);
  });
});
