/**
 * The key cache (native/key_cache.h) hands the library a shared key where it expects one it just
 * parsed. That is exact only while the library parses from a memory BIO it frees at once, and does
 * nothing with the key but verify and free it. This reads the vetted build's machine code (objdump)
 * and fails when a function calling PEM_read_bio_PUBKEY does anything else with OpenSSL: re-vet
 * before adding a build to KEY_CACHE_VETTED_BUILDS. Also: which builds and settings turn it on.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEY_CACHE_VETTED_BUILDS, keyCacheDecision } from '../../src/backends/native/key-cache.js';
import { loadNativeLibrary, type NativeLibraryInfo } from '../../src/backends/native/loader.js';

/** OpenSSL calls that leave a key as it is (digest contexts, verification, error queue, freeing). */
const KEY_PRESERVING = new Set([
  'BIO_new_mem_buf',
  'PEM_read_bio_PUBKEY',
  'BIO_free',
  'EVP_MD_CTX_new',
  'EVP_MD_CTX_free',
  'EVP_MD_CTX_reset',
  'EVP_sha256',
  'EVP_sha384',
  'EVP_sha512',
  'EVP_DigestVerifyInit',
  'EVP_DigestUpdate',
  'EVP_DigestVerifyFinal',
  'EVP_PKEY_free',
  'ERR_get_error',
  'ERR_error_string_n',
]);
const OPENSSL_PREFIX = /^(BIO|PEM|EVP|RSA|BN|ERR|OPENSSL|CRYPTO|d2i|i2d|X509|ASN1)_/;

/** Each function of the library that calls PEM_read_bio_PUBKEY, with the PLT calls it makes in order. */
function callersOfPemRead(library: string): Map<string, string[]> {
  const run = spawnSync('bash', ['-c', `objdump -d --no-show-raw-insn "$0" | grep -E '^[0-9a-f]+ <|call +[0-9a-f]+ <[^>]*@plt>'`, library], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`objdump failed (it comes with binutils, which g++ needs too): ${run.stderr}`);
  const functions = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of run.stdout.split('\n')) {
    const start = /^[0-9a-f]+ <(.+)>:$/.exec(line);
    if (start) {
      current = [];
      functions.set(start[1] ?? '', current);
      continue;
    }
    const call = /<([^>@]+)@plt>$/.exec(line);
    if (call) current.push(call[1] ?? '');
  }
  return new Map([...functions].filter(([, calls]) => calls.includes('PEM_read_bio_PUBKEY')));
}

const loaded = loadNativeLibrary();

describe.runIf(process.platform === 'linux' && process.arch === 'x64')('key cache: the vetted build', () => {
  it('is the build this package installs', () => {
    const manifest = JSON.parse(readFileSync(path.resolve('package.json'), 'utf8')) as { optionalDependencies: Record<string, string> };
    expect(KEY_CACHE_VETTED_BUILDS).toContain(manifest.optionalDependencies['@gopher.security/gopher-orch-linux-x64']);
    expect(keyCacheDecision(loaded.info, undefined)).toEqual({ capacity: undefined, reason: null });
  });

  it('GOPHER_AUTH_NATIVE_KEY_CACHE: a size is capped at 100,000 (a larger one used to fall back to the default 256); off words in any case', () => {
    expect(keyCacheDecision(loaded.info, '1000000')).toEqual({ capacity: 100_000, reason: null });
    expect(keyCacheDecision(loaded.info, ' 5 ')).toEqual({ capacity: 5, reason: null });
    expect(keyCacheDecision(loaded.info, '0x10')).toEqual({ capacity: undefined, reason: null });
    for (const off of ['OFF', 'No', '0']) expect(keyCacheDecision(loaded.info, off).capacity, off).toBe(0);
  });

  it('parses keys only from a memory BIO freed at once, and only verifies with them and frees them', () => {
    expect(loaded.info.path).not.toBeNull();
    const callers = callersOfPemRead(loaded.info.path ?? '');
    expect([...callers.keys()].length).toBeGreaterThan(0);
    for (const [name, calls] of callers) {
      const openssl = calls.filter((c) => OPENSSL_PREFIX.test(c));
      expect(openssl.filter((c) => !KEY_PRESERVING.has(c)), name).toEqual([]);
      calls.forEach((call, i) => {
        if (call !== 'PEM_read_bio_PUBKEY') return;
        expect([calls[i - 1], call, calls[i + 1]], name).toEqual(['BIO_new_mem_buf', 'PEM_read_bio_PUBKEY', 'BIO_free']);
      });
    }
  });
});

describe('key cache: which builds and settings turn it on', () => {
  /** A search whose platform-package attempt found (or loaded) the library at `candidate`. */
  const fromPackage = (candidate: string, outcome: 'loaded' | 'found' = 'loaded'): NativeLibraryInfo =>
    ({ attempts: [{ source: 'platform-package', target: 'pkg', candidate, outcome }] }) as unknown as NativeLibraryInfo;

  it('is off for a library from elsewhere and for a build nobody vetted, saying so', () => {
    expect(keyCacheDecision(fromPackage('/nowhere/lib/libgopher-orch.so', 'found'))).toEqual({
      capacity: 0,
      reason: `not vetted for a libgopher-orch from outside the platform package (vetted: ${KEY_CACHE_VETTED_BUILDS.join(', ')})`,
    });
    // No package.json next to the library: its build is unknown.
    expect(keyCacheDecision(fromPackage('/nowhere/9.9.9/lib/libgopher-orch.so')).capacity).toBe(0);
    const dir = mkdtempSync(path.join(tmpdir(), 'gopher-key-cache-'));
    try {
      writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ version: '9.9.9' }));
      expect(keyCacheDecision(fromPackage(path.join(dir, 'lib', 'libgopher-orch.so')))).toEqual({
        capacity: 0,
        reason: `not vetted for libgopher-orch 9.9.9 (vetted: ${KEY_CACHE_VETTED_BUILDS.join(', ')})`,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads GOPHER_AUTH_NATIVE_KEY_CACHE: off, a number of keys (capped), or the default', () => {
    for (const off of ['off', '0', 'false']) {
      expect(keyCacheDecision(loaded.info, off)).toEqual({ capacity: 0, reason: 'disabled by GOPHER_AUTH_NATIVE_KEY_CACHE' });
    }
    if (process.platform !== 'linux' || process.arch !== 'x64') return;
    expect(keyCacheDecision(loaded.info, '8')).toEqual({ capacity: 8, reason: null });
    expect(keyCacheDecision(loaded.info, '999999')).toEqual({ capacity: 100_000, reason: null });
    expect(keyCacheDecision(loaded.info, '08')).toEqual({ capacity: 8, reason: null });
    for (const other of ['', 'on', '-3', '1.5']) {
      expect(keyCacheDecision(loaded.info, other)).toEqual({ capacity: undefined, reason: null });
    }
  });
});
