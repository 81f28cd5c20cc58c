/**
 * Worker threads terminated while they call the addon's validate/validateBatch (each case in a
 * child process: a failure here is a crash). Before the fix, a call that the terminate() caught
 * midway returned an uninitialized napi_value (napi_create_promise refused, node-addon-api's
 * Deferred kept none): SIGSEGV in FunctionCallbackWrapper::Invoke or a V8 fatal error, in most
 * runs of either case. The main thread's verdicts are checked after the terminations.
 */
import { describe, expect, it } from 'vitest';
import { runChild } from './child.js';

interface Report {
  rounds: number;
  workers: number;
  exits: number[];
  workerErrors: string[];
  checked: number;
  wrong: number;
  addonLoaded: boolean;
}

describe.skipIf(process.platform !== 'linux' || process.arch !== 'x64')('terminating workers with native validations in flight', () => {
  for (const [name, mainHolds] of [
    ['the main thread holding a native client', '1'],
    ['no native client on the main thread meanwhile', '0'],
  ] as const) {
    it(`${name}: the process lives on and the main thread's verdicts stay right`, async () => {
      const outcome = await runChild<Report>('terminate-in-flight.ts', { MAIN_HOLDS: mainHolds, ROUNDS: '6' }, 90_000);
      expect({ code: outcome.code, signal: outcome.signal }).toEqual({ code: 0, signal: null });
      expect(outcome.report).toMatchObject({ rounds: 6, workers: 12, exits: [1], workerErrors: [], wrong: 0, addonLoaded: true });
      expect(outcome.report?.checked).toBe(136);
      expect(outcome.stdout.toString()).toBe('');
    }, 120_000);
  }
});
