/** Starts a worker thread on a TypeScript file of the tests (CommonJS-loadable: no top-level await), through tsx. */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

const tsxApi = createRequire(import.meta.url).resolve('tsx/cjs/api');

export function startTsWorker(file: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  const path = fileURLToPath(file);
  return new Worker(`require(${JSON.stringify(tsxApi)}).require(${JSON.stringify(path)}, __filename);`, { ...options, eval: true });
}
