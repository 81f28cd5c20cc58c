/** Where the vendor's library lives and what it is called, per platform. */

export const PLATFORM_PACKAGE_SCOPE = '@gopher.security';

/** Every platform package the vendor publishes a name for (only linux-x64 resolves on the registry today). */
export const PLATFORM_PACKAGES: readonly string[] = ['linux', 'darwin', 'win32'].flatMap((os) =>
  ['x64', 'arm64'].map((arch) => `${PLATFORM_PACKAGE_SCOPE}/gopher-orch-${os}-${arch}`),
);

export function platformPackageName(platform: string = process.platform, arch: string = process.arch): string {
  return `${PLATFORM_PACKAGE_SCOPE}/gopher-orch-${platform}-${arch}`;
}

/** Unversioned file names, preferred first. */
export function libraryFileNames(platform: string = process.platform): string[] {
  if (platform === 'darwin') return ['libgopher-orch.dylib'];
  if (platform === 'win32') return ['gopher-orch.dll', 'libgopher-orch.dll'];
  return ['libgopher-orch.so'];
}

/** Versioned file names such as `libgopher-orch.so.0.1.39` or `libgopher-orch.0.1.39.dylib`. */
export function isVersionedLibraryName(name: string, platform: string = process.platform): boolean {
  if (platform === 'darwin') return /^libgopher-orch(\.\d+)+\.dylib$/.test(name);
  if (platform === 'win32') return /^(lib)?gopher-orch(-\d+)+\.dll$/.test(name);
  return /^libgopher-orch\.so(\.\d+)+$/.test(name);
}

export function systemLibraryDirs(platform: string = process.platform): string[] {
  if (platform === 'darwin') return ['/usr/local/lib', '/usr/lib', '/opt/homebrew/lib'];
  if (platform === 'win32') return [];
  return ['/usr/local/lib', '/usr/lib'];
}

let glibc: string | null | undefined;

/** glibc version of the running process, or null (musl, macOS, Windows). Computed once. */
export function glibcVersion(): string | null {
  if (glibc !== undefined) return glibc;
  glibc = null;
  if (process.platform === 'linux') {
    try {
      const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
      glibc = report?.header?.glibcVersionRuntime ?? null;
    } catch {
      glibc = null;
    }
  }
  return glibc;
}
