/** Event-loop delay (perf_hooks.monitorEventLoopDelay, 1 ms resolution) while `work` runs. */
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

export interface LoopDelay {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Loop-delay samples taken (about one per ms). */
  samples: number;
  /** This thread's young-generation collections (scavenges) meanwhile, and their median pause. */
  scavenges: number;
  scavengeP50Ms: number;
}

/**
 * A scavenge stops this thread: the sample it lands in reads about the idle interval plus the pause.
 * So when scavenges are more than ~1 % of the samples, the p99 is the GC's (bench/README.md), and the
 * line printed with it says so.
 */
export async function loopDelayDuring(work: () => Promise<unknown>): Promise<LoopDelay> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  const pauses: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (isScavenge(entry)) pauses.push(entry.duration);
  });
  observer.observe({ entryTypes: ['gc'] });
  histogram.enable();
  try {
    await work();
  } finally {
    histogram.disable();
    observer.disconnect();
  }
  pauses.sort((a, b) => a - b);
  // In ns: each sample is the whole interval between two ticks of the 1 ms timer (an idle loop reads ~1.07 ms).
  return {
    p50Ms: histogram.percentile(50) / 1e6,
    p99Ms: histogram.percentile(99) / 1e6,
    maxMs: histogram.max / 1e6,
    samples: histogram.count,
    scavenges: pauses.length,
    scavengeP50Ms: pauses.length === 0 ? 0 : (pauses[pauses.length >> 1] as number),
  };
}

function isScavenge(entry: object): boolean {
  return (entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR;
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
