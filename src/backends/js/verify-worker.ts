/**
 * Entry of a JS verification worker thread (see verify-pool.ts). It holds each client's key set
 * and answers batches of tokens with the same validateSync the calling thread would run.
 */
import { parentPort } from 'node:worker_threads';
import type { JwksSnapshot } from '../types.js';
import { validateSync } from './pipeline.js';
import type { ToWorker, VerdictWire } from './verify-protocol.js';
import { NO_KEYS, VALID_WIRE } from './verify-protocol.js';

const port = parentPort;
if (port === null) throw new Error('verify-worker.js must run as a worker thread');

const snapshots = new Map<number, JwksSnapshot>();

port.on('message', (message: ToWorker) => {
  if (message.t === 'keys') {
    snapshots.set(message.client, message.snapshot);
    return;
  }
  if (message.t === 'drop') {
    snapshots.delete(message.client);
    return;
  }
  const { batch, clients, tokens, requests, requestOf } = message;
  const verdicts: VerdictWire[] = new Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) {
    const snapshot = snapshots.get(clients[i] as number);
    if (snapshot === undefined) {
      verdicts[i] = NO_KEYS;
      continue;
    }
    try {
      const verdict = validateSync(tokens[i] as string, requests[requestOf[i] as number]!, snapshot);
      verdicts[i] = verdict.valid ? VALID_WIRE : verdict;
    } catch {
      // Never expected; the calling thread then validates this token itself.
      verdicts[i] = NO_KEYS;
    }
  }
  port.postMessage({ batch, verdicts });
});

port.postMessage({ t: 'ready' });
