/**
 * A key set's lookups are made once per kid and alg, not once per token: the same answer object
 * every time (no arrays built per validation), and still the right answer for each pair.
 */
import { describe, expect, it } from 'vitest';
import { keyringFor } from '../../src/backends/js/keyring.js';
import { generateKeyPair } from '../../src/backends/keypair.js';
import type { Jwk, JwksSnapshot } from '../../src/backends/types.js';

const rsa = generateKeyPair('rsa', { modulusLength: 2048 });
const ec = generateKeyPair('ec', { namedCurve: 'P-256' });

function snapshot(keys: Jwk[]): JwksSnapshot {
  return { keys, json: JSON.stringify({ keys }), fetchedAt: Date.now(), version: 1 };
}

describe('keyring lookups', () => {
  const keys: Jwk[] = [
    { ...(rsa.publicKey.export({ format: 'jwk' }) as Jwk), kid: 'r', use: 'sig' },
    { ...(ec.publicKey.export({ format: 'jwk' }) as Jwk), kid: 'e' },
    { ...(ec.publicKey.export({ format: 'jwk' }) as Jwk), kid: 'e' },
  ];
  const ring = keyringFor(snapshot(keys));

  it('answers a kid and alg with the same object each time', () => {
    const first = ring.lookup('RS256', 'r');
    expect(first).toMatchObject({ kind: 'found', exact: true });
    expect(ring.lookup('RS256', 'r')).toBe(first);
    const shared = ring.lookup('ES256', 'e');
    expect(shared).toMatchObject({ kind: 'found', exact: false });
    expect(shared.kind === 'found' && shared.targets).toHaveLength(2);
    expect(ring.lookup('ES256', 'e')).toBe(shared);
  });

  it('keeps each alg of a kid apart, refusals included', () => {
    const refused = ring.lookup('ES256', 'r');
    expect(refused.kind).toBe('refused');
    expect(ring.lookup('ES256', 'r')).toBe(refused);
    expect(ring.lookup('RS256', 'r').kind).toBe('found');
    expect(ring.lookup('PS256', 'r').kind).toBe('found');
    expect(ring.lookup('RS256', 'e').kind).toBe('refused');
  });

  it('misses an unknown kid, and without a kid offers every key usable for the alg', () => {
    expect(ring.lookup('RS256', 'nope')).toEqual({ kind: 'miss' });
    const anyKid = ring.lookup('ES256', null);
    expect(anyKid).toMatchObject({ kind: 'found', exact: false });
    expect(anyKid.kind === 'found' && anyKid.targets).toHaveLength(2);
    expect(ring.lookup('ES256', null)).toBe(anyKid);
  });
});
