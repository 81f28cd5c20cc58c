/** Finds and loads libgopher-orch once per process, isolated where the platform allows it. */
import { envChoice, envOff } from '../env.js';
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { truncatedLibrary } from './elf-check.js';
import { NativeApi, REQUIRED_SYMBOLS, type SymbolCoverage } from './abi.js';
import { bindProcessOpenSsl, muteLibraryStreams, repairForDeepBind } from './isolation.js';
import { loadKoffi, type Koffi } from './koffi.js';
import { glibcVersion, platformPackageName } from './platform.js';
import { searchLibrary, type SearchAttempt } from './search.js';

export type LoadMode = 'deepbind' | 'plain';

/** glibc dlopen flags, for an addon that wants to find the same handle with RTLD_NOLOAD. */
export const RTLD_NOW = 0x2;
export const RTLD_DEEPBIND = 0x8;

export interface NativeLibraryInfo {
  loaded: boolean;
  /** Why the library is not loaded, in words a user can act on. */
  reason: string | null;
  attempts: SearchAttempt[];
  /** Absolute, symlink-resolved path of the loaded library. */
  path: string | null;
  loadMode: LoadMode | null;
  /** The flags the library was dlopen'ed with (RTLD_NOW | RTLD_DEEPBIND for 'deepbind'). */
  dlopenFlags: number | null;
  /** What the isolation step did (copy-relocation repair, stream muting). */
  isolation: string[];
  coverage: SymbolCoverage | null;
  version: string | null;
  /** Whether Node's own ERR_clear_error could be bound. */
  nodeOpenSslBound: boolean;
}

export interface LoadedLibrary {
  koffi: Koffi;
  api: NativeApi;
  info: NativeLibraryInfo;
  /** Clears Node's OpenSSL error queue (no-op when it could not be bound). */
  clearNodeOpenSslErrors: () => void;
  peekNodeOpenSslError: () => number;
}

let state: { library: LoadedLibrary | null; info: NativeLibraryInfo } | null = null;

/** GOPHER_AUTH_NATIVE_LOAD_MODE: 'deepbind' | 'plain' force a mode (diagnostics); 'off' disables native. */
function requestedMode(): LoadMode {
  const forced = envChoice(process.env.GOPHER_AUTH_NATIVE_LOAD_MODE, ['plain', 'deepbind'] as const);
  if (forced !== undefined) return forced;
  return process.platform === 'linux' && glibcVersion() !== null ? 'deepbind' : 'plain';
}

/** The file the dynamic loader actually mapped (resolves bare names through /proc/self/maps). */
function mappedPath(candidate: string): string {
  if (path.isAbsolute(candidate)) {
    try {
      return realpathSync(candidate);
    } catch {
      return candidate;
    }
  }
  try {
    const maps = readFileSync('/proc/self/maps', 'utf8');
    for (const line of maps.split('\n')) {
      const file = line.slice(line.indexOf('/'));
      if (line.includes('/') && path.basename(file).startsWith(candidate)) return realpathSync(file);
    }
  } catch {
    // not Linux, or not mapped under that name
  }
  return candidate;
}

function unavailable(info: Partial<NativeLibraryInfo> & { reason: string; attempts: SearchAttempt[] }): NativeLibraryInfo {
  return {
    loaded: false,
    path: null,
    loadMode: null,
    dlopenFlags: null,
    isolation: [],
    coverage: null,
    version: null,
    nodeOpenSslBound: false,
    ...info,
  };
}

/** Candidates found but never loaded because loading stopped before them. */
function notTried(attempts: SearchAttempt[], why: string): SearchAttempt[] {
  for (const attempt of attempts) {
    if (attempt.outcome === 'found') {
      attempt.outcome = 'not-tried';
      attempt.detail = why;
    }
  }
  return attempts;
}

function load(): { library: LoadedLibrary | null; info: NativeLibraryInfo } {
  const attempts = searchLibrary();
  if (envOff(process.env.GOPHER_AUTH_NATIVE_LOAD_MODE)) {
    const reason = 'native loading disabled by GOPHER_AUTH_NATIVE_LOAD_MODE=off';
    return { library: null, info: unavailable({ reason, attempts: notTried(attempts, reason) }) };
  }
  const { koffi, error } = loadKoffi();
  if (!koffi) {
    const reason = error ?? 'koffi unavailable';
    return { library: null, info: unavailable({ reason, attempts: notTried(attempts, 'koffi is not available') }) };
  }

  const mode = requestedMode();
  const isolation: string[] = [];
  if (mode === 'deepbind') {
    try {
      isolation.push(...repairForDeepBind(koffi).actions);
    } catch (err) {
      return {
        library: null,
        info: unavailable({ reason: `isolated load impossible: ${(err as Error).message}`, attempts: notTried(attempts, 'the isolated load could not be prepared') }),
      };
    }
  }

  let lib: ReturnType<Koffi['load']> | null = null;
  let chosen: SearchAttempt | null = null;
  for (const attempt of attempts) {
    if (attempt.outcome !== 'found' || attempt.candidate === undefined) continue;
    try {
      // The real file, so that its RUNPATH $ORIGIN finds the bundled siblings even through a symlink.
      const file = path.isAbsolute(attempt.candidate) ? mappedPath(attempt.candidate) : attempt.candidate;
      const damage = path.isAbsolute(file) ? truncatedLibrary(file) : null;
      if (damage !== null) {
        attempt.outcome = 'load-failed';
        attempt.detail = `damaged, not loaded (dlopen would crash the process): ${damage}; reinstall the library`;
        continue;
      }
      lib = koffi.load(file, mode === 'deepbind' ? { deep: true } : {});
      attempt.outcome = 'loaded';
      chosen = attempt;
      break;
    } catch (err) {
      attempt.outcome = 'load-failed';
      attempt.detail = (err as Error).message;
    }
  }
  if (!lib || !chosen?.candidate) {
    return {
      library: null,
      info: unavailable({
        reason: `libgopher-orch not found or not loadable; install ${platformPackageName()} or set GOPHER_ORCH_LIBRARY_PATH`,
        attempts,
      }),
    };
  }
  for (const later of attempts.slice(attempts.indexOf(chosen) + 1)) {
    if (later.outcome === 'found') later.outcome = 'skipped';
  }

  try {
    isolation.push(...muteLibraryStreams(koffi, mode));
  } catch (err) {
    if (process.platform === 'linux') {
      return {
        library: null,
        info: unavailable({ reason: `cannot keep native output off stdout/stderr: ${(err as Error).message}`, attempts }),
      };
    }
    isolation.push(`stream muting unavailable on ${process.platform}: ${(err as Error).message}`);
  }

  const api = new NativeApi(lib);
  const coverage = api.coverage();
  const missingRequired = REQUIRED_SYMBOLS.filter((name) => !api.has(name));
  const openssl = bindProcessOpenSsl(koffi);
  const info: NativeLibraryInfo = {
    loaded: missingRequired.length === 0,
    // The file is named with where it came from: a wrong GOPHER_ORCH_LIBRARY_PATH is the usual cause.
    reason:
      missingRequired.length === 0
        ? null
        : `the library lacks required functions: ${missingRequired.join(', ')} — ${mappedPath(chosen.candidate)} (found through ${chosen.source}) is not a usable libgopher-orch; ${chosen.source.startsWith('GOPHER_') ? `point ${chosen.source} at libgopher-orch.so or unset it` : `reinstall ${platformPackageName()}`}`,
    attempts,
    path: mappedPath(chosen.candidate),
    loadMode: mode,
    dlopenFlags: mode === 'deepbind' ? RTLD_NOW | RTLD_DEEPBIND : RTLD_NOW,
    isolation,
    coverage,
    version: api.has('gopher_auth_version') ? (api.fn('gopher_auth_version')() as string) : null,
    nodeOpenSslBound: openssl !== null,
  };
  if (!info.loaded) return { library: null, info };
  const clear = openssl?.clear ?? ((): void => {});
  const peek = openssl ? (): number => Number(openssl.peek()) : (): number => 0;
  return { library: { koffi, api, info, clearNodeOpenSslErrors: clear, peekNodeOpenSslError: peek }, info };
}

/** Loads on first use; later calls return the same result. */
export function loadNativeLibrary(): { library: LoadedLibrary | null; info: NativeLibraryInfo } {
  state ??= load();
  return state;
}
