/**
 * Worker body for terminate-in-flight.ts (loaded through tsx's CommonJS API: no top-level await).
 * Keeps native validations in flight until the parent terminates it, in 5 ms slices of back-to-back
 * calls: the backend reservation's validateBatch (256 tokens) and single async validate calls, and
 * a GopherAuthClient's ('native': pool batches) validateToken. Most reservation tokens are long
 * malformed ones, every 64th a real one: the thread then spends most of its time inside the addon's
 * calls copying tokens (where a terminate() used to crash it), while the pool, which drains every
 * queued job before the thread ends, rejects the malformed ones quickly.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { GopherAuthClient } from '../../../src/core/client.js';
import { createNativeClient } from '../../../src/backends/native/index.js';
import type { ValidationRequest } from '../../../src/backends/types.js';

const { jwksUrl, jwksJson, issuer, tokens } = workerData as { jwksUrl: string; jwksJson: string; issuer: string; tokens: string[] };

const backend = createNativeClient({ jwksUri: jwksUrl, issuer });
backend.setKeys({ keys: (JSON.parse(jwksJson) as { keys: never[] }).keys, json: jwksJson, fetchedAt: Date.now(), version: 1 });
const call = backend.reserve!();
const request: ValidationRequest = { issuer, clockSkew: 60, algorithms: ['RS256'] };
const malformed = 'x'.repeat(4096);
const batch = Array.from({ length: 256 }, (_, i) => (i % 64 === 0 ? (tokens[(i / 64) % tokens.length] as string) : malformed));
const client = new GopherAuthClient(jwksUrl, issuer, { backend: 'native' });

void client.ready().then(() => {
  let next = 0;
  const slice = (): void => {
    for (const token of tokens) void client.validateToken(token);
    const end = performance.now() + 5;
    while (performance.now() < end) {
      void call.validateBatch(batch, request);
      for (let i = 0; i < 4; i++) void call.validate(batch[next++ % batch.length] as string, request);
    }
    setImmediate(slice);
  };
  slice();
  parentPort?.postMessage('busy');
});
