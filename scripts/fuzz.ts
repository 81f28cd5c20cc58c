/**
 * `npm run fuzz`: every fuzz target with >= 100,000 cases, each in its own child process so that a
 * native crash (a signal, an abort) is reported as that target's failure instead of killing the run.
 *
 *   tsx scripts/fuzz.ts [--runs N] [--seed S] [--only target,...]
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startFuzzEnv } from '../test/fuzz/env.js';
import {
  authorizationProperty,
  challengeBuildersProperty,
  jwksDocumentsProperty,
  keySetsProperty,
  mutatedTokensProperty,
  randomTokensProperty,
  signedClaimsProperty,
  type RunOptions,
} from '../test/fuzz/properties.js';

const TARGETS: Record<string, (o: RunOptions) => Promise<void> | void> = {
  'mutated-tokens': async (o) => withEnv((env) => mutatedTokensProperty(env, o)),
  'random-tokens': async (o) => withEnv((env) => randomTokensProperty(env, o)),
  'signed-claims': async (o) => withEnv((env) => signedClaimsProperty(env, o)),
  'key-sets': keySetsProperty,
  'jwks-documents': jwksDocumentsProperty,
  'challenge-builders': challengeBuildersProperty,
  authorization: authorizationProperty,
};

/** Not a fuzz target: dies by a signal, to prove the runner reports a crashed child as a failure. */
const SELF_TEST_CRASH = '__crash';

async function withEnv(run: (env: Awaited<ReturnType<typeof startFuzzEnv>>) => Promise<void>): Promise<void> {
  const env = await startFuzzEnv();
  try {
    await run(env);
  } finally {
    await env.close();
  }
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function child(target: string): Promise<void> {
  if (target === SELF_TEST_CRASH) process.kill(process.pid, 'SIGSEGV');
  const run = TARGETS[target];
  if (!run) throw new Error(`unknown target ${target}`);
  const runs = Number(arg('runs') ?? 100_000);
  const seed = arg('seed') === undefined ? undefined : Number(arg('seed'));
  const started = Date.now();
  await run({ runs, seed });
  process.stderr.write(`${target}: ${runs} cases passed in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

interface Outcome {
  target: string;
  ok: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
  seconds: number;
}

function spawnTarget(target: string, runs: number, seed: string | undefined): Promise<Outcome> {
  const started = Date.now();
  const args = ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', target, '--runs', String(runs)];
  if (seed !== undefined) args.push('--seed', seed);
  return new Promise((resolve) => {
    // The child's stdout is ignored: a muted native library must stay muted, but nothing is lost if not.
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    proc.on('close', (code, signal) =>
      resolve({ target, ok: code === 0 && signal === null, code, signal, seconds: (Date.now() - started) / 1000 }),
    );
  });
}

async function main(): Promise<void> {
  const target = arg('child');
  if (target !== undefined) {
    await child(target);
    return;
  }
  const runs = Number(arg('runs') ?? 100_000);
  const only = arg('only')?.split(',');
  const names = [...Object.keys(TARGETS), SELF_TEST_CRASH].filter((t) => (only ? only.includes(t) : t !== SELF_TEST_CRASH));
  const outcomes: Outcome[] = [];
  for (const name of names) {
    process.stderr.write(`fuzz ${name}: ${runs} cases in a child process...\n`);
    outcomes.push(await spawnTarget(name, runs, arg('seed')));
  }
  process.stdout.write(`${JSON.stringify({ runs, outcomes }, null, 2)}\n`);
  const failed = outcomes.filter((o) => !o.ok);
  for (const f of failed) {
    process.stderr.write(`FAILED ${f.target}: ${f.signal ? `killed by ${f.signal} (native crash?)` : `exit code ${f.code}`}\n`);
  }
  process.exitCode = failed.length === 0 ? 0 : 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  // fast-check keeps the property's own error as the cause.
  if (err instanceof Error && err.cause !== undefined) process.stderr.write(`caused by: ${err.cause instanceof Error ? (err.cause.stack ?? err.cause.message) : String(err.cause)}\n`);
  process.exitCode = 1;
});
