/** The library search: an ordered list of candidates, each attempt recorded with its outcome. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  isVersionedLibraryName,
  libraryFileNames,
  platformPackageName,
  systemLibraryDirs,
} from './platform.js';

export type SearchSource =
  | 'GOPHER_ORCH_LIBRARY_PATH'
  | 'GOPHER_AUTH_LIBRARY_PATH'
  | 'platform-package'
  | 'dev-path'
  | 'system-path'
  | 'bare-name';

export interface SearchAttempt {
  source: SearchSource;
  /** What was looked at: a file, a directory, a package name or the bare library name. */
  target: string;
  /** The file to load when this attempt found one. */
  candidate?: string;
  outcome: 'not-set' | 'not-found' | 'found' | 'loaded' | 'load-failed' | 'skipped' | 'not-tried';
  detail?: string;
}

const moduleDir = path.dirname(fileURLToPath(import.meta.url));
const requireHere = createRequire(import.meta.url);

/** The gopher-auth package root (works from src/ under tsx and from dist/). */
export function packageRoot(): string | null {
  let dir = moduleDir;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        const name = (requireHere(manifest) as { name?: string }).name;
        if (name === 'gopher-auth') return dir;
      } catch {
        // unreadable manifest: keep walking
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The library file inside a directory: an unversioned name first, else the highest versioned one. */
export function findInDirectory(dir: string): string | null {
  for (const name of libraryFileNames()) {
    const p = path.join(dir, name);
    if (isFile(p)) return p;
  }
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return null;
  }
  const versioned = entries.filter((n) => isVersionedLibraryName(n)).sort(compareVersionedNames);
  const best = versioned[versioned.length - 1];
  return best === undefined ? null : path.join(dir, best);
}

function compareVersionedNames(a: string, b: string): number {
  const na = (a.match(/\d+/g) ?? []).map(Number);
  const nb = (b.match(/\d+/g) ?? []).map(Number);
  for (let i = 0; i < Math.max(na.length, nb.length); i++) {
    const d = (na[i] ?? -1) - (nb[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

function fromEnv(source: 'GOPHER_ORCH_LIBRARY_PATH' | 'GOPHER_AUTH_LIBRARY_PATH'): SearchAttempt {
  const value = process.env[source];
  if (value === undefined || value === '') return { source, target: '(unset)', outcome: 'not-set' };
  const resolved = path.resolve(value);
  if (isFile(resolved)) return { source, target: resolved, candidate: resolved, outcome: 'found' };
  if (isDirectory(resolved)) {
    const hit = findInDirectory(resolved);
    return hit
      ? { source, target: resolved, candidate: hit, outcome: 'found' }
      : { source, target: resolved, outcome: 'not-found', detail: 'directory holds no gopher-orch library' };
  }
  return { source, target: resolved, outcome: 'not-found', detail: 'no such file or directory' };
}

function fromPlatformPackage(): SearchAttempt {
  const name = platformPackageName();
  let manifest: string;
  try {
    manifest = requireHere.resolve(`${name}/package.json`, { paths: [process.cwd(), moduleDir] });
  } catch {
    return {
      source: 'platform-package',
      target: name,
      outcome: 'not-found',
      detail: `package not installed (npm install ${name})`,
    };
  }
  const lib = path.join(path.dirname(manifest), 'lib');
  const hit = findInDirectory(lib);
  return hit
    ? { source: 'platform-package', target: name, candidate: hit, outcome: 'found' }
    : { source: 'platform-package', target: name, outcome: 'not-found', detail: `no library in ${lib}` };
}

function fromDirectories(source: 'dev-path' | 'system-path', dirs: string[]): SearchAttempt[] {
  const seen = new Set<string>();
  const attempts: SearchAttempt[] = [];
  for (const dir of dirs) {
    if (seen.has(dir)) continue;
    seen.add(dir);
    const hit = isDirectory(dir) ? findInDirectory(dir) : null;
    attempts.push(
      hit
        ? { source, target: dir, candidate: hit, outcome: 'found' }
        : { source, target: dir, outcome: 'not-found' },
    );
  }
  return attempts;
}

function devDirectories(): string[] {
  const platformDir = `${process.platform}-${process.arch}`;
  const bases = [packageRoot(), process.cwd()].filter((b): b is string => b !== null);
  return bases.flatMap((base) => [path.join(base, 'native', 'lib'), path.join(base, 'native', platformDir, 'lib')]);
}

/** Every place looked at, in search order. Attempts with outcome 'found' are load candidates. */
export function searchLibrary(): SearchAttempt[] {
  const bare = libraryFileNames()[0] ?? 'libgopher-orch.so';
  return [
    fromEnv('GOPHER_ORCH_LIBRARY_PATH'),
    fromEnv('GOPHER_AUTH_LIBRARY_PATH'),
    fromPlatformPackage(),
    ...fromDirectories('dev-path', devDirectories()),
    ...fromDirectories('system-path', systemLibraryDirs()),
    { source: 'bare-name', target: bare, candidate: bare, outcome: 'found', detail: 'left to the dynamic loader search path' },
  ];
}
