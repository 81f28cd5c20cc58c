/**
 * Process-wide library lifecycle, reference-counted: every init is matched by one shutdown, and the
 * native `gopher_auth_shutdown` runs only when no init reference and no native client is left, so a
 * shutdown here never breaks another live client. Harmless (and still counted) when native is absent.
 */
import {
  acquireNativeLibrary,
  isNativeLibraryInitialized,
  nativeLibraryVersion,
  releaseNativeLibrary,
} from '../backends/native/index.js';
import { setAddonLogger } from '../backends/native/addon.js';
import type { Logger } from './logger.js';
import { GopherAuthError, GopherAuthException } from './errors.js';

/** Reported when the native library is not available. */
export const JS_LIBRARY_VERSION = 'js';

let explicitInits = 0;
let nativeHeld = 0;

/** Initialises the library (loads and self-tests native when available). Always succeeds. */
export function gopherInitAuthLibrary(): void {
  explicitInits++;
  if (acquireNativeLibrary()) nativeHeld++;
}

/** Releases one `gopherInitAuthLibrary()`; extra calls are ignored. */
export function gopherShutdownAuthLibrary(): void {
  if (explicitInits === 0) return;
  explicitInits--;
  if (nativeHeld > explicitInits) {
    nativeHeld--;
    releaseNativeLibrary();
  }
}

/** True while any init reference (explicit, or a live native client) is held. */
export function gopherIsAuthLibraryInitialized(): boolean {
  return explicitInits > 0 || isNativeLibraryInitialized();
}

/** The native library's `gopher_auth_version()` when native is available, else `'js'`. */
export function gopherGetAuthLibraryVersion(): string {
  return nativeLibraryVersion() ?? JS_LIBRARY_VERSION;
}

/**
 * Process-wide: where the native library's own console output goes. By default it is dropped (it
 * never reaches stdout or stderr). With a logger, each line the library prints arrives at
 * `logger.debug` with the token's subject redacted. Needs the N-API addon (see docs/addon.md);
 * returns false, and output stays dropped, when it is not loaded. Safe to switch at any time.
 */
export function gopherSetNativeLogger(logger: Pick<Logger, 'debug'> | null): boolean {
  if (logger !== null && typeof (logger as Partial<Logger> | undefined)?.debug !== 'function') {
    throw new GopherAuthException(GopherAuthError.INVALID_PARAMETER, 'gopherSetNativeLogger takes a logger with a debug method, or null');
  }
  return setAddonLogger(logger ? { debug: (obj, msg) => logger.debug(obj, msg) } : null);
}
