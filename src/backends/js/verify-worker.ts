/**
 * Entry of a JS verification worker thread (see verify-pool.ts). It holds each client's key set and
 * the requests it was sent, and answers the tokens of its channel (verify-channel.ts) with the same
 * validateSync the calling thread would run. It never returns to its event loop: between tokens it
 * sleeps in Atomics.wait, and reads its messages with receiveMessageOnPort.
 */
import { readlinkSync } from 'node:fs';
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { lowerThisThread } from '../thread-priority.js';
import type { JwksSnapshot, ValidationRequest, Verdict } from '../types.js';
import { validateSync } from './pipeline.js';
import { ANSWER_HAND_BACK, WorkerChannel } from './verify-channel.js';
import { REQUEST_TABLE, type ToWorker, type VerifyWorkerData } from './verify-protocol.js';

const port = parentPort;
if (port === null) throw new Error('verify-worker.js must run as a worker thread');
const data = workerData as VerifyWorkerData;

const snapshots = new Map<number, JwksSnapshot>();
const requestIds = new Int32Array(REQUEST_TABLE).fill(-1);
const requests: (ValidationRequest | undefined)[] = new Array(REQUEST_TABLE);

function readMessages(): void {
  for (let received = receiveMessageOnPort(port as NonNullable<typeof port>); received !== undefined; received = receiveMessageOnPort(port as NonNullable<typeof port>)) {
    const message = received.message as ToWorker;
    if (message.t === 'keys') snapshots.set(message.client, message.snapshot);
    else if (message.t === 'drop') snapshots.delete(message.client);
    else {
      const slot = message.id % REQUEST_TABLE;
      requestIds[slot] = message.id;
      requests[slot] = message.request;
    }
  }
}

function answer(token: string, client: number, requestId: number): Verdict | typeof ANSWER_HAND_BACK {
  const snapshot = snapshots.get(client);
  const slot = requestId % REQUEST_TABLE;
  const request = requestIds[slot] === requestId ? requests[slot] : undefined;
  if (snapshot === undefined || request === undefined) return ANSWER_HAND_BACK;
  try {
    return validateSync(token, request, snapshot);
  } catch {
    // Never expected; the calling thread then validates this token itself.
    return ANSWER_HAND_BACK;
  }
}

// Below the event loop, so the calling thread gets a core as soon as it has work (thread-priority.ts).
const nice = lowerThisThread(data.nice);
port.postMessage({ t: 'ready', nice, thread: threadId() });
new WorkerChannel(data.channel).serve(readMessages, answer);

/** This thread's kernel id (Linux), for `stats()` and the tests. */
function threadId(): number | null {
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return null;
  }
}
