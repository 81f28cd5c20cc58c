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
    cached = { koffi: null, error: `koffi could not be loaded (npm install koffi): ${(err as Error).message}` };
  }
  return cached;
}
