/**
 * The RTLD_DEEPBIND route on glibc Linux (see docs/native.md):
 * a non-PIE `node` copy-relocates `std::cout`, `std::cerr` and `__environ` into the executable, so
 * libstdc++ and libc construct/fill only node's copies. A library loaded with RTLD_DEEPBIND binds to
 * the originals inside libstdc++.so / libc.so, which are still zero. The repair constructs those
 * streams in place (with no stream buffer, so they are permanently muted) and copies the environment
 * pointer. Everything here is detected, never assumed, and idempotent.
 */
import type { Koffi, KoffiLibrary } from './koffi.js';

/** `sizeof(std::ostream)` in libstdc++ on LP64. */
const OSTREAM_SIZE = 272;
const STREAM_SYMBOLS = ['_ZSt4cout', '_ZSt4cerr', '_ZSt4clog'] as const;
const OSTREAM_CTOR = '_ZNSoC1EPSt15basic_streambufIcSt11char_traitsIcEE';
const IOS_CLEAR = '_ZNSt9basic_iosIcSt11char_traitsIcEE5clearESt12_Ios_Iostate';
const BADBIT = 1;

export interface StreamState {
  symbol: string;
  /** The object a plainly loaded library writes to (found through the global scope). */
  processAddress: bigint;
  /** libstdc++'s own storage: what a DEEPBIND-loaded library writes to. */
  libraryAddress: bigint;
}

export interface RepairReport {
  /** Human-readable steps taken (empty when nothing was needed). */
  actions: string[];
  streams: StreamState[];
}

interface Handles {
  self: KoffiLibrary;
  stdcxx: KoffiLibrary;
  libc: KoffiLibrary;
}

let handles: Handles | null = null;
const constructedByUs = new Set<bigint>();
const mutedByUs = new Set<bigint>();

function openHandles(koffi: Koffi): Handles {
  handles ??= {
    self: koffi.load(null),
    stdcxx: koffi.load('libstdc++.so.6'),
    libc: koffi.load('libc.so.6'),
  };
  return handles;
}

function isZero(koffi: Koffi, address: bigint, size: number): boolean {
  const bytes = koffi.decode(address, 'uint8_t', size) as Uint8Array | number[];
  for (const b of bytes) if (b !== 0) return false;
  return true;
}

function streamStates(h: Handles): StreamState[] {
  const states: StreamState[] = [];
  for (const symbol of STREAM_SYMBOLS) {
    try {
      const libraryAddress = BigInt(h.stdcxx.symbol(symbol) as bigint);
      const processAddress = BigInt(h.self.symbol(symbol) as bigint);
      states.push({ symbol, processAddress, libraryAddress });
    } catch {
      // symbol absent in this libstdc++: nothing can write to it
    }
  }
  return states;
}

/** Repairs what DEEPBIND needs. Throws when the repair is needed but cannot be done. */
export function repairForDeepBind(koffi: Koffi): RepairReport {
  const h = openHandles(koffi);
  const actions: string[] = [];
  const streams = streamStates(h);
  for (const s of streams) {
    if (s.processAddress === s.libraryAddress) continue;
    if (!isZero(koffi, s.libraryAddress, 8)) {
      if (!constructedByUs.has(s.libraryAddress)) actions.push(`${s.symbol}: libstdc++ copy already constructed`);
      continue;
    }
    if (!isZero(koffi, s.libraryAddress, OSTREAM_SIZE)) {
      throw new Error(`${s.symbol} in libstdc++ is partly initialised; refusing to construct over it`);
    }
    const ctor = h.stdcxx.func(OSTREAM_CTOR, 'void', ['void*', 'void*']);
    // A null stream buffer sets badbit for good: the stream discards everything, even after clear().
    ctor(s.libraryAddress, null);
    constructedByUs.add(s.libraryAddress);
    mutedByUs.add(s.libraryAddress);
    actions.push(`${s.symbol}: constructed libstdc++'s copy in place with no stream buffer (output discarded)`);
  }

  const processEnv = BigInt(h.self.symbol('__environ') as bigint);
  const libcEnv = BigInt(h.libc.symbol('__environ') as bigint);
  if (processEnv !== libcEnv) {
    const current = koffi.decode(libcEnv, 'void*') as bigint | null;
    if (current === null) {
      koffi.encode(libcEnv, 'void*', koffi.decode(processEnv, 'void*'));
      actions.push('__environ: copied node\'s environment pointer to libc\'s own storage');
    }
  }
  return { actions, streams };
}

/** Mutes the streams the loaded library writes to (badbit), unless already muted by construction. */
export function muteLibraryStreams(koffi: Koffi, mode: 'deepbind' | 'plain'): string[] {
  const h = openHandles(koffi);
  const actions: string[] = [];
  const clear = h.stdcxx.func(IOS_CLEAR, 'void', ['void*', 'int']);
  for (const s of streamStates(h)) {
    const target = mode === 'deepbind' ? s.libraryAddress : s.processAddress;
    if (mutedByUs.has(target)) continue;
    const vptr = koffi.decode(target, 'void*') as bigint | null;
    if (vptr === null) throw new Error(`${s.symbol} is not constructed; cannot mute it`);
    // The basic_ios virtual base sits at the offset stored 24 bytes before the vtable's address point.
    const vbaseOffset = BigInt(koffi.decode(vptr - 24n, 'int64_t') as number | bigint);
    clear(target + vbaseOffset, BADBIT);
    mutedByUs.add(target);
    actions.push(`${s.symbol}: set badbit on the stream the library writes to`);
  }
  return actions;
}

/** Node's own `ERR_clear_error` / `ERR_peek_error` (from the process, not from the bundle). */
export function bindProcessOpenSsl(koffi: Koffi): { clear: () => void; peek: () => number | bigint } | null {
  try {
    const self = koffi.load(null);
    const clear = self.func('ERR_clear_error', 'void', []) as () => void;
    const peek = self.func('ERR_peek_error', 'unsigned long', []) as () => number | bigint;
    return { clear, peek };
  } catch {
    return null;
  }
}
