/**
 * Entry of a JS verification worker thread (see verify-pool.ts). It holds each client's key set
 * and answers batches of tokens with the same validateSync the calling thread would run.
 */
import { readlinkSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { lowerThisThread } from '../thread-priority.js';
import type { JwksSnapshot, ValidationRequest } from '../types.js';
import { validateSync } from './pipeline.js';
import type { ToWorker, ValidateBatch, VerdictWire } from './verify-protocol.js';
import { NO_KEYS, VALID_WIRE } from './verify-protocol.js';

const port = parentPort;
if (port === null) throw new Error('verify-worker.js must run as a worker thread');

const snapshots = new Map<number, JwksSnapshot>();
let requests: ValidationRequest[] = [];

function answer({ text, lengths, clients, requests: sent, requestOf }: ValidateBatch): VerdictWire[] {
  if (sent !== null) requests = sent;
  const verdicts: VerdictWire[] = new Array(lengths.length);
  let start = 0;
  for (let i = 0; i < lengths.length; i++) {
    const end = start + (lengths[i] as number);
    const token = text.slice(start, end);
    start = end;
    const snapshot = snapshots.get(typeof clients === 'number' ? clients : (clients[i] as number));
    const request = requests[requestOf === null ? 0 : (requestOf[i] as number)];
    if (snapshot === undefined || request === undefined) {
      verdicts[i] = NO_KEYS;
      continue;
    }
    try {
      const verdict = validateSync(token, request, snapshot);
      verdicts[i] = verdict.valid ? VALID_WIRE : verdict;
    } catch {
      // Never expected; the calling thread then validates this token itself.
      verdicts[i] = NO_KEYS;
    }
  }
  return verdicts;
}

port.on('message', (message: ToWorker) => {
  if (message.t === 'keys') {
    snapshots.set(message.client, message.snapshot);
    return;
  }
  if (message.t === 'drop') {
    snapshots.delete(message.client);
    return;
  }
  port.postMessage({ batch: message.batch, verdicts: answer(message) });
});

// Below the event loop, so the calling thread gets a core as soon as it has work (thread-priority.ts).
const nice = lowerThisThread((workerData as { nice?: number } | undefined)?.nice ?? 0);
port.postMessage({ t: 'ready', nice, thread: threadId() });

/** This thread's kernel id (Linux), for `stats()` and the tests. */
function threadId(): number | null {
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return null;
  }
}
