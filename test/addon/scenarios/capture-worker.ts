/**
 * Worker body for capture-lifetime.ts (loaded through tsx's CommonJS API: no top-level await).
 * 'logger': sets the process-wide native logger from this thread, validates, and ends.
 * 'busy': starts validations and reports; the parent terminates it while they are in flight.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { GopherAuthClient } from '../../../src/core/client.js';
import { gopherSetNativeLogger } from '../../../src/core/library.js';

const { mode, jwksUrl, issuer, tokens } = workerData as { mode: 'logger' | 'busy'; jwksUrl: string; issuer: string; tokens: string[] };
const client = new GopherAuthClient(jwksUrl, issuer, { backend: 'native' });

void client.ready().then(async () => {
  if (mode === 'logger') {
    const set = gopherSetNativeLogger({ debug: () => undefined });
    const verdicts = await Promise.all(tokens.map((t) => client.validateToken(t)));
    client.destroy();
    parentPort?.postMessage({ set, valid: verdicts.filter((v) => v.valid).length });
    return;
  }
  for (const token of tokens) void client.validateToken(token);
  parentPort?.postMessage({ started: tokens.length });
});
