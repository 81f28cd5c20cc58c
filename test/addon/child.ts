/** Runs a test scenario in a child Node process (native hazards must not take the test runner down). */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './build.js';

export interface ChildOutcome<T> {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: Buffer;
  /** What the child wrote to its report file (not to stdout, which must stay clean). */
  report: T | null;
}

export function runChild<T>(script: string, env: Record<string, string> = {}, timeoutMs = 60_000): Promise<ChildOutcome<T>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gopher-addon-child-'));
  const reportFile = path.join(dir, 'report.json');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'test/addon/scenarios', script)], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env, ADDON_REPORT_FILE: reportFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let report: T | null = null;
      try {
        report = JSON.parse(readFileSync(reportFile, 'utf8')) as T;
      } catch {
        report = null;
      }
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err), report });
    });
  });
}
