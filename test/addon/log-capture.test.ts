import { beforeAll, describe, expect, it } from 'vitest';
import { ensureAddonBuilt } from './build.js';
import { runChild } from './child.js';

interface CaptureReport {
  captureOn: boolean;
  mode: string;
  wrong: number;
  lines: number;
  koffiLines: number;
  objects: { source: string; stream: string }[];
  withSubject: number;
  oddLines: number;
  redacted: number;
  sample: string[];
  stats: { validations: number; droppedLogLines: number };
}

beforeAll(() => ensureAddonBuilt());

describe('addon: the library\'s std::cout/std::cerr', () => {
  it('1,000 validations: fds 1 and 2 byte-empty, lines reach the logger at debug with subjects redacted', async () => {
    const outcome = await runChild<CaptureReport>('log-capture.ts', { CAPTURE_MODE: 'capture' });
    expect(outcome.signal).toBeNull();
    expect(outcome.stdout.length).toBe(0);
    expect(outcome.stderr.length).toBe(0);
    expect(outcome.code).toBe(0);
    const r = outcome.report!;
    expect(r.captureOn).toBe(true);
    expect(r.wrong).toBe(0);
    expect(r.stats.validations).toBeGreaterThanOrEqual(1001);
    // The library prints 3-5 lines per validation; every one of them is delivered.
    expect(r.lines).toBeGreaterThanOrEqual(3000);
    expect(r.objects[0]).toEqual({ source: 'libgopher-orch', stream: 'stdout' });
    expect(r.withSubject).toBe(0);
    expect(r.oddLines).toBeGreaterThanOrEqual(1);
    expect(r.redacted).toBeGreaterThan(0);
    expect(r.sample.join('\n')).toContain('[GopherAuth]');
    // The koffi call made outside the addon was captured too (thread-safe function path).
    expect(r.stats.validations).toBe(1001);
    expect(r.koffiLines).toBeGreaterThanOrEqual(3);
    expect(r.stats.droppedLogLines).toBe(0);
  });

  it('drop mode: nothing is formatted, logged or written to fds 1 and 2', async () => {
    const outcome = await runChild<CaptureReport>('log-capture.ts', { CAPTURE_MODE: 'drop' });
    expect(outcome.stdout.length).toBe(0);
    expect(outcome.stderr.length).toBe(0);
    expect(outcome.code).toBe(0);
    expect(outcome.report!.wrong).toBe(0);
    expect(outcome.report!.lines).toBe(0);
  });
});
