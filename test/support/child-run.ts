/** Spawns a child process and collects stdout, stderr and the JSON a fixture reports on fd 3. */
import { spawn } from 'node:child_process';

export interface CollectedRun<T> {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Everything the child wrote to fd 1, byte for byte. */
  stdout: Buffer;
  stderr: string;
  /** The JSON the fixture reported on fd 3 (null when it reported nothing, or nothing parsable). */
  result: T | null;
}

export function spawnAndCollect<T>(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<CollectedRun<T>> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const report: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (b: Buffer) => report.push(b));
    // A hung child is killed: the test then fails on its exit, instead of the runner waiting forever.
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const text = Buffer.concat(report).toString('utf8').trim();
      let result: T | null = null;
      try {
        result = text === '' ? null : (JSON.parse(text) as T);
      } catch {
        result = null;
      }
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), result });
    });
  });
}
