/** Runs a fixture script in a child Node process (native hazards must never take down the runner). */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');

export interface FixtureRun<T> {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Everything the child wrote to fd 1, byte for byte. */
  stdout: Buffer;
  stderr: string;
  /** The JSON the fixture reported on fd 3 (null when it reported nothing). */
  result: T | null;
}

export function runFixture<T = unknown>(
  name: string,
  options: { env?: Record<string, string | undefined>; args?: string[]; timeoutMs?: number } = {},
): Promise<FixtureRun<T>> {
  const script = path.join(here, 'fixtures', name);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...(options.args ?? [])], {
      cwd: root,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const report: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (b: Buffer) => report.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 80_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const text = Buffer.concat(report).toString('utf8').trim();
      let result: T | null = null;
      if (text !== '') {
        try {
          result = JSON.parse(text) as T;
        } catch {
          result = null;
        }
      }
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), result });
    });
  });
}
