import { describe, expect, it, vi } from 'vitest';

// Key generation is the one thing the self-test must not do: an RSA-2048 key takes 50–400 ms of
// the event loop, on the first native validation of a server.
const generated = vi.hoisted(() => [] as string[]);
vi.mock('node:crypto', async (importOriginal) => {
  const crypto = await importOriginal<typeof import('node:crypto')>();
  const count =
    <F extends (...args: never[]) => unknown>(fn: F): F =>
    ((...args: Parameters<F>) => {
      generated.push(String(args[0]));
      return fn(...args);
    }) as F;
  return { ...crypto, default: crypto, generateKeyPairSync: count(crypto.generateKeyPairSync), generateKeyPair: count(crypto.generateKeyPair) };
});

const { nativeDiagnostics } = await import('../../src/backends/native/index.js');

describe('native startup self-test', () => {
  it('passes every step without generating a key', () => {
    const { selfTest } = nativeDiagnostics();
    expect(generated).toEqual([]);
    expect(selfTest?.steps.map((s) => [s.name, s.ok])).toEqual([
      ['inject', true],
      ['valid token', true],
      ['bad signature', true],
      ["node's OpenSSL error queue", true],
      ['node crypto.verify afterwards', true],
    ]);
    expect(selfTest?.passed).toBe(true);
  });
});
