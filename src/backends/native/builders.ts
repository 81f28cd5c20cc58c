/**
 * Thin bindings of the library's WWW-Authenticate and metadata builders, for diagnostics and
 * documentation only: their output is not escaped (see docs/native.md), so the JS builders in core
 * always produce what is sent. Each owned `char*` result is copied, then freed exactly once.
 */
import type { AbiName } from './abi.js';
import type { LoadedLibrary } from './loader.js';
import { acquireNativeRuntime, releaseNativeRuntime } from './runtime.js';

export interface NativeBuilt {
  rc: number;
  value: string | null;
}

/** Calls `fn(...args, char** out)`, copies the string and frees it with gopher_auth_free_string. */
export function callOwnedString(library: LoadedLibrary, name: AbiName, args: unknown[]): NativeBuilt {
  const out = Buffer.alloc(8);
  acquireNativeRuntime(library);
  try {
    const rc = library.api.fn(name)(...args, out) as number;
    const pointer = out.readBigUInt64LE(0);
    if (pointer === 0n) return { rc, value: null };
    try {
      return { rc, value: library.koffi.decode.string(pointer) };
    } finally {
      library.api.fn('gopher_auth_free_string')(pointer);
    }
  } finally {
    library.clearNodeOpenSslErrors();
    releaseNativeRuntime(library);
  }
}

export function nativeWwwAuthenticate(library: LoadedLibrary, realm: string, error: string | null, description: string | null): NativeBuilt {
  return callOwnedString(library, 'gopher_auth_generate_www_authenticate', [realm, error, description]);
}

export function nativeProtectedResourceMetadata(
  library: LoadedLibrary,
  resource: string,
  authorizationServer: string,
  scopes: string | null,
): NativeBuilt {
  return callOwnedString(library, 'gopher_auth_metadata_build_protected_resource', [resource, authorizationServer, scopes]);
}

/** Whether the native WWW-Authenticate builder escapes a quote (it does not in 0.1.39). */
export function nativeBuilderEscapes(library: LoadedLibrary): boolean | null {
  if (!library.api.has('gopher_auth_generate_www_authenticate')) return null;
  const built = nativeWwwAuthenticate(library, 'r"x', null, null);
  return built.value === null ? null : built.value.includes('r\\"x');
}
