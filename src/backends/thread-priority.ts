/**
 * Background threads (verify workers, the addon's validation threads) run at a lower priority than
 * the event loop: on a busy host the kernel then gives the CPU to the event loop as soon as it has
 * work, instead of letting it wait behind validations (64 in flight on 2 cores: event-loop delay p99
 * 2.2–2.4 → 1.6–1.7 ms for native batches, 1.7–2.5 → 1.2–1.4 ms for JS workers, and throughput up
 * because the calling thread keeps them fed; bench/README.md).
 *
 * Only on Linux, where the nice value belongs to the thread that sets it. On other systems
 * setpriority reaches the whole process, so nothing is changed there.
 */
import { getPriority, setPriority } from 'node:os';
import { envInteger, envOff } from './env.js';

export const DEFAULT_BACKGROUND_NICE = 10;

/** How much lower background threads run: GOPHER_AUTH_THREAD_NICE (0–19; 0 leaves them alone) or 10. */
export function backgroundNice(env: NodeJS.ProcessEnv = process.env): number {
  if (envOff(env.GOPHER_AUTH_THREAD_NICE)) return 0;
  return envInteger(env.GOPHER_AUTH_THREAD_NICE, 0, 19) ?? DEFAULT_BACKGROUND_NICE;
}

/**
 * Raises the calling thread's nice value by `by` (at most to 19; Linux only). Returns the nice value
 * now in effect, or null when nothing was changed (another system, 0, or the call failed).
 */
export function lowerThisThread(by: number, platform: NodeJS.Platform = process.platform): number | null {
  if (platform !== 'linux' || by <= 0) return null;
  try {
    const nice = Math.min(19, getPriority() + by);
    setPriority(nice);
    return getPriority();
  } catch {
    return null;
  }
}

/** For `doctor`: what background threads get here. */
export function describeThreadPriority(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform !== 'linux') return 'unchanged (the nice value is per process here, not per thread)';
  const levels = backgroundNice(env);
  if (levels === 0) return 'unchanged (GOPHER_AUTH_THREAD_NICE=0)';
  return `verify workers and the addon's native batches run ${levels} nice levels below the event loop (GOPHER_AUTH_THREAD_NICE)`;
}
