/**
 * The JS backend's verify worker threads: concurrent validations are answered by real worker
 * threads with exactly the verdicts the calling thread would give; a worker that dies hands its
 * tokens back; key changes reach the workers; sequential callers never leave the calling thread.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JS_ALGORITHMS, JsBackendClient } from '../../src/backends/js/index.js';
import { validateSync } from '../../src/backends/js/pipeline.js';
import { jsWorkSharing } from '../../src/backends/js/validate-async.js';
import { TokenChannel } from '../../src/backends/js/verify-channel.js';
import { VerifyPool, defaultPoolSize, verifyPool } from '../../src/backends/js/verify-pool.js';
import type { JwksSnapshot, ValidationRequest, Verdict } from '../../src/backends/types.js';
import { TestIssuer } from '../support/issuer.js';

const issuer = new TestIssuer('https://issuer.test/pool');
const request: ValidationRequest = { issuer: issuer.issuer, audience: 'api', clockSkew: 60, algorithms: JS_ALGORITHMS };
let version = 0;
const snapshotOf = (doc: { keys: JwksSnapshot['keys'] }): JwksSnapshot =>
  Object.freeze({ keys: doc.keys, json: JSON.stringify(doc), fetchedAt: Date.now(), version: ++version });
const keysAB = snapshotOf(issuer.jwks(['rsa2048', 'p256', 'ed25519']));

/** Valid and invalid tokens of every kind, in a fixed order. */
function mixedTokens(count: number): string[] {
  const now = issuer.now();
  const kinds: (() => string)[] = [
    () => issuer.sign({ claims: { aud: 'api', jti: Math.random().toString(36) } }),
    () => issuer.sign({ alg: 'ES256', claims: { aud: 'api' } }),
    () => issuer.sign({ alg: 'EdDSA', claims: { aud: 'api' } }),
    () => issuer.sign({ claims: { aud: 'api', exp: now - 3600 } }),
    () => issuer.sign({ claims: { aud: 'other' } }),
    () => issuer.sign({ kid: 'unknown', claims: { aud: 'api' } }),
    () => issuer.sign({ key: 'rsa2048b', kid: 'rsa2048', claims: { aud: 'api' } }),
    () => issuer.signRaw({ alg: 'RS256', headerJson: '{"alg":"RS256","kid":"rsa2048"}', payloadJson: `{"sub":"a","sub":"b","iss":"${issuer.issuer}","exp":${now + 60}}` }),
    () => 'not.a.jwt',
  ];
  return Array.from({ length: count }, (_, i) => (kinds[i % kinds.length] as () => string)());
}

const strip = (v: Verdict): Verdict => ({ valid: v.valid, code: v.code, message: v.message, ...(v.keyMiss ? { keyMiss: v.keyMiss } : {}) });

beforeAll(async () => {
  expect(defaultPoolSize()).toBeGreaterThan(0);
  expect(await verifyPool.whenReady()).toBe(true);
}, 30_000);

describe('verify worker threads', () => {
  it('answer 64-at-a-time validations exactly as the calling thread does', async () => {
    const client = new JsBackendClient();
    client.setKeys(keysAB);
    const tokens = mixedTokens(900);
    const before = verifyPool.stats().validated;
    const answers: Verdict[] = [];
    for (let i = 0; i < tokens.length; i += 64) {
      answers.push(...(await Promise.all(tokens.slice(i, i + 64).map((t) => client.validate(t, request)))));
    }
    expect(answers.map(strip)).toEqual(tokens.map((t) => strip(validateSync(t, request, keysAB))));
    expect(answers.filter((a) => a.valid).length).toBe(300);
    expect(verifyPool.stats().validated - before).toBeGreaterThan(100);
    client.destroy();
  });

  it('hand the tokens of a worker that dies back to the calling thread: none lost, none wrong', async () => {
    const pool = new VerifyPool(1);
    expect(await pool.whenReady()).toBe(true);
    const id = pool.register();
    pool.setKeys(id, keysAB);
    const tokens = mixedTokens(48);
    const pending = tokens.map((t) => pool.submit(id, t, request, keysAB, 100));
    const accepted = pending.filter((p): p is Promise<Verdict> => p !== null);
    expect(accepted.length).toBe(48);
    // The batches are posted at the end of this microtask queue; the worker is killed right after.
    await Promise.resolve();
    expect(await pool.killOneWorker()).toBe(true);
    const answers = await Promise.all(accepted);
    expect(answers.map(strip)).toEqual(tokens.slice(0, accepted.length).map((t) => strip(validateSync(t, request, keysAB))));
    const stats = pool.stats();
    expect(stats.handedBack).toBeGreaterThan(0);
    expect(stats.running).toBe(0);
    expect(stats.off).toBe('every worker thread exited');
    expect(pool.submit(id, tokens[0] as string, request, keysAB, 100)).toBeNull();
    // A replacement starts after a pause, gets the keys, and takes tokens again.
    const deadline = Date.now() + 5_000;
    while (pool.stats().running === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(pool.stats()).toMatchObject({ running: 1, off: null });
    const again = pool.submit(id, tokens[0] as string, request, keysAB, 100);
    expect(again).not.toBeNull();
    expect(strip(await (again as Promise<Verdict>))).toEqual(strip(validateSync(tokens[0] as string, request, keysAB)));
    await pool.close();
  });

  it('keep each token with its own client and request when one batch mixes them', async () => {
    const pool = new VerifyPool(1);
    expect(await pool.whenReady()).toBe(true);
    const keysC = snapshotOf(issuer.jwks(['rsa2048b']));
    const clients = [
      { id: pool.register(), snapshot: keysAB },
      { id: pool.register(), snapshot: keysC },
    ];
    for (const c of clients) pool.setKeys(c.id, c.snapshot);
    const requests: ValidationRequest[] = [
      request,
      { ...request, audience: 'other' },
      { ...request, scopes: ['mcp:admin'] },
    ];
    const tokens = [
      ...mixedTokens(18),
      issuer.sign({ key: 'rsa2048b', kid: 'rsa2048b', claims: { aud: 'other', scope: 'mcp:admin' } }),
      issuer.sign({ claims: { aud: 'api', name: 'Zoë 李' } }),
    ];
    // Three rounds, so some batches repeat the previous batch's requests and some change them.
    for (let round = 0; round < 3; round++) {
      const jobs = tokens.map((token, i) => {
        const client = clients[(i + round) % 2] as (typeof clients)[number];
        const req = requests[round === 1 ? 0 : (i * (round + 1)) % 3] as ValidationRequest;
        return { token, client, req, answer: pool.submit(client.id, token, req, client.snapshot, 100) };
      });
      expect(jobs.every((j) => j.answer !== null)).toBe(true);
      const answers = await Promise.all(jobs.map((j) => j.answer as Promise<Verdict>));
      expect(answers.map(strip)).toEqual(jobs.map((j) => strip(validateSync(j.token, j.req, j.client.snapshot))));
      expect(answers.some((a) => a.valid)).toBe(true);
    }
    expect(pool.stats()).toMatchObject({ handedBack: 0, validated: tokens.length * 3 });
    // A token that is not ASCII (never a JWT) stays with the caller, which validates it itself.
    expect(pool.submit(clients[0]!.id, 'é.ü.ß', request, keysAB, 100)).toBeNull();
    await pool.close();
  });

  it('see new keys before any validation submitted after setKeys', async () => {
    const client = new JsBackendClient();
    client.setKeys(snapshotOf(issuer.jwks(['rsa2048b'])));
    const tokens = Array.from({ length: 128 }, () => issuer.sign({ claims: { aud: 'api' } }));
    const stale = await Promise.all(tokens.map((t) => client.validate(t, request)));
    expect(stale.every((v) => v.keyMiss?.kid === 'rsa2048')).toBe(true);
    client.setKeys(snapshotOf(issuer.jwks(['rsa2048'])));
    const fresh = await Promise.all(tokens.map((t) => client.validate(t, request)));
    expect(fresh.every((v) => v.valid)).toBe(true);
    client.destroy();
  });

  it('still answer tokens of a client destroyed while they were queued', async () => {
    const client = new JsBackendClient();
    client.setKeys(keysAB);
    const tokens = mixedTokens(128);
    const pending = tokens.map((t) => client.validate(t, request));
    client.destroy();
    expect((await Promise.all(pending)).map(strip)).toEqual(tokens.map((t) => strip(validateSync(t, request, keysAB))));
  });

  it('never carry a sequential caller off its thread; past the budget it waits a turn instead', async () => {
    const client = new JsBackendClient();
    client.setKeys(keysAB);
    const token = issuer.sign({ claims: { aud: 'api' } });
    const before = jsWorkSharing.stats();
    for (let i = 0; i < 200; i++) expect((await client.validate(token, request)).valid).toBe(true);
    const after = jsWorkSharing.stats();
    expect(after.offloaded).toBe(before.offloaded);
    expect(after.inline - before.inline).toBe(200);
    expect(after.deferred).toBeGreaterThan(before.deferred);
    client.destroy();
  });

  it('take half of a few validations in progress, not all of them, so the calling thread keeps working', async () => {
    const pool = new VerifyPool(1);
    expect(await pool.whenReady()).toBe(true);
    const id = pool.register();
    pool.setKeys(id, keysAB);
    const token = issuer.sign({ claims: { aud: 'api' } });
    const accepted = (inProgress: number, backlog = 0): Promise<Verdict>[] => {
      const taken: Promise<Verdict>[] = [];
      for (let i = 0; i < 64; i++) {
        const pending = pool.submit(id, token, request, keysAB, backlog, inProgress);
        if (pending === null) break;
        taken.push(pending);
      }
      return taken;
    };
    // Two in progress: one for the worker, one left to the calling thread.
    const two = accepted(2);
    expect(two.length).toBe(1);
    await Promise.all(two);
    const six = accepted(6);
    expect(six.length).toBe(3);
    await Promise.all(six);
    // Many in progress: at least 8 queued, so the worker never runs dry between two turns; more
    // when more wait for the calling thread.
    const many = accepted(64);
    expect(many.length).toBe(8);
    await Promise.all(many);
    expect(accepted(64, 30).length).toBe(31);
    expect((await Promise.all(accepted(3))).every((v) => v.valid)).toBe(true);
    await pool.close();
  });

  it('leave their answers to the calling thread\'s coming turn instead of waking it, and wake it once none is coming', async () => {
    const pool = new VerifyPool(1);
    expect(await pool.whenReady()).toBe(true);
    let turnComing = true;
    pool.followTurns(() => turnComing);
    const id = pool.register();
    pool.setKeys(id, keysAB);
    const tokens = mixedTokens(18);
    const settled: boolean[] = tokens.map(() => false);
    const pending = tokens.map((t, i) => pool.submit(id, t, request, keysAB, 100)!.then((v) => ((settled[i] = true), v)));
    // The worker answers within milliseconds; with a turn coming nobody wakes this thread for it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(settled.every((s) => !s)).toBe(true);
    // The coming turn takes them in (a loaded machine may need a few turns for the worker to finish).
    for (let turn = 0; turn < 250 && !settled.every((s) => s); turn++) {
      pool.collect();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(settled.every((s) => s)).toBe(true);
    // No turn coming: the worker wakes this thread (watchAll() after the last turn, or on publish).
    turnComing = false;
    const more = mixedTokens(18).map((t) => pool.submit(id, t, request, keysAB, 100)!);
    const answers = await Promise.all([...pending, ...more]);
    expect(answers.length).toBe(36);
    // A turn announced, then called off without collecting: watchAll() hands the wake-up back.
    turnComing = true;
    const lateTokens = mixedTokens(9);
    const late = lateTokens.map((t) => pool.submit(id, t, request, keysAB, 100)!);
    await new Promise((resolve) => setTimeout(resolve, 100));
    turnComing = false;
    pool.watchAll();
    expect((await Promise.all(late)).map(strip)).toEqual(lateTokens.map((t) => strip(validateSync(t, request, keysAB))));
    await pool.close();
  });

  it('with 64 validations in flight, never ask a worker to wake the calling thread while a turn of its own is coming', async () => {
    const client = new JsBackendClient();
    client.setKeys(keysAB);
    const tokens = mixedTokens(3000);
    const expected = tokens.map((t) => strip(validateSync(t, request, keysAB)));
    const waits = { all: 0, withTurnComing: 0 };
    const answered = TokenChannel.prototype.answered;
    TokenChannel.prototype.answered = function (this: TokenChannel) {
      waits.all++;
      if (jsWorkSharing.drainPending) waits.withTurnComing++;
      return answered.call(this);
    };
    try {
      const before = verifyPool.stats().validated;
      // The worker runs below this thread's priority: on a loaded machine it may take few tokens of
      // a round, so rounds go on until it has answered enough for the count to mean something.
      for (let round = 0; round < 10 && verifyPool.stats().validated - before <= 100; round++) {
        let next = 0;
        const answers: Verdict[] = new Array(tokens.length);
        await Promise.all(
          Array.from({ length: 64 }, async () => {
            while (next < tokens.length) {
              const i = next++;
              answers[i] = await client.validate(tokens[i] as string, request);
            }
          }),
        );
        expect(answers.map(strip)).toEqual(expected);
      }
      expect(verifyPool.stats().validated - before).toBeGreaterThan(100);
      // Woken regardless of turns, that was one wait per 3–13 worker answers (170 in one round here).
      // Waits are still armed when this thread has nothing left but the worker's tokens (a round's
      // end; more often when a loaded machine starves the worker), never while a turn is coming.
      expect(waits.withTurnComing).toBe(0);
      expect(waits.all).toBeGreaterThan(0);
    } finally {
      TokenChannel.prototype.answered = answered;
      client.destroy();
    }
  });

  it('take their size from GOPHER_AUTH_JS_WORKERS (0 turns them off)', async () => {
    expect(defaultPoolSize({ GOPHER_AUTH_JS_WORKERS: '3' })).toBe(3);
    expect(defaultPoolSize({ GOPHER_AUTH_JS_WORKERS: '0' })).toBe(0);
    expect(defaultPoolSize({ GOPHER_AUTH_JS_WORKERS: 'lots' })).toBe(defaultPoolSize({}));
    const off = new VerifyPool(0);
    expect(await off.whenReady()).toBe(false);
    expect(off.submit(off.register(), 'a.b.c', request, keysAB, 10)).toBeNull();
    expect(off.stats().off).toMatch(/GOPHER_AUTH_JS_WORKERS=0/);
  });
});

describe('a process using the workers', () => {
  const run = promisify(execFile);
  const root = path.resolve(import.meta.dirname, '../..');

  it('exits on its own once its validations are answered, and validates on the libuv pool with the workers off', async () => {
    const script = `
      import { JsBackendClient, JS_ALGORITHMS, verifyPool } from ${JSON.stringify(path.join(root, 'src/backends/js/index.ts'))};
      import { TestIssuer } from ${JSON.stringify(path.join(root, 'test/support/issuer.ts'))};
      const issuer = new TestIssuer('https://issuer.test/pool');
      const client = new JsBackendClient();
      client.setKeys({ keys: issuer.jwks(['rsa2048']).keys, json: '', fetchedAt: Date.now(), version: 1 });
      const request = { issuer: issuer.issuer, clockSkew: 60, algorithms: JS_ALGORITHMS };
      await verifyPool.whenReady();
      const tokens = Array.from({ length: 256 }, () => issuer.sign());
      const verdicts = await Promise.all(tokens.map((t) => client.validate(t, request)));
      const s = verifyPool.stats();
      console.log(JSON.stringify({ valid: verdicts.filter((v) => v.valid).length, validated: s.validated, off: s.off }));
    `;
    const started = Date.now();
    const on = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, timeout: 20_000 });
    expect(Date.now() - started).toBeLessThan(15_000);
    const onResult = JSON.parse(on.stdout.trim()) as { valid: number; validated: number; off: string | null };
    expect(onResult).toMatchObject({ valid: 256, off: null });
    expect(onResult.validated).toBeGreaterThan(0);

    const off = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      timeout: 20_000,
      env: { ...process.env, GOPHER_AUTH_JS_WORKERS: '0' },
    });
    expect(JSON.parse(off.stdout.trim())).toMatchObject({ valid: 256, validated: 0, off: expect.stringMatching(/GOPHER_AUTH_JS_WORKERS=0/) });
  }, 60_000);

  it('a started worker that never got work does not keep the process alive either', async () => {
    // The worker is started and ready, then all validations happen on the calling thread (a few,
    // answered before any batch is sent) — or none at all.
    const script = `
      import { verifyPool } from ${JSON.stringify(path.join(root, 'src/backends/js/index.ts'))};
      import { GopherAuthClient } from ${JSON.stringify(path.join(root, 'src/core/client.ts'))};
      import { TestIssuer } from ${JSON.stringify(path.join(root, 'test/support/issuer.ts'))};
      import { startJwksServer } from ${JSON.stringify(path.join(root, 'test/support/jwks-server.ts'))};
      const mode = process.argv[1];
      let running = 0;
      if (mode === 'idle') {
        await verifyPool.whenReady();
        running = verifyPool.stats().running;
      } else {
        const issuer = new TestIssuer('https://issuer.test/pool');
        const jwks = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
        const client = new GopherAuthClient(jwks.url, issuer.issuer, { backend: 'js' });
        await client.ready();
        const verdicts = await Promise.all(Array.from({ length: 10 }, () => client.validateToken(issuer.sign())));
        if (verdicts.some((v) => !v.valid)) throw new Error('a valid token was refused');
        await verifyPool.whenReady();
        running = verifyPool.stats().running;
        client.destroy();
        await jwks.close();
      }
      console.log(JSON.stringify({ mode, running }));
    `;
    for (const mode of ['idle', 'ten-validations']) {
      const started = Date.now();
      const out = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, mode], { cwd: root, timeout: 20_000 });
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(JSON.parse(out.stdout.trim())).toEqual({ mode, running: 1 });
    }
  }, 60_000);
});

afterAll(async () => {
  await verifyPool.close();
});
