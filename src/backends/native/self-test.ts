/** The startup self-test: the native backend is available only if this passes in this process. */
import { createPublicKey, verify } from 'node:crypto';
import { GopherAuthError } from '../codes.js';
import type { Jwk, ValidationRequest } from '../types.js';
import { NativeBackendClient } from './client.js';
import type { LoadedLibrary } from './loader.js';

export interface SelfTestStep {
  name: string;
  ok: boolean;
  detail: string;
}

export interface SelfTestReport {
  passed: boolean;
  steps: SelfTestStep[];
  /** The first failing step, in words. */
  reason: string | null;
  durationMs: number;
}

const ISSUER = 'https://self-test.gopher-auth.invalid';

/**
 * A token signed once, ahead of time, with a key whose private half was thrown away: generating an
 * RSA-2048 key here blocked the event loop for 50–400 ms on a process's first native validation.
 * It expires on 2100-01-01 and names an issuer that cannot exist; only this self-test's own client,
 * destroyed at its end, ever holds its key.
 */
const KID = 'gopher-auth-self-test';
const PUBLIC_JWK: Jwk = {
  kty: 'RSA',
  n: 'wTNYiq-dQ8wSUV9SUc0o4exm57ljtIrsBaEWf8re9Wm5YT0xLl83wiX2TB97aJZE2eq3O08-0f1W49Tc4WtdUIi6uMYcA62WooqcqrOlSf8N3LRdcteajrjbUufc52-alzxOz4WlRtqGoEXTbO1Wc1IwGj2JX3MJhVQB9sgH-K-18eH4HtWxwoURjrsOQZDUToY3AaRjlT-aQLrhNxY-Rb1NdHpjApPQP7TMprsG6qnejJMOzRloX65VpG9lT7ByBShF-GC0gT-xXQgIKfZVn-3lYwwjX0u_384n8NHOap5Y2cVuyxHyG10-MWZSI_3BmCF_Yovo09PleH0VwXU4rQ',
  e: 'AQAB',
  kid: KID,
  use: 'sig',
  alg: 'RS256',
};
const TOKEN =
  'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImdvcGhlci1hdXRoLXNlbGYtdGVzdCJ9.eyJzdWIiOiJzZWxmLXRlc3QiLCJpc3MiOiJodHRwczovL3NlbGYtdGVzdC5nb3BoZXItYXV0aC5pbnZhbGlkIiwiaWF0IjoxNzk1MzkyMDAwLCJleHAiOjQxMDI0NDQ4MDB9.rPa0-x5ojbKEd--MVr1ZNVL1VURwJhb3RhMmleIGdXJZejcm-jFhDj_4vLrCqMAvuMmYNYsEnQ3DP7NWa3RQqfu9iVJtcyiUnGZG2ysWhnNj51peMU_NOmIuUZko5uZPSfau9b1oCGXL15lDGC13bbj-Su1Xzf15UuhC5aWz69f4xqh9NBcJONJI60sfNDMkUH0w2B8hTDRcy_GO-58-CgpoisvD6L9m-8y0sbNdk_hg4dL3ZhCmVLh9xzt0c0Gqn_bJ7xSkZ7-qfHeQEA6wxXVhr6T6XagpwY0FW2CJ5DFh7h18_jApuiEA-uSM0z_zW5TsZdrHyzBuUn6901N_Sg';

export function runSelfTest(library: LoadedLibrary): SelfTestReport {
  const started = performance.now();
  const steps: SelfTestStep[] = [];
  const check = (name: string, ok: boolean, detail: string): boolean => {
    steps.push({ name, ok, detail });
    return ok;
  };
  const finish = (): SelfTestReport => {
    const failed = steps.find((s) => !s.ok);
    return {
      passed: failed === undefined,
      steps,
      reason: failed ? `${failed.name}: ${failed.detail}` : null,
      durationMs: Math.round(performance.now() - started),
    };
  };

  let client: NativeBackendClient | null = null;
  try {
    const token = TOKEN;
    const dot = token.lastIndexOf('.');
    const signingInput = token.slice(0, dot);
    const signature = token.slice(dot + 1);
    const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    const badSignature = `${signingInput}.${flipped}`;
    const request: ValidationRequest = { issuer: ISSUER, clockSkew: 60, algorithms: ['RS256', 'RS384', 'RS512'] };

    client = new NativeBackendClient(library, { jwksUri: 'https://self-test.gopher-auth.invalid/jwks', issuer: ISSUER });
    const json = JSON.stringify({ keys: [PUBLIC_JWK] });
    client.setKeys({ keys: [PUBLIC_JWK], json, fetchedAt: Date.now(), version: 1 });
    check('inject', true, 'key set injected with gopher_auth_client_set_jwks_json');

    const good = client.validateSync(token, request);
    if (!check('valid token', good.valid && good.code === GopherAuthError.SUCCESS, `valid=${good.valid} code=${good.code}`)) return finish();

    const bad = client.validateSync(badSignature, request);
    if (
      !check(
        'bad signature',
        !bad.valid && bad.code === GopherAuthError.INVALID_SIGNATURE,
        `valid=${bad.valid} code=${bad.code} message=${bad.message ?? ''}`,
      )
    ) {
      return finish();
    }

    const queue = library.peekNodeOpenSslError();
    if (!check("node's OpenSSL error queue", queue === 0, queue === 0 ? 'empty' : `error 0x${queue.toString(16)} left`)) {
      return finish();
    }

    const publicKey = createPublicKey({ key: PUBLIC_JWK, format: 'jwk' });
    const verified = verify('sha256', Buffer.from(signingInput), publicKey, Buffer.from(signature, 'base64url'));
    check('node crypto.verify afterwards', verified, verified ? 'verify works' : 'verify failed');
  } catch (err) {
    check('exception', false, (err as Error).message);
  } finally {
    client?.destroy();
  }
  return finish();
}
