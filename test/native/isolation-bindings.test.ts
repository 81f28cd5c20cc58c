/**
 * Hazard "slow: ~2,400 validations/s" (and the root of the HTTPS crash and the error-queue
 * pollution): on a plain dlopen the bundle's OpenSSL/nghttp2/zlib references bind to the copies the
 * `node` executable exports. Until now only bench/native.ts measured it, so an isolated load that
 * silently stopped isolating (e.g. `koffi.load` without `{ deep: true }`) failed no test by itself.
 * Here, in child processes: the dynamic linker's own record (LD_DEBUG=bindings) shows zero bindings
 * from the bundle into `node` under the default load (the control, a forced plain load, shows
 * hundreds; the throughput ratio is printed, ~0.06x plain against ~0.6x isolated), and libc's own `__environ`, which the
 * DEEPBIND-loaded bundle reads, holds node's environment (the copy-relocation repair).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runFixture } from './run-fixture.js';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

interface Outcome {
  loadMode: string;
  libraryPath: string;
  ratio: number;
  native: number;
  node: number;
  environ: { separateStorage: boolean; same: boolean };
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Runs the fixture with LD_DEBUG=bindings; counts bindings from the bundle's files to the main program. */
async function runWithBindings(env: Record<string, string | undefined>): Promise<{ run: Awaited<ReturnType<typeof runFixture<Outcome>>>; toNode: string[]; fromBundle: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gopher-ld-'));
  dirs.push(dir);
  const run = await runFixture<Outcome>('isolation-bindings.ts', { env: { ...env, LD_DEBUG: 'bindings', LD_DEBUG_OUTPUT: path.join(dir, 'ld') } });
  const bundleDir = run.result ? path.dirname(run.result.libraryPath) : null;
  // The main program appears under the name it was started with (no l_name of its own).
  const mainNames = new Set([process.execPath, path.basename(process.execPath), 'node', '']);
  const toNode: string[] = [];
  let fromBundle = 0;
  const line = /binding file (\S+) \[\d+\] to (\S*) \[\d+\]: normal symbol `([^']+)'/;
  for (const file of readdirSync(dir)) {
    for (const text of readFileSync(path.join(dir, file), 'utf8').split('\n')) {
      const m = line.exec(text);
      if (!m || bundleDir === null || !m[1]!.startsWith(`${bundleDir}/`)) continue;
      fromBundle++;
      if (mainNames.has(m[2]!)) toNode.push(m[3]!);
    }
  }
  return { run, toNode, fromBundle };
}

const OPENSSL = /^(EVP_|SSL_|RSA_|ERR_|BIO_|X509|PEM_|OPENSSL_|CRYPTO_|BN_|d2i_|i2d_)/;

describe.runIf(process.platform === 'linux' && process.arch === 'x64')('the isolated load really isolates (child processes)', () => {
  it('control: a plain load binds hundreds of the bundle\'s OpenSSL references to node', async () => {
    const { run, toNode, fromBundle } = await runWithBindings({ GOPHER_AUTH_NATIVE_LOAD_MODE: 'plain' });
    expect(run.signal, run.stderr).toBeNull();
    expect(run.result?.loadMode).toBe('plain');
    expect(fromBundle).toBeGreaterThan(1000);
    expect(toNode.filter((s) => OPENSSL.test(s)).length).toBeGreaterThan(300);
    console.info(`plain load: ${toNode.length} bindings into node, native/crypto.verify = ${run.result?.ratio.toFixed(3)}`);
  });

  for (const addon of ['default', 'off'] as const) {
    it(`default load (addon ${addon}): no binding from the bundle into node, environ repaired`, async () => {
      const { run, toNode, fromBundle } = await runWithBindings({ GOPHER_AUTH_ADDON: addon === 'off' ? 'off' : undefined });
      expect(run.signal, run.stderr).toBeNull();
      expect(run.code, run.stderr).toBe(0);
      const r = run.result!;
      expect(r.loadMode).toBe('deepbind');
      // The linker did record the bundle's bindings (so zero below is not an empty log).
      expect(fromBundle).toBeGreaterThan(1000);
      expect(toNode).toEqual([]);
      console.info(`isolated load (addon ${addon}): native/crypto.verify = ${r.ratio.toFixed(3)} (${r.native} vs ${r.node})`);
      // Speed is the bench's to judge (bench/native.ts); the bindings above are what makes it.
      if (r.environ.separateStorage) expect(r.environ.same).toBe(true);
    });
  }
});
