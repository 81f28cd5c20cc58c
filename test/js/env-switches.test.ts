/** The environment switches read one way: trimmed, any case, off words, plain decimal numbers with bounds. */
import { describe, expect, it } from 'vitest';
import { envChoice, envInteger, envOff } from '../../src/backends/env.js';
import { defaultPoolSize } from '../../src/backends/js/verify-pool.js';
import { backgroundNice, DEFAULT_BACKGROUND_NICE } from '../../src/backends/thread-priority.js';
import { defaultNativeOffThreadLimit } from '../../src/core/native-sharing.js';

describe('environment switches', () => {
  it('off words in any case and spacing; nothing else is off', () => {
    for (const off of ['0', 'false', 'FALSE', ' off ', 'No']) expect(envOff(off), off).toBe(true);
    for (const on of [undefined, '', '1', 'true', 'yes', 'of', '00']) expect(envOff(on), String(on)).toBe(false);
  });

  it('numbers are plain decimal digits, capped at the maximum; anything else is unset', () => {
    expect(envInteger(' 8 ', 0, 64)).toBe(8);
    expect(envInteger('1000000', 1, 100_000)).toBe(100_000);
    for (const bad of [undefined, '', '0x10', '1e3', '1.5', '-1', 'abc']) expect(envInteger(bad, 0, 64), String(bad)).toBeUndefined();
    expect(envInteger('0', 1, 64)).toBeUndefined();
    expect(envChoice(' Plain ', ['plain', 'deepbind'] as const)).toBe('plain');
    expect(envChoice('bogus', ['plain', 'deepbind'] as const)).toBeUndefined();
  });

  it('GOPHER_AUTH_JS_WORKERS, GOPHER_AUTH_THREAD_NICE and GOPHER_AUTH_NATIVE_OFF_THREAD read that way', () => {
    const byDefault = defaultPoolSize({});
    expect(defaultPoolSize({ GOPHER_AUTH_JS_WORKERS: 'off' })).toBe(0);
    expect(defaultPoolSize({ GOPHER_AUTH_JS_WORKERS: 'false' })).toBe(0);
    expect(defaultPoolSize({ GOPHER_AUTH_JS_WORKERS: '0x10' })).toBe(byDefault);
    expect(defaultPoolSize({ GOPHER_AUTH_JS_WORKERS: '1e3' })).toBe(byDefault);
    expect(defaultPoolSize({ GOPHER_AUTH_JS_WORKERS: '500' })).toBe(64);
    // In an application's worker threads the default is none (a pool per thread multiplied the
    // threads: 6 app threads started 6 pools); told explicitly, each thread gets its own.
    expect(defaultPoolSize({}, false)).toBe(0);
    expect(defaultPoolSize({ GOPHER_AUTH_JS_WORKERS: '2' }, false)).toBe(2);
    expect(backgroundNice({ GOPHER_AUTH_THREAD_NICE: '25' })).toBe(19);
    expect(backgroundNice({ GOPHER_AUTH_THREAD_NICE: '0x10' })).toBe(DEFAULT_BACKGROUND_NICE);
    expect(backgroundNice({ GOPHER_AUTH_THREAD_NICE: 'off' })).toBe(0);
    expect(defaultNativeOffThreadLimit({ GOPHER_AUTH_NATIVE_OFF_THREAD: '1000000' })).toBe(64);
    expect(defaultNativeOffThreadLimit({ GOPHER_AUTH_NATIVE_OFF_THREAD: '3' })).toBe(3);
    expect(defaultNativeOffThreadLimit({ GOPHER_AUTH_NATIVE_OFF_THREAD: '0' })).toBe(defaultNativeOffThreadLimit({}));
  });
});
