import { rmSync } from 'node:fs';
import { defineConfig, type Options } from 'tsup';

// Source maps stay, without a copy of the sources in them (sourcesContent was 1.2 MB of the 2.1 MB
// unpacked): with `node --enable-source-maps` a stack trace still names the src/ file and line a
// bug report needs; the sources themselves are in the repository.
const common: Options = {
  sourcemap: true,
  esbuildOptions(options) {
    options.sourcesContent = false;
  },
  target: 'node20',
  shims: true,
  clean: false, // both builds write into one folder: emptied once below instead
};

export default defineConfig((cli): Options[] => {
  rmSync(cli.outDir ?? 'dist', { recursive: true, force: true });
  return [
    {
      ...common,
      // ESM: the package's `import` entry, the `gopher-auth` command (bin/gopher-auth.js imports
      // dist/cli.js) and verify-worker, which the JS backend's worker threads load from beside the
      // bundle (verify-pool.ts) under either loader. Shared code goes into chunks.
      entry: { index: 'src/index.ts', cli: 'src/cli/main.ts', 'verify-worker': 'src/backends/js/verify-worker.ts' },
      format: ['esm'],
      dts: { entry: { index: 'src/index.ts' } }, // cli and verify-worker are run, never imported
    },
    {
      ...common,
      // CJS: the package's `require` entry only. Its workers run dist/verify-worker.js (ESM) like the
      // ESM bundle's (verify-pool.ts looks beside the bundle for that name); no CLI: nothing runs it.
      entry: { index: 'src/index.ts' },
      format: ['cjs'],
      dts: { entry: { index: 'src/index.ts' } },
    },
  ];
});
