/** The startup self-test: the native backend is available only if this passes in this process. */
import { createSign, createVerify, randomUUID } from 'node:crypto';
import { generateKeyPair } from '../keypair.js';
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

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

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
    const { publicKey, privateKey } = generateKeyPair('rsa', { modulusLength: 2048 });
    const kid = `self-test-${randomUUID()}`;
    const jwk: Jwk = { ...(publicKey.export({ format: 'jwk' }) as Jwk), kid, use: 'sig', alg: 'RS256' };
    const now = Math.floor(Date.now() / 1000);
    const signingInput = `${b64url({ alg: 'RS256', typ: 'JWT', kid })}.${b64url({ sub: 'self-test', iss: ISSUER, iat: now, exp: now + 300 })}`;
    const signature = createSign('RSA-SHA256').update(signingInput).sign(privateKey).toString('base64url');
    const token = `${signingInput}.${signature}`;
    const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    const badSignature = `${signingInput}.${flipped}`;
    const request: ValidationRequest = { issuer: ISSUER, clockSkew: 60, algorithms: ['RS256', 'RS384', 'RS512'] };

    client = new NativeBackendClient(library, { jwksUri: 'https://self-test.gopher-auth.invalid/jwks', issuer: ISSUER });
    const json = JSON.stringify({ keys: [jwk] });
    client.setKeys({ keys: [jwk], json, fetchedAt: Date.now(), version: 1 });
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

    const data = Buffer.from('gopher-auth self-test');
    const sig = createSign('RSA-SHA256').update(data).sign(privateKey);
    const verified = createVerify('RSA-SHA256').update(data).verify(publicKey, sig);
    check('node crypto.sign afterwards', verified, verified ? 'sign + verify work' : 'verify failed');
  } catch (err) {
    check('exception', false, (err as Error).message);
  } finally {
    client?.destroy();
  }
  return finish();
}
