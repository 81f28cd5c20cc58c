/** Runs a fixture in a child Node process: a native crash becomes a signal or exit code, never a dead runner. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnAndCollect } from '../support/child-run.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');

export interface ChildRun<T> {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** JSON the fixture wrote to fd 3. */
  result: T | null;
}

export async function runChild<T>(fixture: string, args: string[] = [], timeoutMs = 60_000): Promise<ChildRun<T>> {
  const run = await spawnAndCollect<T>(process.execPath, ['--import', 'tsx', path.join(here, 'fixtures', fixture), ...args], { cwd: root, timeoutMs });
  return { ...run, stdout: run.stdout.toString('utf8') };
}
