/**
 * Reference-counted `gopher_auth_init` / `gopher_auth_shutdown`. The native shutdown is process-wide
 * and invalidates every live handle, so it runs only when the last holder (explicit init, native
 * client, addon) lets go.
 */
import { isMainThread } from 'node:worker_threads';
import { GopherAuthError } from '../codes.js';
import { NativeBackendError } from './errors.js';
import type { LoadedLibrary } from './loader.js';

let holders = 0;

export function acquireNativeRuntime(library: LoadedLibrary): void {
  if (holders === 0) {
    const rc = library.api.fn('gopher_auth_init')() as number;
    library.clearNodeOpenSslErrors();
    if (rc !== 0) throw new NativeBackendError(rc as GopherAuthError, `gopher_auth_init failed with ${rc}`);
  }
  holders++;
}

export function releaseNativeRuntime(library: LoadedLibrary): void {
  if (holders === 0) return;
  holders--;
  // The count is per thread but the native shutdown is per process: a worker thread letting go of
  // its last client must not pull the library from under the main thread (and its other workers).
  if (holders === 0 && isMainThread && library.api.has('gopher_auth_shutdown')) {
    library.api.fn('gopher_auth_shutdown')();
    library.clearNodeOpenSslErrors();
  }
}

export function nativeRuntimeHolders(): number {
  return holders;
}
