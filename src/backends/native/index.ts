/** The native backend: libgopher-orch through koffi, loaded isolated, self-tested before use. */
import { GopherAuthError } from '../codes.js';
import type { Backend, BackendAvailability, BackendClient } from '../types.js';
import { NativeBackendClient, type NativeClientTuning } from './client.js';
import { NativeBackendError } from './errors.js';
import { NATIVE_ALGORITHMS } from './abi.js';
import { loadNativeLibrary, type LoadedLibrary, type NativeLibraryInfo } from './loader.js';
import { platformPackageName } from './platform.js';
import { acquireNativeRuntime, nativeRuntimeHolders, releaseNativeRuntime, useProcessWideRuntime } from './runtime.js';
import { nativeAddon } from './addon.js';
import { runSelfTest, type SelfTestReport } from './self-test.js';
import { nativeBuilderEscapes, nativeProtectedResourceMetadata, nativeWwwAuthenticate, type NativeBuilt } from './builders.js';

export { NativeBackendClient, NativeBackendError };
export type { NativeClientTuning, NativeLibraryInfo, SelfTestReport };
export { PLATFORM_PACKAGES, platformPackageName } from './platform.js';
export type { SearchAttempt } from './search.js';

export { NATIVE_ALGORITHMS };

interface Readiness {
  library: LoadedLibrary | null;
  info: NativeLibraryInfo;
  selfTest: SelfTestReport | null;
  availability: BackendAvailability;
}

let readiness: Readiness | null = null;

function installHint(info: NativeLibraryInfo): string {
  const platformPackage = info.attempts.find((a) => a.source === 'platform-package');
  if (platformPackage !== undefined && platformPackage.outcome === 'not-found') {
    return `install ${platformPackageName()} (an optional dependency of gopher-auth) or set GOPHER_ORCH_LIBRARY_PATH, or use backend 'js'`;
  }
  return "otherwise use backend 'js'";
}

/** Loads the library and runs the self-test once per process. */
function ready(): Readiness {
  if (readiness) return readiness;
  const { library, info } = loadNativeLibrary();
  if (!library) {
    readiness = {
      library: null,
      info,
      selfTest: null,
      availability: { available: false, reason: `${info.reason ?? 'native library not loaded'}; ${installHint(info)}` },
    };
    return readiness;
  }
  // Before the first hold on this thread: with the addon, init/shutdown are counted process-wide.
  const addon = nativeAddon();
  if (addon !== null) useProcessWideRuntime(addon);
  const selfTest = runSelfTest(library);
  readiness = {
    library: selfTest.passed ? library : null,
    info,
    selfTest,
    availability: selfTest.passed
      ? { available: true }
      : { available: false, reason: `native self-test failed (${selfTest.reason ?? 'unknown'}); use backend 'js'` },
  };
  return readiness;
}

export function createNativeClient(config: { jwksUri: string; issuer: string }, tuning?: NativeClientTuning): NativeBackendClient {
  const { library, availability } = ready();
  if (!library) {
    throw new NativeBackendError(GopherAuthError.INVALID_CONFIG, `native backend unavailable: ${availability.reason ?? ''}`);
  }
  return new NativeBackendClient(library, config, tuning);
}

export const nativeBackend: Backend = {
  name: 'native',
  availability: () => ready().availability,
  supportsAlgorithm: (alg) => NATIVE_ALGORITHMS.includes(alg),
  createClient: (config): BackendClient => createNativeClient(config),
};

/** Everything `gopher-auth doctor` reports about the native side. */
export function nativeDiagnostics(): {
  info: NativeLibraryInfo;
  selfTest: SelfTestReport | null;
  availability: BackendAvailability;
} {
  const { info, selfTest, availability } = ready();
  return { info, selfTest, availability };
}

/** For an addon that reuses this process's library handle (dlopen RTLD_NOLOAD on `path` with `dlopenFlags`). */
export function nativeLibraryLocation(): { path: string; loadMode: 'deepbind' | 'plain'; dlopenFlags: number } | null {
  const { info } = loadNativeLibrary();
  if (!info.loaded || info.path === null || info.loadMode === null || info.dlopenFlags === null) return null;
  return { path: info.path, loadMode: info.loadMode, dlopenFlags: info.dlopenFlags };
}

/** Holds a reference on the process-wide native init; false when native is unavailable. */
export function acquireNativeLibrary(): boolean {
  const { library } = ready();
  if (!library) return false;
  acquireNativeRuntime(library);
  return true;
}

export function releaseNativeLibrary(): void {
  const { library } = ready();
  if (library) releaseNativeRuntime(library);
}

export function isNativeLibraryInitialized(): boolean {
  return nativeRuntimeHolders() > 0;
}

export function nativeLibraryVersion(): string | null {
  return ready().library ? loadNativeLibrary().info.version : null;
}

/**
 * The library's own builders, for diagnostics only (unescaped output; never sent). Null when native
 * is unavailable.
 */
export const nativeBuilders = {
  wwwAuthenticate(realm: string, error: string | null = null, description: string | null = null): NativeBuilt | null {
    const { library } = ready();
    return library ? nativeWwwAuthenticate(library, realm, error, description) : null;
  },
  protectedResourceMetadata(resource: string, authorizationServer: string, scopes: string | null = null): NativeBuilt | null {
    const { library } = ready();
    return library ? nativeProtectedResourceMetadata(library, resource, authorizationServer, scopes) : null;
  },
  escapesQuotes(): boolean | null {
    const { library } = ready();
    return library ? nativeBuilderEscapes(library) : null;
  },
};
export type { NativeBuilt };
