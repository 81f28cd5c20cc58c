/**
 * Reference-counted `gopher_auth_init` / `gopher_auth_shutdown`. The native shutdown is process-wide
 * and invalidates every live handle, so it runs only when the last holder (explicit init, native
 * client) lets go.
 *
 * With the addon the count is process-wide (the addon keeps it for every thread), so the shutdown
 * waits for the worker threads' clients too. Without it each thread counts its own holders, and only
 * the main thread shuts down: a worker's native clients then stop answering (NOT_INITIALIZED) once
 * the main thread lets go of its last one (docs/native.md).
 */
import { isMainThread } from 'node:worker_threads';
import { GopherAuthError } from '../codes.js';
import { NativeBackendError } from './errors.js';
import type { LoadedLibrary } from './loader.js';

/** The addon's process-wide count (see AddonBinding.holdRuntime). */
export interface ProcessWideRuntime {
  holdRuntime(delta: 1 | -1 | 0): { holders: number; rc: number };
}

/** This thread's holders. */
let holders = 0;
/** Decided before this thread's first hold, kept for the thread's life so holds and releases pair. */
let processWide: ProcessWideRuntime | null = null;

/** Counts through the addon from now on; ignored once this thread holds anything. */
export function useProcessWideRuntime(runtime: ProcessWideRuntime): void {
  if (holders === 0) processWide = runtime;
}

export function acquireNativeRuntime(library: LoadedLibrary): void {
  if (processWide !== null) {
    const { rc } = processWide.holdRuntime(1);
    library.clearNodeOpenSslErrors();
    if (rc !== 0) throw new NativeBackendError(rc as GopherAuthError, `gopher_auth_init failed with ${rc}`);
  } else if (holders === 0) {
    const rc = library.api.fn('gopher_auth_init')() as number;
    library.clearNodeOpenSslErrors();
    if (rc !== 0) throw new NativeBackendError(rc as GopherAuthError, `gopher_auth_init failed with ${rc}`);
  }
  holders++;
}

export function releaseNativeRuntime(library: LoadedLibrary): void {
  if (holders === 0) return;
  holders--;
  if (processWide !== null) {
    processWide.holdRuntime(-1);
    library.clearNodeOpenSslErrors();
    return;
  }
  // Counted per thread: a worker thread letting go of its last client must not pull the library
  // from under the main thread (and its other workers).
  if (holders === 0 && isMainThread && library.api.has('gopher_auth_shutdown')) {
    library.api.fn('gopher_auth_shutdown')();
    library.clearNodeOpenSslErrors();
  }
}

/** Whether this thread's holds are counted with every other thread's (through the addon). */
export function runtimeIsProcessWide(): boolean {
  return processWide !== null;
}

/** Holders of the library's init: process-wide with the addon, else this thread's. */
export function nativeRuntimeHolders(): number {
  return processWide !== null ? processWide.holdRuntime(0).holders : holders;
}
