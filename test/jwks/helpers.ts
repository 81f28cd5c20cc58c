import { randomUUID } from 'node:crypto';
import { generateKeyPair } from '../../src/backends/keypair.js';
import { expect } from 'vitest';
import type { Jwk } from '../../src/backends/types.js';
import { GopherAuthError, GopherAuthException } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';

/** A real public JWK (EC P-256: fast to generate) with the given kid. */
export function makeJwk(kid: string): Jwk {
  const { publicKey } = generateKeyPair('ec', { namedCurve: 'P-256' });
  return { ...(publicKey.export({ format: 'jwk' }) as Jwk), kid, use: 'sig', alg: 'ES256' };
}

/** A real RSA-2048 public JWK. */
export function makeRsaJwk(kid: string): Jwk {
  const { publicKey } = generateKeyPair('rsa', { modulusLength: 2048 });
  return { ...(publicKey.export({ format: 'jwk' }) as Jwk), kid, use: 'sig', alg: 'RS256' };
}

export function makeJwks(...kids: string[]): { keys: Jwk[] } {
  return { keys: kids.map(makeJwk) };
}

export const randomKid = (): string => randomUUID();

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  obj: unknown;
  msg: string | undefined;
}

export function captureLogger(): Logger & { entries: LogEntry[]; at(level: LogEntry['level']): LogEntry[] } {
  const entries: LogEntry[] = [];
  const record = (level: LogEntry['level']) => (obj: unknown, msg?: string) => {
    entries.push({ level, obj, msg });
  };
  return {
    entries,
    at: (level) => entries.filter((entry) => entry.level === level),
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
  };
}

/** Awaits a rejection and checks it is GopherAuthException(JWKS_FETCH_FAILED) with a matching reason. */
export async function expectFetchFailure(promise: Promise<unknown>, reason: RegExp): Promise<GopherAuthException> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GopherAuthException);
  const exception = error as GopherAuthException;
  expect(exception.code).toBe(GopherAuthError.JWKS_FETCH_FAILED);
  expect(exception.message).toMatch(reason);
  return exception;
}

/** Resolves with the next value passed to a subscribe()-style callback, or rejects after `ms`. */
export function nextEmission<T>(subscribe: (cb: (value: T) => void) => () => void, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`no emission within ${ms} ms`));
    }, ms);
    const unsubscribe = subscribe((value) => {
      clearTimeout(timer);
      unsubscribe();
      resolve(value);
    });
  });
}
