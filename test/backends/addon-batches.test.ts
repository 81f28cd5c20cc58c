/** AddonBatches on its own, with a scripted addon handle: grouping, ordering, and failures that must not escape. */
import { describe, expect, it } from 'vitest';
import type { AddonClientHandle, AddonRawResult } from '../../src/backends/native/addon.js';
import { ADDON_BATCH_SIZE, AddonBatches, type AddonBatchOwner } from '../../src/backends/native/addon-batches.js';
import type { Verdict } from '../../src/backends/types.js';

/** Answers each token with a code derived from it: 'ok…' valid, anything else -1002. */
function scriptedHandle(log: string[][]): AddonClientHandle {
  const answer = (token: string): AddonRawResult =>
    token.startsWith('ok') ? { rc: 0, valid: true, code: 0, message: null } : { rc: -1002, valid: false, code: -1002, message: `bad ${token}` };
  return {
    validate: (token: string) => {
      log.push([token]);
      return Promise.resolve(answer(token));
    },
    validateBatch: (tokens: string[]) => {
      log.push([...tokens]);
      return Promise.resolve(tokens.map(answer));
    },
  } as unknown as AddonClientHandle;
}

function owner(overrides: Partial<AddonBatchOwner> = {}): AddonBatchOwner & { inFlight: number } {
  const o = {
    inFlight: 0,
    validationStarted: () => {
      o.inFlight++;
    },
    validationFinished: () => {
      o.inFlight--;
    },
    verdict: (raw: AddonRawResult): Verdict => ({ valid: raw.valid, code: raw.code, message: raw.message }),
    ...overrides,
  };
  return o;
}

describe('AddonBatches', () => {
  it('groups one turn by handle and options, in order, at most ADDON_BATCH_SIZE per call', async () => {
    const log: string[][] = [];
    const handle = scriptedHandle(log);
    const other = scriptedHandle(log);
    const o = owner();
    const batches = new AddonBatches(o);
    const pending = [
      ...Array.from({ length: ADDON_BATCH_SIZE + 2 }, (_, i) => batches.submit(handle, `ok-${i}`, 'read', 'aud', 60, null)),
      batches.submit(handle, 'x-aud', 'read', 'other-aud', 60, null),
      batches.submit(handle, 'x-skew', 'read', 'other-aud', 0, null),
      batches.submit(other, 'ok-other', 'read', 'other-aud', 0, null),
    ];
    expect(o.inFlight).toBe(ADDON_BATCH_SIZE + 5);
    const verdicts = await Promise.all(pending);
    expect(verdicts.map((v) => v.valid)).toEqual([...Array(ADDON_BATCH_SIZE + 2).fill(true), false, false, true]);
    expect(verdicts[ADDON_BATCH_SIZE + 2]?.message).toBe('bad x-aud');
    expect(log.map((call) => call.length)).toEqual([ADDON_BATCH_SIZE, 2, 1, 1, 1]);
    expect(log[1]).toEqual([`ok-${ADDON_BATCH_SIZE}`, `ok-${ADDON_BATCH_SIZE + 1}`]);
    expect(batches.calls).toBe(5);
    expect(batches.tokens).toBe(ADDON_BATCH_SIZE + 5);
    expect(o.inFlight).toBe(0);
  });

  it('rejects the validations, never the process, when finishing one throws or the call fails', async () => {
    const log: string[][] = [];
    let finished = 0;
    // The second validation's release throws: that validation is refused, its batch-mates answered.
    const throwing = owner({
      validationFinished: () => {
        finished++;
        if (finished === 2) throw new Error('release failed');
      },
    });
    const batches = new AddonBatches(throwing);
    const handle = scriptedHandle(log);
    const grouped = await Promise.allSettled(['ok-1', 'ok-2', 'ok-3'].map((t) => batches.submit(handle, t, '', null, 60, null)));
    expect(grouped.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'answered'))).toEqual(['answered', 'release failed', 'answered']);
    expect(finished).toBe(3);

    const failing = { validateBatch: () => Promise.reject('not an Error') } as unknown as AddonClientHandle;
    const o = owner({
      validationFinished: () => {
        throw new Error('release failed too');
      },
    });
    const failed = await Promise.allSettled(['a', 'b'].map((t) => new AddonBatches(o).submit(failing, t, '', null, 60, null)));
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    const shared = new AddonBatches(o);
    const both = await Promise.allSettled(['a', 'b'].map((t) => shared.submit(failing, t, '', null, 60, null)));
    expect(both.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'answered'))).toEqual(['not an Error', 'not an Error']);
  });
});
