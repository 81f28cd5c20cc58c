/** Runs a fixture script in a child Node process (native hazards must never take down the runner). */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnAndCollect, type CollectedRun } from '../support/child-run.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');

export type FixtureRun<T> = CollectedRun<T>;

export interface FixtureOptions {
  env?: Record<string, string | undefined>;
  args?: string[];
  timeoutMs?: number;
  /**
   * Run inside a private mount namespace (`unshare -m`) with this file bind-mounted over the
   * system CA bundle, which is what the library's bundled libcurl trusts.
   */
  caBundle?: string;
  /** Node options before the fixture (e.g. `--expose-gc`). */
  nodeOptions?: string[];
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
  const nodeArgs = [...(options.nodeOptions ?? []), '--import', 'tsx', script, ...(options.args ?? [])];
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
  return spawnAndCollect<T>(command, args, { cwd: root, env: { ...process.env, ...options.env }, timeoutMs: options.timeoutMs ?? 80_000 });
}
