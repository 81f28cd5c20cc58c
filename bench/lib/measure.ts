/**
 * Throughput loops. Each op must answer true (a valid token accepted); anything else aborts the run,
 * so a bench can never report the speed of rejecting tokens. Each worker reads the clock after every
 * op at first and less often while ops are fast (never more than ~0.5 ms apart), so the clock does
 * not dominate sub-microsecond operations and slow ones do not overrun the deadline.
 */
const MAX_BATCH = 1024;

function rejected(name: string): Error {
  return new Error(`${name}: a valid token was not accepted`);
}

/**
 * Where a case's next run starts in its inputs. A case that keeps one continues round robin across
 * its runs: a cache smaller than the inputs (the cache-miss row) then never meets a token it still
 * holds from the previous run, as it would when every run restarted at the first token.
 */
export interface Cursor {
  next: number;
}

/** Runs `op` over `inputs` (round robin) with `concurrency` operations in flight for `seconds`; ops/s. */
export async function measureAsync(
  name: string,
  inputs: readonly string[],
  op: (input: string) => Promise<boolean>,
  concurrency: number,
  seconds: number,
  cursor: Cursor = { next: 0 },
): Promise<number> {
  let next = cursor.next;
  let done = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let stop = false;
  const count = inputs.length;
  async function worker(): Promise<void> {
    let batch = 1;
    let last = performance.now();
    while (!stop) {
      for (let i = 0; i < batch; i++) {
        if (!(await op(inputs[next++ % count] as string))) throw rejected(name);
        done++;
      }
      const now = performance.now();
      if (now >= deadline) stop = true;
      else if (now - last < 0.5 && batch < MAX_BATCH) batch *= 2;
      last = now;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  cursor.next = next % count;
  return done / ((performance.now() - start) / 1000);
}

/** A tight synchronous loop, as a server's sync path would run; ops/s. */
export function measureSync(name: string, inputs: readonly string[], op: (input: string) => boolean, seconds: number): number {
  let done = 0;
  const count = inputs.length;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let batch = 1;
  let last = start;
  for (;;) {
    for (let i = 0; i < batch; i++) {
      if (!op(inputs[done++ % count] as string)) throw rejected(name);
    }
    const now = performance.now();
    if (now >= deadline) break;
    if (now - last < 0.5 && batch < MAX_BATCH) batch *= 2;
    last = now;
  }
  return done / ((performance.now() - start) / 1000);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
