/**
 * Bounds the number of koffi `.async` calls outstanding at once: koffi throws once its own queue
 * (max_async_calls, 256 by default) is full, so excess calls wait here instead.
 */
const MAX_IN_FLIGHT = 64;
let running = 0;
const waiting: (() => void)[] = [];

export function runBounded<T>(start: (done: () => void) => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const launch = (): void => {
      running++;
      let finished = false;
      const done = (): void => {
        if (finished) return;
        finished = true;
        running--;
        const next = waiting.shift();
        if (next) next();
      };
      start(done).then(resolve, reject).finally(done);
    };
    if (running < MAX_IN_FLIGHT) launch();
    else waiting.push(launch);
  });
}
