/**
 * The native backend's own awaited validate(): calls of one turn with the same options share one
 * addon call, and every token still gets exactly the verdict a synchronous call gives it.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AddonClientHandle, addonStatus } from '../../src/backends/native/addon.js';
import { ADDON_BATCH_SIZE } from '../../src/backends/native/addon-batches.js';
import type { ValidationRequest, Verdict } from '../../src/backends/types.js';
import { badSignature, clientWithKeys, issuer, request, type NativeBackendClient } from '../native/fixtures/tokens.js';
import { ensureAddonBuilt } from './build.js';

let tokens: string[];

beforeAll(() => {
  ensureAddonBuilt();
  if (!addonStatus().loaded) throw new Error(`addon not loaded: ${addonStatus().reason ?? ''}`);
  const kinds = [
    () => issuer.sign(),
    () => badSignature(issuer.sign()),
    () => issuer.sign({ claims: { exp: issuer.now() - 3600 } }),
    () => issuer.sign({ claims: { iss: 'https://evil.test' } }),
    () => 'not-a-jwt',
  ];
  tokens = Array.from({ length: 64 }, (_, i) => kinds[i % kinds.length]!());
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** Counts the addon calls the backend makes and the tokens they carry. */
function countAddonCalls(): { singles: () => number; batches: () => number[] } {
  const single = vi.spyOn(AddonClientHandle.prototype, 'validate');
  const batch = vi.spyOn(AddonClientHandle.prototype, 'validateBatch');
  return { singles: () => single.mock.calls.length, batches: () => batch.mock.calls.map((call) => call[0].length) };
}

const strip = (v: Verdict): Verdict => ({ valid: v.valid, code: v.code, message: v.message });

function syncVerdicts(client: NativeBackendClient, list: readonly string[], req: ValidationRequest = request): Verdict[] {
  return list.map((t) => strip(client.validateSync(t, req)));
}

describe('NativeBackendClient.validate through the addon', () => {
  it('sends the validations of one turn together, each answered as a synchronous call answers it', async () => {
    const client = clientWithKeys();
    try {
      const expected = syncVerdicts(client, tokens);
      expect(new Set(expected.map((v) => v.code)).size).toBe(5);
      const calls = countAddonCalls();
      const verdicts = await Promise.all(tokens.map((t) => client.validate(t, request)));
      expect(verdicts.map(strip)).toEqual(expected);
      expect(calls.singles()).toBe(0);
      expect(calls.batches()).toEqual(Array(tokens.length / ADDON_BATCH_SIZE).fill(ADDON_BATCH_SIZE));
      expect(client.addonBatchStats).toEqual({ calls: 4, tokens: 64 });
      expect(client.inFlight).toBe(0);
    } finally {
      client.destroy();
    }
  });

  it('sends one validation at a time as a single call', async () => {
    const client = clientWithKeys();
    try {
      const calls = countAddonCalls();
      for (const t of tokens.slice(0, 5)) await client.validate(t, request);
      expect(calls.singles()).toBe(5);
      expect(calls.batches()).toEqual([]);
    } finally {
      client.destroy();
    }
  });

  it('never puts validations with different options in one call', async () => {
    const client = clientWithKeys();
    try {
      const other: ValidationRequest = { ...request, audience: 'https://api.elsewhere.test' };
      const requests = tokens.map((_, i) => (i % 8 < 4 ? request : other));
      const expected = tokens.map((t, i) => strip(client.validateSync(t, requests[i]!)));
      // The audience decides for the valid tokens: refused (-1004) under the other options.
      expect(expected.filter((v) => v.code === -1004).length).toBeGreaterThan(0);
      const calls = countAddonCalls();
      const verdicts = await Promise.all(tokens.map((t, i) => client.validate(t, requests[i]!)));
      expect(verdicts.map(strip)).toEqual(expected);
      // Runs of four with the same options: sixteen calls of four tokens.
      expect(calls.batches()).toEqual(Array(16).fill(4));
    } finally {
      client.destroy();
    }
  });

  it('answers every validation accepted before destroy(), refuses later ones, and frees the handle once they settle', async () => {
    const client = clientWithKeys();
    const expected = syncVerdicts(client, tokens.slice(0, 20));
    const pending = tokens.slice(0, 20).map((t) => client.validate(t, request));
    client.destroy();
    expect(client.inFlight).toBe(20);
    expect((await Promise.all(pending)).map(strip)).toEqual(expected);
    await expect(client.validate(tokens[0]!, request)).rejects.toThrow(/after destroy/);
    expect(client.inFlight).toBe(0);
  });

  it('rejects every validation of a call that fails, and counts the call as finished', async () => {
    const client = clientWithKeys();
    try {
      vi.spyOn(AddonClientHandle.prototype, 'validateBatch').mockImplementationOnce(() => {
        throw new Error('addon call failed');
      });
      const outcomes = await Promise.allSettled(tokens.slice(0, 3).map((t) => client.validate(t, request)));
      expect(outcomes.map((o) => (o.status === 'rejected' ? (o.reason as Error).message : 'answered'))).toEqual(Array(3).fill('addon call failed'));
      expect(client.inFlight).toBe(0);
      // An answer that does not fit (fewer results than tokens) rejects those validations, no more.
      vi.spyOn(AddonClientHandle.prototype, 'validateBatch').mockImplementationOnce(() => Promise.resolve([]));
      const short = await Promise.allSettled(tokens.slice(0, 3).map((t) => client.validate(t, request)));
      expect(short.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
      expect(client.inFlight).toBe(0);
      // The next turn's calls go through again.
      expect((await Promise.all(tokens.slice(0, 3).map((t) => client.validate(t, request)))).map(strip)).toEqual(syncVerdicts(client, tokens.slice(0, 3)));
    } finally {
      client.destroy();
    }
  });
});
