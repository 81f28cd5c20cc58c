/**
 * `npm run leak`: memory stays flat under long validation runs and create/destroy cycles.
 *
 *   node --expose-gc --import tsx scripts/leak.ts [--tokens 1000000] [--cycles 100000]
 *        [--backends js,native] [--limit-mib 5] [--warmup 0.5]
 *
 * Each phase runs in its own child process (so one backend's allocations do not blur another's and a
 * native crash is a reported failure): per backend, `--tokens` validations of valid, invalid and
 * malformed tokens (sync and async mixed); then `--cycles` GopherAuthClient create/ready/validate/
 * destroy cycles and GopherValidationOptions create/use/destroy cycles. RSS and heap are sampled
 * at intervals (every 5%); growth after warm-up (default: the first half) must stay under the limit.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { GopherAuthClient } from '../src/core/client.js';
import { GopherValidationOptions } from '../src/core/options.js';
import { TestIssuer } from '../test/support/issuer.js';

const ISSUER = 'https://issuer.test/realms/leak';
const JWKS_URI = 'http://127.0.0.1:9/never-fetched/jwks.json';
const MIB = 1024 * 1024;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

interface Sample {
  done: number;
  rssMiB: number;
  heapUsedMiB: number;
  externalMiB: number;
}

function gcNow(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc (npm run leak does)');
  gc();
  gc();
}

function sample(done: number): Sample {
  gcNow();
  const m = process.memoryUsage();
  const round = (n: number) => Math.round((n / MIB) * 100) / 100;
  return { done, rssMiB: round(m.rss), heapUsedMiB: round(m.heapUsed), externalMiB: round(m.external) };
}

/** Keys served without a network: the manager's fetch is replaced by an in-memory answer. */
function fakeFetch(body: string): typeof fetch {
  return (async () => new Response(body, { status: 200, headers: { 'content-type': 'application/json' } })) as typeof fetch;
}

function tokenPool(issuer: TestIssuer): { token: string; valid: boolean }[] {
  const pool: { token: string; valid: boolean }[] = [];
  const now = issuer.now();
  for (let n = 0; n < 400; n++) {
    const t = issuer.sign({ claims: { jti: `leak-${n}`, exp: now + 7200 } });
    pool.push({ token: t, valid: true });
    pool.push({ token: `${t.slice(0, -6)}AAAAAA`, valid: false }); // bad signature
    pool.push({ token: issuer.sign({ claims: { jti: `exp-${n}`, exp: now - 3600 } }), valid: false });
    pool.push({ token: issuer.sign({ kid: `unknown-${n % 7}` }), valid: false });
    pool.push({ token: `${t.split('.')[0]}.${Buffer.from(`{"sub":${n}`).toString('base64url')}.x`, valid: false }); // malformed
    pool.push({ token: `garbage-${n}-${'x'.repeat(n % 50)}`, valid: false });
  }
  return pool;
}

async function tokensPhase(backend: 'js' | 'native', total: number): Promise<Sample[]> {
  const issuer = new TestIssuer(ISSUER);
  const body = JSON.stringify(issuer.jwks(['rsa2048']));
  const client = new GopherAuthClient(JWKS_URI, ISSUER, { backend, jwks: { fetch: fakeFetch(body), unknownKidCooldown: 3600 } });
  await client.ready();
  const pool = tokenPool(issuer);
  const options = new GopherValidationOptions().setClockSkew(60);
  const samples: Sample[] = [sample(0)];
  const every = Math.max(1, Math.floor(total / 20));
  let wrong = 0;
  for (let done = 0; done < total; ) {
    // 80% synchronous, 20% asynchronous (64 in flight), all kinds of tokens.
    for (let n = 0; n < 800 && done < total; n++, done++) {
      const item = pool[done % pool.length]!;
      if (client.validateTokenSync(item.token, n % 2 === 0 ? options : undefined).valid !== item.valid) wrong++;
    }
    const batch: Promise<void>[] = [];
    for (let n = 0; n < 200 && done < total; n++, done++) {
      const item = pool[(done * 7) % pool.length]!;
      batch.push(client.validateToken(item.token).then((r) => { if (r.valid !== item.valid) wrong++; }));
      if (batch.length === 64) await Promise.all(batch.splice(0));
    }
    await Promise.all(batch);
    if (done % every < 1000) samples.push(sample(done));
  }
  samples.push(sample(total));
  client.destroy();
  if (wrong > 0) throw new Error(`${wrong} wrong verdicts`);
  return samples;
}

async function cyclesPhase(backend: 'js' | 'native', total: number): Promise<Sample[]> {
  const issuer = new TestIssuer(ISSUER);
  const body = JSON.stringify(issuer.jwks(['rsa2048']));
  const token = issuer.sign({ claims: { exp: issuer.now() + 7200, aud: 'api://a' } });
  const fetchKeys = fakeFetch(body);
  const samples: Sample[] = [sample(0)];
  const every = Math.max(1, Math.floor(total / 20));
  for (let done = 1; done <= total; done++) {
    const client = new GopherAuthClient(JWKS_URI, ISSUER, { backend, jwks: { fetch: fetchKeys } });
    await client.ready();
    // Distinct per-call options: native option handles are created and destroyed around each call.
    const options = new GopherValidationOptions().setAudience('api://a').setScopes([`s${done % 50}`]).setClockSkew(done % 120);
    const result = client.validateTokenSync(token, options);
    if (result.valid || result.errorCode !== -1005) throw new Error(`unexpected verdict ${JSON.stringify(result)}`);
    options.destroy();
    options.destroy();
    client.destroy();
    client.destroy();
    if (done % every === 0) samples.push(sample(done));
  }
  return samples;
}

interface PhaseReport {
  phase: string;
  backend: string;
  count: number;
  seconds: number;
  samples: Sample[];
  growthAfterWarmupMiB: { rss: number; heapUsed: number };
  ok: boolean;
}

/**
 * Growth after warm-up, robust to GC and allocator noise: the mean RSS (and heap) of the last quarter
 * of the samples minus the mean of the first quarter after warm-up. RSS steps up while the libuv pool
 * threads and allocator arenas warm up (measured: flat after ~200k-500k validations), hence a warm-up
 * of half the run by default (`--warmup 0.5`).
 */
function evaluate(phase: string, backend: string, count: number, seconds: number, samples: Sample[], limitMiB: number, warmup: number): PhaseReport {
  const mean = (list: Sample[], key: 'rssMiB' | 'heapUsedMiB') => list.reduce((a, s) => a + s[key], 0) / Math.max(1, list.length);
  const after = samples.filter((s) => s.done >= count * warmup);
  const quarter = Math.max(1, Math.floor(after.length / 4));
  const early = after.slice(0, quarter);
  const late = after.slice(-quarter);
  const round = (n: number) => Math.round(n * 100) / 100;
  const rss = round(mean(late, 'rssMiB') - mean(early, 'rssMiB'));
  const heapUsed = round(mean(late, 'heapUsedMiB') - mean(early, 'heapUsedMiB'));
  return { phase, backend, count, seconds, samples, growthAfterWarmupMiB: { rss, heapUsed }, ok: rss < limitMiB && heapUsed < limitMiB };
}

async function child(phase: string, backend: 'js' | 'native'): Promise<void> {
  const count = Number(arg(phase === 'tokens' ? 'tokens' : 'cycles', phase === 'tokens' ? '1000000' : '100000'));
  const started = Date.now();
  const samples = phase === 'tokens' ? await tokensPhase(backend, count) : await cyclesPhase(backend, count);
  const report = evaluate(phase, backend, count, (Date.now() - started) / 1000, samples, Number(arg('limit-mib', '5')), Number(arg('warmup', '0.5')));
  process.stderr.write(`${JSON.stringify(report)}\n`);
}

function runChild(phase: string, backend: string): Promise<PhaseReport | { phase: string; backend: string; ok: false; crash: string }> {
  const args = ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--child', phase, '--backend', backend, ...process.argv.slice(2)];
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    proc.stderr.on('data', (b: Buffer) => {
      err += b.toString();
    });
    proc.on('close', (code, signal) => {
      const line = err.trim().split('\n').reverse().find((l) => l.startsWith('{"phase"'));
      if (code === 0 && line) resolve(JSON.parse(line) as PhaseReport);
      else resolve({ phase, backend, ok: false, crash: `${signal ?? `exit ${code}`}: ${err.slice(-2000)}` });
    });
  });
}

async function main(): Promise<void> {
  const phase = arg('child', '');
  if (phase !== '') {
    await child(phase, arg('backend', 'js') as 'js' | 'native');
    return;
  }
  const backends = arg('backends', process.platform === 'linux' && process.arch === 'x64' ? 'js,native' : 'js').split(',');
  const reports = [];
  for (const backend of backends) {
    for (const p of ['tokens', 'cycles']) {
      process.stderr.write(`leak: ${p} on ${backend}...\n`);
      const report = await runChild(p, backend);
      if ('samples' in report) {
        process.stderr.write(`  ${report.count} in ${report.seconds.toFixed(1)} s, growth after warm-up: RSS ${report.growthAfterWarmupMiB.rss} MiB, heap ${report.growthAfterWarmupMiB.heapUsed} MiB -> ${report.ok ? 'ok' : 'FAIL'}\n`);
      } else {
        process.stderr.write(`  FAILED: ${report.crash}\n`);
      }
      reports.push(report);
    }
  }
  process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
  process.exitCode = reports.every((r) => r.ok) ? 0 : 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
