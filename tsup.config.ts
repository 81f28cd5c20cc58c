import { defineConfig } from 'tsup';

export default defineConfig({
  // verify-worker: the JS backend's worker threads load it from beside the bundle (verify-pool.ts).
  entry: { index: 'src/index.ts', cli: 'src/cli/main.ts', 'verify-worker': 'src/backends/js/verify-worker.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  shims: true,
});
