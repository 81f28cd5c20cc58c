/**
 * The shared memory between the calling thread and one verify worker (verify-pool.ts, verify-worker.ts).
 *
 * Tokens go in as bytes with a record each, answers come back in the same records: no message and no
 * structured clone per token or batch, which cost both threads 1–2.5 µs per token (bench/README.md).
 * The worker sleeps in `Atomics.wait` on BELL; the calling thread learns of answers through
 * `Atomics.waitAsync` on DONE, or finds them when it next looks. Keys, requests and drops still
 * travel as messages: they are rare, and the worker reads its port before the records it precedes.
 *
 * Records are answered in the order they were published. A counter is an Int32 that wraps; only
 * equality and `& RECORD_MASK` are used on it.
 */
import type { Verdict } from '../types.js';

/** Index of each counter in the control array. */
const BELL = 0; // bumped by the calling thread on every publish and message: the worker waits on it
const PUBLISHED = 1; // records published so far
const DONE = 2; // records answered so far
const WAITING = 3; // 1 while the calling thread waits for DONE to move (the worker then notifies)
const CONTROL_LENGTH = 4;

/** Records in flight at most (a worker holds up to MAX_DEPTH tokens, fewer than this). */
export const RECORDS = 64;
const RECORD_MASK = RECORDS - 1;
/** Int32 fields per record. */
const OFFSET = 0; // where the token's bytes start (and the answer's, when it has some)
const LENGTH = 1; // the token's length in bytes (ASCII: as in characters)
const CLIENT = 2; // the pool client whose keys apply
const REQUEST = 3; // the request id (RequestIds, verify-protocol.ts)
const ANSWER = 4; // one of the ANSWER_* values
// For ANSWER_VERDICT: the code, and the lengths of the message and the key-miss kid written (UTF-16,
// so any string comes back unchanged) where the token was.
const CODE = 5;
const MESSAGE_LENGTH = 6; // characters; NO_STRING for a null message
const KID_LENGTH = 7; // characters; NO_KEY_MISS, or NO_STRING for a key miss without kid
const FIELDS = 8;
const NO_STRING = -1;
const NO_KEY_MISS = -2;
/** Token bytes in flight at most: 64 of the largest tokens the JS backend reads (64 KiB) would not fit; such a backlog validates on the calling thread. */
const BYTES = 1024 * 1024;
/** Bytes a record holds at least, so that a short token's verdict fits in its place. */
const MIN_ROOM = 256;
/** Answers after which the worker wakes a calling thread that waits for them. */
const ANNOUNCE_EVERY = 8;
const roomFor = (length: number): number => (length < MIN_ROOM ? MIN_ROOM : length);

/** The token is valid. */
export const ANSWER_VALID = 0;
/** The worker could not decide (no keys or request for it, or the verdict did not fit): the calling thread validates the token. */
export const ANSWER_HAND_BACK = 1;
/** Not valid: the verdict is in the record (see CODE). */
export const ANSWER_VERDICT = 2;

export interface ChannelMemory {
  control: SharedArrayBuffer;
  records: SharedArrayBuffer;
  bytes: SharedArrayBuffer;
}

function createChannelMemory(): ChannelMemory {
  return {
    control: new SharedArrayBuffer(CONTROL_LENGTH * 4),
    records: new SharedArrayBuffer(RECORDS * FIELDS * 4),
    bytes: new SharedArrayBuffer(BYTES),
  };
}

/** The calling thread's end: writes tokens, publishes them, reads answers in order. */
export class TokenChannel {
  readonly memory = createChannelMemory();
  readonly #control = new Int32Array(this.memory.control);
  readonly #records = new Int32Array(this.memory.records);
  readonly #bytes = Buffer.from(this.memory.bytes);
  /** Records written (published or about to be), and read back. */
  #written = 0;
  #read = 0;
  #writeAt = 0;
  #bytesInFlight = 0;
  /** Bytes each record in flight holds (its room, plus the end of the buffer it skipped). */
  readonly #spans = new Int32Array(RECORDS);
  /** Where fits() placed the next token. */
  #nextAt = 0;
  #nextSpan = 0;

  /**
   * Whether `token` can be written now, and where it would go (write() must follow at once). No when
   * there is no record or byte room left, or for a token that is not plain ASCII: the worker reads
   * bytes back as characters one to one, so only ASCII survives unchanged (JWTs are ASCII).
   */
  fits(token: string): boolean {
    const length = token.length;
    if (this.#written - this.#read >= RECORDS || length === 0) return false;
    const room = roomFor(length);
    let at = this.#writeAt;
    let span = room;
    if (at + room > BYTES) {
      span += BYTES - at;
      at = 0;
    }
    if (this.#bytesInFlight + span > BYTES || Buffer.byteLength(token, 'utf8') !== length) return false;
    this.#nextAt = at;
    this.#nextSpan = span;
    return true;
  }

  /** Writes the record of a token fits() accepted; published with the next publish(). */
  write(token: string, client: number, request: number): void {
    const at = this.#nextAt;
    const length = token.length;
    this.#bytes.write(token, at, length, 'latin1');
    const index = this.#written & RECORD_MASK;
    const base = index * FIELDS;
    const records = this.#records;
    records[base + OFFSET] = at;
    records[base + LENGTH] = length;
    records[base + CLIENT] = client;
    records[base + REQUEST] = request;
    this.#spans[index] = this.#nextSpan;
    this.#bytesInFlight += this.#nextSpan;
    this.#writeAt = at + roomFor(length);
    this.#written++;
  }

  /** Makes every written record visible to the worker and wakes it. */
  publish(): void {
    Atomics.store(this.#control, PUBLISHED, this.#written | 0);
    this.ring();
  }

  /** Wakes the worker (after a message, so it reads its port). */
  ring(): void {
    Atomics.add(this.#control, BELL, 1);
    Atomics.notify(this.#control, BELL);
  }

  /** Answers that arrived, oldest first: `take(answer, verdict)` once per record, in order. */
  read(take: (answer: number, verdict: Verdict | null) => void): void {
    const done = Atomics.load(this.#control, DONE);
    while ((this.#read | 0) !== done && this.#read < this.#written) {
      const index = this.#read & RECORD_MASK;
      const base = index * FIELDS;
      const answer = this.#records[base + ANSWER] as number;
      const verdict = answer === ANSWER_VERDICT ? this.#verdictAt(base) : null;
      this.#bytesInFlight -= this.#spans[index] as number;
      this.#read++;
      take(answer, verdict);
    }
    if (this.#read === this.#written) {
      // Nothing in flight: the next token starts at the front, so large ones keep finding room.
      this.#writeAt = 0;
      this.#bytesInFlight = 0;
    }
  }

  /**
   * Resolves once the worker answers another record (or wake() is called); null when answers are
   * already waiting to be read.
   */
  answered(): Promise<unknown> | null {
    Atomics.store(this.#control, WAITING, 1);
    const wait = Atomics.waitAsync(this.#control, DONE, this.#read | 0);
    if (!wait.async) {
      Atomics.store(this.#control, WAITING, 0);
      return null;
    }
    return wait.value;
  }

  /** After answered() resolved. */
  stopWaiting(): void {
    Atomics.store(this.#control, WAITING, 0);
  }

  /** Settles a pending answered() now (the worker is gone). */
  wake(): void {
    Atomics.notify(this.#control, DONE);
  }

  #verdictAt(base: number): Verdict {
    const records = this.#records;
    const at = records[base + OFFSET] as number;
    const messageLength = records[base + MESSAGE_LENGTH] as number;
    const kidLength = records[base + KID_LENGTH] as number;
    const messageEnd = at + 2 * Math.max(messageLength, 0);
    const verdict: Verdict = {
      valid: false,
      code: records[base + CODE] as number,
      message: messageLength === NO_STRING ? null : this.#bytes.toString('utf16le', at, messageEnd),
    };
    if (kidLength !== NO_KEY_MISS) {
      verdict.keyMiss = { kid: kidLength === NO_STRING ? null : this.#bytes.toString('utf16le', messageEnd, messageEnd + 2 * kidLength) };
    }
    return verdict;
  }
}

/** What the worker does with one record's token: its verdict, or ANSWER_HAND_BACK. */
export type Answerer = (token: string, client: number, request: number) => Verdict | typeof ANSWER_HAND_BACK;

/** The worker's end: waits for records, reads tokens, writes answers. */
export class WorkerChannel {
  readonly #control: Int32Array;
  readonly #records: Int32Array;
  readonly #bytes: Buffer;
  #done = 0;

  constructor(memory: ChannelMemory) {
    this.#control = new Int32Array(memory.control);
    this.#records = new Int32Array(memory.records);
    this.#bytes = Buffer.from(memory.bytes);
  }

  /**
   * Forever: reads its messages, then answers every record published before it read them, then
   * sleeps until the calling thread publishes or sends something. Messages first, so keys and
   * requests sent before a token are known when it is answered.
   */
  serve(readMessages: () => void, answer: Answerer): never {
    const control = this.#control;
    for (;;) {
      const bell = Atomics.load(control, BELL);
      const published = Atomics.load(control, PUBLISHED);
      readMessages();
      if (this.#done === published) {
        Atomics.wait(control, BELL, bell);
        continue;
      }
      let unannounced = 0;
      while (this.#done !== published) {
        this.#answerRecord(answer);
        this.#done = (this.#done + 1) | 0;
        Atomics.store(control, DONE, this.#done);
        // A waiting calling thread is woken once per few answers, and when nothing is left to answer.
        if (++unannounced === ANNOUNCE_EVERY || this.#done === published) {
          unannounced = 0;
          if (Atomics.load(control, WAITING) !== 0) Atomics.notify(control, DONE);
        }
      }
    }
  }

  #answerRecord(answer: Answerer): void {
    const records = this.#records;
    const base = (this.#done & RECORD_MASK) * FIELDS;
    const at = records[base + OFFSET] as number;
    const length = records[base + LENGTH] as number;
    const token = this.#bytes.toString('latin1', at, at + length);
    const verdict = answer(token, records[base + CLIENT] as number, records[base + REQUEST] as number);
    if (verdict === ANSWER_HAND_BACK) {
      records[base + ANSWER] = ANSWER_HAND_BACK;
    } else if (verdict.valid) {
      records[base + ANSWER] = ANSWER_VALID;
    } else {
      // The record's bytes are free once the token is read: the verdict's strings go there when they fit.
      const message = verdict.message;
      const kid = verdict.keyMiss === undefined ? null : verdict.keyMiss.kid;
      const messageLength = message === null ? 0 : message.length;
      if (2 * (messageLength + (kid === null ? 0 : kid.length)) > roomFor(length)) {
        records[base + ANSWER] = ANSWER_HAND_BACK;
        return;
      }
      if (message !== null) this.#bytes.write(message, at, 'utf16le');
      if (kid !== null) this.#bytes.write(kid, at + 2 * messageLength, 'utf16le');
      records[base + CODE] = verdict.code;
      records[base + MESSAGE_LENGTH] = message === null ? NO_STRING : messageLength;
      records[base + KID_LENGTH] = verdict.keyMiss === undefined ? NO_KEY_MISS : kid === null ? NO_STRING : kid.length;
      records[base + ANSWER] = ANSWER_VERDICT;
    }
  }
}
