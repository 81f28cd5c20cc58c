/** Event-loop delay (perf_hooks.monitorEventLoopDelay, 1 ms resolution) while `work` runs. */
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface LoopDelay {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export async function loopDelayDuring(work: () => Promise<unknown>): Promise<LoopDelay> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  try {
    await work();
  } finally {
    histogram.disable();
  }
  // In ns: each sample is the whole interval between two ticks of the 1 ms timer (an idle loop reads ~1.07 ms).
  return { p50Ms: histogram.percentile(50) / 1e6, p99Ms: histogram.percentile(99) / 1e6, maxMs: histogram.max / 1e6 };
}

/**
 * Keeps `concurrency` validations in flight for `seconds`, whatever their verdicts (some inputs may
 * be meant to fail). Resolves with the number completed.
 */
export async function sustain(inputs: readonly string[], op: (input: string) => Promise<unknown>, concurrency: number, seconds: number): Promise<number> {
  let next = 0;
  let done = 0;
  const deadline = performance.now() + seconds * 1000;
  async function worker(): Promise<void> {
    while (performance.now() < deadline) {
      await op(inputs[next++ % inputs.length] as string);
      done++;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return done;
}
