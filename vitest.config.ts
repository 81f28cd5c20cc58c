import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Vitest's default (cores − 1) is one file at a time on a 2-core machine, while most of the
    // suite's wall time is spent waiting on child processes, npm and timers: two files at once took
    // the Node 20 run from ~426 s to ~286 s here.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    reporters: ['default'],
  },
});
