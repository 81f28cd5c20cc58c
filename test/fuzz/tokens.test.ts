/** CI-sized token fuzzing through GopherAuthClient on the JS and native backends (a few seconds). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeSupported, startFuzzEnv, type FuzzEnv } from './env.js';
import { keySetsProperty, mutatedTokensProperty, randomTokensProperty, signedClaimsProperty } from './properties.js';

describe('token fuzzing (CI size)', () => {
  let env: FuzzEnv;
  beforeAll(async () => {
    env = await startFuzzEnv();
  });
  afterAll(async () => {
    await env.close();
  });

  it('runs both backends on linux-x64', () => {
    expect(env.native !== null).toBe(nativeSupported());
    expect(env.auto !== null).toBe(nativeSupported());
  });

  it('every genuine token is accepted by both backends (the invariant below is not vacuous)', async () => {
    for (const token of env.genuine) {
      expect((await env.js.validateToken(token)).valid).toBe(true);
      if (env.auto) expect((await env.auto.validateToken(token)).valid).toBe(true);
      const rs = /^RS/.test(JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()).alg as string);
      if (env.native) expect((await env.native.validateToken(token)).valid).toBe(rs);
    }
  });

  it('mutated genuine tokens: no throw, nothing unsigned accepted, backends agree', async () => {
    await mutatedTokensProperty(env, { runs: 1500 });
  });

  it('freshly signed tokens with claim names as values, in arrays and twice: backends agree', async () => {
    await signedClaimsProperty(env, { runs: 600 });
  });

  it('key sets the native key set carries or leaves out, tokens with their kid, none, "" or another: same verdict and code', async () => {
    await keySetsProperty({ runs: 300 });
  }, 60_000);

  it('random tokens: no throw, nothing accepted, backends agree', async () => {
    await randomTokensProperty(env, { runs: 1000 });
  });
});
