/** Runs a fixture script in a child Node process (native hazards must never take down the runner). */
import { spawn, spawnSync } from 'node:child_process';
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

export interface FixtureOptions {
  env?: Record<string, string | undefined>;
  args?: string[];
  timeoutMs?: number;
  /**
   * Run inside a private mount namespace (`unshare -m`) with this file bind-mounted over the
   * system CA bundle, which is what the library's bundled libcurl trusts.
   */
  caBundle?: string;
}

/** The system CA bundle compiled into the bundled libcurl. */
export const BUNDLED_CURL_CA_FILE = '/etc/ssl/certs/ca-certificates.crt';

/** Why `caBundle` runs are impossible here, or null when they work. */
export function mountNamespaceUnavailable(): string | null {
  if (process.platform !== 'linux') return 'not Linux';
  const probe = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', `mount --bind /dev/null ${BUNDLED_CURL_CA_FILE}`], {
    stdio: 'ignore',
  });
  return probe.status === 0 ? null : `cannot bind-mount over ${BUNDLED_CURL_CA_FILE} in a private mount namespace (unshare -m)`;
}

export function runFixture<T = unknown>(name: string, options: FixtureOptions = {}): Promise<FixtureRun<T>> {
  const script = path.join(here, 'fixtures', name);
  const nodeArgs = ['--import', 'tsx', script, ...(options.args ?? [])];
  const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  const [command, args] = options.caBundle
    ? [
        'unshare',
        [
          '-m',
          '--propagation',
          'private',
          'sh',
          '-c',
          `mount --bind ${quote(options.caBundle)} ${BUNDLED_CURL_CA_FILE} && exec ${[process.execPath, ...nodeArgs].map(quote).join(' ')}`,
        ],
      ]
    : [process.execPath, nodeArgs];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
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
