/** validateBatch: several tokens with the same options in one pool job, answers as validate's. */
import { beforeAll, describe, expect, it } from 'vitest';
import { addonStatus, adoptClient, nativeAddon, type AddonClientHandle } from '../../src/backends/native/addon.js';
import { ensureAddonBuilt } from './build.js';
import { makeSigner, nativeLibrary, rawClient, tokenCases, type TokenCase } from './fixtures.js';

let client: AddonClientHandle;
let cases: TokenCase[];
let jwksJson: string;

beforeAll(() => {
  ensureAddonBuilt();
  const signer = makeSigner();
  jwksJson = signer.jwksJson;
  cases = tokenCases(signer, makeSigner('other-key'));
  if (!addonStatus().loaded) throw new Error(`addon not loaded: ${addonStatus().reason ?? ''}`);
  client = adoptClient(rawClient(nativeLibrary(), jwksJson))!;
});

describe('addon validateBatch', () => {
  it('answers every token, in order, exactly as one validate call per token does', async () => {
    // Cases with the same options go together, as callers batch them.
    const groups = new Map<string, TokenCase[]>();
    for (const tc of [...cases, ...cases]) {
      const key = `${tc.scopes}\u0000${tc.audience ?? ''}`;
      groups.set(key, [...(groups.get(key) ?? []), tc]);
    }
    expect(groups.size).toBeGreaterThan(1);
    for (const group of groups.values()) {
      const { scopes, audience } = group[0]!;
      const batch = await client.validateBatch(group.map((tc) => tc.token), scopes, audience, 60);
      const single = await Promise.all(group.map((tc) => client.validate(tc.token, scopes, audience, 60)));
      expect(batch).toEqual(single);
      expect(batch.map((r) => [r.valid, r.code])).toEqual(group.map((tc) => [tc.valid, tc.code]));
    }
  });

  it('answers an empty batch, refuses non-string tokens, and rejects on a destroyed client', async () => {
    expect(await client.validateBatch([], '', null, 60)).toEqual([]);
    const binding = nativeAddon()!;
    expect(() => binding.validateBatch(client.id, [1 as never], '', null, 60)).toThrow(TypeError);
    const doomed = adoptClient(rawClient(nativeLibrary(), jwksJson))!;
    const inFlight = doomed.validateBatch(cases.slice(0, 8).map((tc) => tc.token), '', null, 60);
    doomed.destroy();
    // Accepted before destroy(): answered. After: rejected.
    expect((await inFlight).length).toBe(8);
    await expect(doomed.validateBatch([cases[0]!.token], '', null, 60)).rejects.toMatchObject({ code: 'ERR_GOPHER_ADDON_DESTROYED' });
  });
});
