/**
 * Reference-counted `gopher_auth_init` / `gopher_auth_shutdown`. The native shutdown is process-wide
 * and invalidates every live handle, so it runs only when the last holder (explicit init, native
 * client) lets go.
 *
 * With the addon the count is process-wide (the addon keeps it for every thread), so the shutdown
 * waits for the worker threads' clients too. Without it each thread counts its own holders, which
 * says nothing of the other threads': the library is then initialised on every hold and never shut
 * down (once the main thread shut it down, a worker's clients answered NOT_INITIALIZED for good).
 */
import { GopherAuthError } from '../codes.js';
import { NativeBackendError } from './errors.js';
import type { LoadedLibrary } from './loader.js';

/** The addon's process-wide count (see AddonBinding.holdRuntime). */
export interface ProcessWideRuntime {
  holdRuntime(delta: 1 | -1 | 0): { holders: number; rc: number };
}

/**
 * This thread's holders, and (decided before the first hold, kept for the thread's life so holds
 * and releases pair) whether they are counted through the addon.
 *
 * Kept on globalThis, not in this module: an application that both imports and requires the
 * package runs two copies of this module (dist/index.js and dist/index.cjs) against one library,
 * whose shutdown is one for both. With a count per copy, the first copy to let go shut the library
 * down under the other's clients (every token then refused NOT_INITIALIZED, no new client possible).
 * globalThis is per thread, as this count is.
 */
interface RuntimeHolds {
  holders: number;
  processWide: ProcessWideRuntime | null;
}
const HOLDS_KEY = Symbol.for('gopher-auth.nativeRuntimeHolds');
const shared = globalThis as unknown as Record<symbol, RuntimeHolds | undefined>;
const holds: RuntimeHolds = (shared[HOLDS_KEY] ??= { holders: 0, processWide: null });

/** Counts through the addon from now on; ignored once this thread holds anything. */
export function useProcessWideRuntime(runtime: ProcessWideRuntime): void {
  if (holds.holders === 0) holds.processWide = runtime;
}

export function acquireNativeRuntime(library: LoadedLibrary): void {
  if (holds.processWide !== null) {
    const { rc } = holds.processWide.holdRuntime(1);
    library.clearNodeOpenSslErrors();
    if (rc !== 0) throw new NativeBackendError(rc as GopherAuthError, `gopher_auth_init failed with ${rc}`);
  } else {
    // Idempotent, and asked on every hold: without the addon no count spans the threads, so a shutdown
    // this thread did not see (another thread's, or a library user's own) must not leave it at -1012.
    const rc = library.api.fn('gopher_auth_init')() as number;
    library.clearNodeOpenSslErrors();
    if (rc !== 0) throw new NativeBackendError(rc as GopherAuthError, `gopher_auth_init failed with ${rc}`);
  }
  holds.holders++;
}

export function releaseNativeRuntime(library: LoadedLibrary): void {
  if (holds.holders === 0) return;
  holds.holders--;
  if (holds.processWide !== null) {
    holds.processWide.holdRuntime(-1);
    library.clearNodeOpenSslErrors();
    return;
  }
  // Counted per thread: no thread can tell that none of the others holds a client, and the native
  // shutdown is process-wide (every handle then answers -1012). Without the addon the library stays
  // initialised until the process exits.
}

/** Holders of the library's init: process-wide with the addon, else this thread's. */
export function nativeRuntimeHolders(): number {
  return holds.processWide !== null ? holds.processWide.holdRuntime(0).holders : holds.holders;
}
