/**
 * Per-request identity through AsyncLocalStorage. The store lives on a registered global symbol so
 * an ESM and a CJS copy of this package share it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { GopherAuthError, GopherAuthException } from '../core/errors.js';
import type { AuthInfo } from './auth-info.js';

const KEY = Symbol.for('gopher-auth.authInfoStorage');
const holder = globalThis as unknown as Record<symbol, AsyncLocalStorage<AuthInfo> | undefined>;
const storage: AsyncLocalStorage<AuthInfo> = (holder[KEY] ??= new AsyncLocalStorage<AuthInfo>());

/** Runs `fn` with `authInfo` as the current request's identity (and everything it awaits). */
export function runWithAuthInfo<T>(authInfo: AuthInfo, fn: () => T): T {
  return storage.run(authInfo, fn);
}

/** The identity of the request being handled, or undefined outside a gated request. */
export function getAuthInfo(): AuthInfo | undefined {
  return storage.getStore();
}

/** Like getAuthInfo, but throws when called outside a gated request. */
export function requireAuthInfo(): AuthInfo {
  const info = storage.getStore();
  if (info === undefined) {
    throw new GopherAuthException(GopherAuthError.NOT_INITIALIZED, 'requireAuthInfo() called outside a request that passed the gopher-auth gate');
  }
  return info;
}
