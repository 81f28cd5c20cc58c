/**
 * Whether the addon installs its key cache (native/key_cache.h) and how many keys it keeps. The
 * cache rewrites one import of the loaded libgopher-orch, which is exact only where the library
 * uses the key it parses the way the vetted build does (parse from a memory BIO, verify, free;
 * test/addon/key-cache-vendor.test.ts checks the disassembly), so it is on only for those builds.
 */
import { envInteger, envOff } from '../env.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { NativeLibraryInfo } from './loader.js';

/** Builds of the platform package whose use of PEM_read_bio_PUBKEY was checked. */
export const KEY_CACHE_VETTED_BUILDS: readonly string[] = ['0.1.39'];

const MAX_KEYS = 100_000;

export interface KeyCacheDecision {
  /** Keys to keep; 0: do not install. Undefined: the addon's default (256). */
  capacity: number | undefined;
  /** Why not, when capacity is 0. */
  reason: string | null;
}

/**
 * `GOPHER_AUTH_NATIVE_KEY_CACHE`: `off` (or 0/false) leaves the library parsing every key itself; a
 * positive integer is how many keys to keep (at most 100,000); unset or anything else, the default.
 */
export function keyCacheDecision(info: NativeLibraryInfo, value = process.env.GOPHER_AUTH_NATIVE_KEY_CACHE): KeyCacheDecision {
  if (envOff(value)) return { capacity: 0, reason: 'disabled by GOPHER_AUTH_NATIVE_KEY_CACHE' };
  const build = platformPackageBuild(info);
  if (build === null || !KEY_CACHE_VETTED_BUILDS.includes(build)) {
    const which = build === null ? 'a libgopher-orch from outside the platform package' : `libgopher-orch ${build}`;
    return { capacity: 0, reason: `not vetted for ${which} (vetted: ${KEY_CACHE_VETTED_BUILDS.join(', ')})` };
  }
  return { capacity: envInteger(value, 1, MAX_KEYS), reason: null };
}

/** The version of the platform package the library was loaded from, or null. */
function platformPackageBuild(info: NativeLibraryInfo): string | null {
  const attempt = info.attempts.find((a) => a.source === 'platform-package' && a.outcome === 'loaded');
  if (attempt?.candidate === undefined) return null;
  try {
    const manifest = JSON.parse(readFileSync(path.join(path.dirname(path.dirname(attempt.candidate)), 'package.json'), 'utf8')) as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : null;
  } catch {
    return null;
  }
}
