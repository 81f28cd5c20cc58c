/** Shared pieces of the fault tests: clients per backend, a recording logger, an event-loop lag probe. */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { GopherAuthClient, type GopherAuthClientOptions } from '../../src/core/client.js';
import type { Logger } from '../../src/core/logger.js';

export const FAULT_ISSUER = 'https://issuer.test/realms/faults';

/** The backends every fault runs on: JS everywhere, native where the library is installable. */
export const BACKENDS: readonly ('js' | 'native')[] =
  process.platform === 'linux' && process.arch === 'x64' ? ['js', 'native'] : ['js'];

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  obj: unknown;
  msg: string;
}

export function recordingLogger(): Logger & { lines: LogLine[]; count(level: LogLine['level'], pattern: RegExp): number } {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (obj: unknown, msg?: string) => {
    lines.push({ level, obj, msg: msg ?? '' });
  };
  return {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    count: (level, pattern) => lines.filter((l) => l.level === level && pattern.test(l.msg)).length,
  };
}

/** Short timings so every fault resolves in about a second. */
export function faultClient(jwksUri: string, backend: 'js' | 'native', extra: GopherAuthClientOptions = {}): GopherAuthClient {
  return new GopherAuthClient(jwksUri, FAULT_ISSUER, {
    backend,
    requestTimeout: 1,
    cacheDuration: 3600,
    ...extra,
    jwks: { minCacheDuration: 0, unknownKidCooldown: 1, maxStale: 3600, ...extra.jwks },
  });
}

/** Largest event-loop delay while `work` runs, in ms. */
export async function maxLoopDelay<T>(work: () => Promise<T>): Promise<{ result: T; maxDelayMs: number }> {
  const histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  try {
    const result = await work();
    return { result, maxDelayMs: histogram.max / 1e6 };
  } finally {
    histogram.disable();
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` every 50 ms until it returns true or `ms` passes. */
export async function eventually(probe: () => Promise<boolean> | boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await probe()) return true;
    await sleep(50);
  }
  return probe();
}
