/**
 * How many native batches may be out at once (src/core/native-sharing.ts): one per core, and one more
 * when they queue for the addon's helper threads, so a helper finishing a batch finds the next one.
 */
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { OffThreadSlots, defaultNativeOffThreadLimit } from '../../src/core/native-sharing.js';

describe('native batch slots', () => {
  it('default to one per core, one more when batches queue for helper threads, and GOPHER_AUTH_NATIVE_OFF_THREAD wins', () => {
    const cores = availableParallelism();
    expect(defaultNativeOffThreadLimit({}, false)).toBe(cores);
    expect(defaultNativeOffThreadLimit({}, true)).toBe(cores + 1);
    expect(defaultNativeOffThreadLimit({ GOPHER_AUTH_NATIVE_OFF_THREAD: '5' }, true)).toBe(5);
    expect(defaultNativeOffThreadLimit({ GOPHER_AUTH_NATIVE_OFF_THREAD: '5' }, false)).toBe(5);
    for (const nonsense of ['0', '-2', '1.5', 'many', '']) {
      expect(defaultNativeOffThreadLimit({ GOPHER_AUTH_NATIVE_OFF_THREAD: nonsense }, true)).toBe(cores + 1);
    }
  });

  it('settle a limit given as a function once, when the first slot is wanted', () => {
    let asked = 0;
    const slots = new OffThreadSlots(() => {
      asked++;
      return 2;
    });
    expect(asked).toBe(0);
    expect([slots.tryTake(), slots.tryTake(), slots.tryTake()]).toEqual([true, true, false]);
    slots.release();
    expect(slots.tryTake()).toBe(true);
    expect(slots.limit).toBe(2);
    expect(asked).toBe(1);
  });
});
