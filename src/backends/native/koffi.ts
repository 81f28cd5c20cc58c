/** koffi is an optional dependency: load it lazily and report why when it is missing. */
import { createRequire } from 'node:module';
import type * as KoffiModule from 'koffi';

export type Koffi = typeof KoffiModule;
export type KoffiLibrary = ReturnType<Koffi['load']>;
export type KoffiFunction = ReturnType<KoffiLibrary['func']>;

let cached: { koffi: Koffi | null; error: string | null } | null = null;

export function loadKoffi(): { koffi: Koffi | null; error: string | null } {
  if (cached) return cached;
  try {
    const koffi = createRequire(import.meta.url)('koffi') as Koffi;
    cached = { koffi, error: null };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    // Node's message goes on with a "Require stack" of bundle paths: the first line says it all.
    const first = String((err as Error).message).split('\n', 1)[0];
    cached = {
      koffi: null,
      error:
        code === 'MODULE_NOT_FOUND'
          ? 'koffi (an optional dependency of gopher-auth) is not installed: reinstall without --omit=optional, or npm install koffi'
          : `koffi could not be loaded: ${first}`,
    };
  }
  return cached;
}
