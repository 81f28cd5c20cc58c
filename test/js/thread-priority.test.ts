/**
 * Background threads run below the event loop (src/backends/thread-priority.ts): each verify worker
 * lowers its own priority — on Linux the nice value is per thread, so the calling thread keeps its
 * own — and GOPHER_AUTH_THREAD_NICE tunes or disables it. Read back from the kernel (/proc).
 */
import { getPriority } from 'node:os';
import { describe, expect, it } from 'vitest';
import { backgroundNice, lowerThisThread } from '../../src/backends/thread-priority.js';
import { VerifyPool } from '../../src/backends/js/verify-pool.js';
import { threadStat } from '../support/thread-stat.js';

const kernelNice = (thread: number): number => threadStat(thread).nice;

const linux = process.platform === 'linux';

describe('background thread priority', () => {
  it('reads GOPHER_AUTH_THREAD_NICE: 0–19 (more counts as 19), else the default 10', () => {
    expect(backgroundNice({})).toBe(10);
    expect(backgroundNice({ GOPHER_AUTH_THREAD_NICE: '0' })).toBe(0);
    expect(backgroundNice({ GOPHER_AUTH_THREAD_NICE: '19' })).toBe(19);
    expect(backgroundNice({ GOPHER_AUTH_THREAD_NICE: '20' })).toBe(19);
    for (const bad of ['-5', '2.5', 'low', ' ']) expect(backgroundNice({ GOPHER_AUTH_THREAD_NICE: bad })).toBe(10);
  });

  it('changes nothing where the nice value is per process, or when asked for 0', () => {
    expect(lowerThisThread(10, 'darwin')).toBeNull();
    expect(lowerThisThread(10, 'win32')).toBeNull();
    expect(lowerThisThread(0, 'linux')).toBeNull();
  });

  it.runIf(linux)('runs each verify worker 10 below the calling thread, which keeps its priority', async () => {
    const mainBefore = getPriority();
    const pool = new VerifyPool(2);
    try {
      expect(await pool.whenReady()).toBe(true);
      for (let i = 0; i < 100 && pool.stats().threads.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      const { threads } = pool.stats();
      expect(threads).toHaveLength(2);
      for (const { nice, thread } of threads) {
        expect(thread).not.toBe(process.pid);
        expect(nice).toBe(Math.min(19, mainBefore + 10));
        expect(kernelNice(thread as number)).toBe(nice);
      }
      expect(getPriority()).toBe(mainBefore);
      expect(kernelNice(process.pid)).toBe(mainBefore);
    } finally {
      await pool.close();
    }
  });

  it.runIf(linux)('leaves the workers at the calling thread\'s priority with GOPHER_AUTH_THREAD_NICE=0', async () => {
    const pool = new VerifyPool(1, backgroundNice({ GOPHER_AUTH_THREAD_NICE: '0' }));
    try {
      expect(await pool.whenReady()).toBe(true);
      const [worker] = pool.stats().threads;
      expect(worker?.nice).toBeNull();
      expect(kernelNice(worker?.thread as number)).toBe(getPriority());
    } finally {
      await pool.close();
    }
  });
});
