/**
 * The shared-memory channel between the calling thread and a verify worker (verify-channel.ts):
 * tokens of every size, one after another for long enough that the byte ring wraps, verdicts that do
 * not fit back into the token's bytes, requests beyond the worker's table, and tokens too large
 * for the room left. Every answer must be exactly the calling thread's.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { JS_ALGORITHMS } from '../../src/backends/js/index.js';
import { validateSync } from '../../src/backends/js/pipeline.js';
import { REQUEST_TABLE, RequestIds } from '../../src/backends/js/verify-protocol.js';
import { VerifyPool } from '../../src/backends/js/verify-pool.js';
import type { JwksSnapshot, ValidationRequest, Verdict } from '../../src/backends/types.js';
import { TestIssuer } from '../support/issuer.js';

const issuer = new TestIssuer('https://issuer.test/channel');
const request: ValidationRequest = { issuer: issuer.issuer, audience: 'api', clockSkew: 60, algorithms: JS_ALGORITHMS };
const doc = issuer.jwks(['rsa2048', 'p256']);
const keys: JwksSnapshot = Object.freeze({ keys: doc.keys, json: JSON.stringify(doc), fetchedAt: Date.now(), version: 1 });
const strip = (v: Verdict): Verdict => ({ valid: v.valid, code: v.code, message: v.message, ...(v.keyMiss ? { keyMiss: v.keyMiss } : {}) });

const pool = new VerifyPool(1);
const client = pool.register();
pool.setKeys(client, keys);
afterAll(() => pool.close());

/** Submits every token through the pool, at most `inFlight` at once; tokens it refuses are validated here. */
async function throughPool(tokens: readonly string[], requests: readonly ValidationRequest[], inFlight = 48): Promise<{ verdicts: Verdict[]; refused: number }> {
  const verdicts = new Array<Verdict>(tokens.length);
  let next = 0;
  let refused = 0;
  const lane = async (): Promise<void> => {
    while (next < tokens.length) {
      const i = next++;
      const req = requests[i % requests.length] as ValidationRequest;
      const pending = pool.submit(client, tokens[i] as string, req, keys, 100);
      if (pending === null) refused++;
      verdicts[i] = pending === null ? validateSync(tokens[i] as string, req, keys) : await pending;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return { verdicts, refused };
}

const expected = (tokens: readonly string[], requests: readonly ValidationRequest[]): Verdict[] =>
  tokens.map((t, i) => strip(validateSync(t, requests[i % requests.length] as ValidationRequest, keys)));

describe('the verify channel', () => {
  it('carries a long stream of tokens of every size, wrapping its byte ring many times, without a wrong answer', async () => {
    expect(await pool.whenReady()).toBe(true);
    const now = issuer.now();
    const kinds = [
      (i: number) => issuer.sign({ claims: { aud: 'api', pad: 'x'.repeat((i * 7919) % 6000) } }),
      (i: number) => issuer.sign({ alg: 'ES256', claims: { aud: 'api', pad: 'y'.repeat((i * 104729) % 30_000) } }),
      () => issuer.sign({ claims: { aud: 'api', exp: now - 3600 } }),
      () => issuer.sign({ claims: { aud: 'other' } }),
      () => issuer.sign({ kid: 'unknown', claims: { aud: 'api' } }),
    ];
    const distinct = Array.from({ length: 400 }, (_, i) => (kinds[i % kinds.length] as (i: number) => string)(i));
    const tokens = Array.from({ length: 4000 }, (_, i) => distinct[(i * 37) % distinct.length] as string);
    const before = pool.stats();
    const { verdicts } = await throughPool(tokens, [request]);
    expect(verdicts.map(strip)).toEqual(expected(tokens, [request]));
    const stats = pool.stats();
    // ~40 MB went through the 1 MiB ring, nearly all of it answered by the worker.
    expect(tokens.reduce((n, t) => n + t.length, 0)).toBeGreaterThan(20 * 1024 * 1024);
    expect(stats.validated - before.validated).toBeGreaterThan(tokens.length * 0.9);
    expect(stats.handedBack).toBe(before.handedBack);
  }, 60_000);

  it('hands back a token whose verdict is longer than the token (its bytes hold the answer), with the same verdict', async () => {
    const longKid = issuer.sign({ kid: 'k'.repeat(3000), claims: { aud: 'api' } });
    const before = pool.stats().handedBack;
    const { verdicts, refused } = await throughPool([longKid, longKid, longKid], [request]);
    expect(refused).toBe(0);
    expect(verdicts.map(strip)).toEqual(expected([longKid, longKid, longKid], [request]));
    expect(verdicts[0]?.keyMiss?.kid).toBe('k'.repeat(3000));
    expect(pool.stats().handedBack - before).toBe(3);
  });

  it('brings back verdict strings exactly, a kid with a lone surrogate or other scripts included', async () => {
    const kids = ['\\ud800', 'clé-李-🔑', '\\udfff\\ud83d', ''];
    const tokens = kids.map((kid) =>
      issuer.signRaw({ alg: 'RS256', headerJson: `{"alg":"RS256","kid":"${kid}"}`, payloadJson: JSON.stringify({ sub: 'a', iss: issuer.issuer, aud: 'api', exp: issuer.now() + 60 }) }),
    );
    const before = pool.stats();
    const { verdicts, refused } = await throughPool(tokens, [request]);
    expect(refused).toBe(0);
    expect(verdicts.map(strip)).toEqual(expected(tokens, [request]));
    expect(verdicts[0]?.keyMiss?.kid).toBe('\ud800');
    expect(verdicts.slice(1, 3).map((v) => v.keyMiss?.kid)).toEqual(['clé-李-🔑', '\udfff\ud83d']);
    // An empty kid means none: the first usable keys are tried, and one of them signed it.
    expect(verdicts[3]?.valid).toBe(true);
    const stats = pool.stats();
    expect(stats.validated - before.validated).toBe(tokens.length);
    expect(stats.handedBack).toBe(before.handedBack);
  });

  it('refuses tokens there is no room for, and answers the ones it took', async () => {
    // 48 tokens of ~60,000 characters need ~2.9 MB; the ring holds 1 MiB.
    const big = Array.from({ length: 48 }, (_, i) => issuer.sign({ claims: { aud: 'api', pad: String(i).repeat(44_000 / String(i).length) } }));
    expect(big.every((t) => t.length > 55_000 && t.length <= 65_536)).toBe(true);
    const { verdicts, refused } = await throughPool(big, [request], 48);
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThan(48);
    expect(verdicts.every((v) => v.valid)).toBe(true);
  });

  it('keeps each token with its own request across more requests than the worker remembers', async () => {
    const requests = Array.from({ length: REQUEST_TABLE * 2 + 7 }, (_, i): ValidationRequest => ({
      ...request,
      scopes: i % 3 === 0 ? [`scope${i % 5}`] : undefined,
      audience: i % 2 === 0 ? 'api' : 'other',
    }));
    const tokens = Array.from({ length: requests.length * 2 }, (_, i) =>
      issuer.sign({ claims: { aud: i % 4 < 2 ? 'api' : 'other', scope: `scope${i % 5} scope${(i + 1) % 5}` } }),
    );
    const { verdicts } = await throughPool(tokens, requests);
    const want = expected(tokens, requests);
    expect(verdicts.map(strip)).toEqual(want);
    expect(want.filter((v) => v.valid).length).toBeGreaterThan(100);
    expect(want.filter((v) => !v.valid).length).toBeGreaterThan(100);
  }, 30_000);
});

describe('a worker that dies mid-stream', () => {
  it('loses no token and answers none wrongly, while the calling thread waits on the channel', async () => {
    const own = new VerifyPool(1);
    expect(await own.whenReady()).toBe(true);
    const id = own.register();
    own.setKeys(id, keys);
    const tokens = Array.from({ length: 600 }, (_, i) => issuer.sign({ claims: { aud: i % 5 === 0 ? 'other' : 'api', jti: `j${i}` } }));
    const verdicts = new Array<Verdict>(tokens.length);
    let next = 0;
    let killed = false;
    const lane = async (): Promise<void> => {
      while (next < tokens.length) {
        const i = next++;
        if (i === 200 && !killed) {
          killed = true;
          // Killed while tokens are out and the calling thread is waiting for their answers.
          void own.killOneWorker();
        }
        const pending = own.submit(id, tokens[i] as string, request, keys, 100);
        verdicts[i] = pending === null ? validateSync(tokens[i] as string, request, keys) : await pending;
      }
    };
    await Promise.all(Array.from({ length: 48 }, lane));
    expect(killed).toBe(true);
    expect(verdicts.map(strip)).toEqual(expected(tokens, [request]));
    const stats = own.stats();
    expect(stats.validated).toBeGreaterThan(100);
    expect(stats.validated + stats.handedBack).toBeLessThanOrEqual(tokens.length);
    await own.close();
  }, 30_000);
});

describe('request ids', () => {
  it('name only requests the worker still holds: a new object gets a new id, and the oldest are forgotten', () => {
    const ids = new RequestIds();
    const first = { ...request };
    const a = ids.add(first);
    expect(ids.idOf(first)).toBe(a);
    expect(ids.idOf({ ...request })).toBeUndefined();
    const later = Array.from({ length: REQUEST_TABLE / 2 }, () => ({ ...request }));
    const laterIds = later.map((r) => ids.add(r));
    expect(ids.idOf(first)).toBeUndefined();
    expect(later.map((r) => ids.idOf(r))).toEqual(laterIds);
    // The ids still named occupy distinct places in the worker's table.
    expect(new Set(laterIds.map((id) => id % REQUEST_TABLE)).size).toBe(laterIds.length);
  });
});
