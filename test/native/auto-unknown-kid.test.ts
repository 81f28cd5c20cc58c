/**
 * 'auto' answers a token whose kid the keys lack with the JS backend: the verdict is the key miss
 * either way (test/vectors), and the JS backend gives it without the native call and its second
 * opinion. Tokens with a known kid still go to the native library; 'native' always does.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { NativeBackendClient } from '../../src/backends/native/index.js';
import { GopherAuthClient } from '../../src/core/client.js';
import { GopherAuthError } from '../../src/core/errors.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';

const issuer = new TestIssuer('https://issuer.test/auto-routing');
let server: JwksServer;
const clients: GopherAuthClient[] = [];

beforeAll(async () => {
  server = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
});
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
  vi.restoreAllMocks();
  server.setJwks(issuer.jwks(['rsa2048']));
});
afterAll(() => server.close());

async function client(backend: 'auto' | 'native'): Promise<GopherAuthClient> {
  const c = new GopherAuthClient(server.url, issuer.issuer, { backend, jwks: { unknownKidCooldown: 1 } });
  clients.push(c);
  await c.ready();
  return c;
}

/** Native calls from now on: async (one reservation each) and sync. */
function countNativeCalls(): () => number {
  const reserve = vi.spyOn(NativeBackendClient.prototype, 'reserve');
  const sync = vi.spyOn(NativeBackendClient.prototype, 'validateSync');
  return () => reserve.mock.calls.length + sync.mock.calls.length;
}

const unknownKidTokens = Array.from({ length: 20 }, (_, n) => issuer.sign({ kid: `gone-${n}` }));
const keyMiss = (n: number) => ({ valid: false, errorCode: GopherAuthError.INVALID_KEY, errorMessage: `No key found with kid: gone-${n}` });

describe.runIf(process.platform === 'linux' && process.arch === 'x64')("'auto' and a kid the keys lack", () => {
  it('answers with the JS backend: the same key miss, no native call; known kids still go native', async () => {
    const c = await client('auto');
    const nativeCalls = countNativeCalls();
    const awaited = await Promise.all(unknownKidTokens.map((t) => c.validateToken(t)));
    const sync = unknownKidTokens.map((t) => c.validateTokenSync(t));
    awaited.forEach((r, n) => expect(r).toEqual(keyMiss(n)));
    sync.forEach((r, n) => expect(r).toEqual(keyMiss(n)));
    expect(nativeCalls()).toBe(0);
    expect((await c.validateToken(issuer.sign())).valid).toBe(true);
    expect(c.validateTokenSync(issuer.sign()).valid).toBe(true);
    expect(nativeCalls()).toBe(2);
  });

  it("control: 'native' asks the library for the same tokens, with the same answers", async () => {
    const c = await client('native');
    const nativeCalls = countNativeCalls();
    const awaited = await Promise.all(unknownKidTokens.map((t) => c.validateToken(t)));
    awaited.forEach((r, n) => expect(r).toEqual(keyMiss(n)));
    // At least once each (those that waited for the refetch the first one started ask again after it).
    expect(nativeCalls()).toBeGreaterThanOrEqual(unknownKidTokens.length);
  });

  it('a kid rotated in is validated by the native library once the refetch brings it', async () => {
    const c = await client('auto');
    server.setJwks(issuer.jwks(['rsa2048', 'rsa3072']));
    const nativeCalls = countNativeCalls();
    // The first sight of the kid: the JS backend misses it, the refetch brings it, the native library decides.
    expect(await c.validateToken(issuer.sign({ key: 'rsa3072' }))).toEqual({ valid: true, errorCode: 0, errorMessage: null });
    expect(nativeCalls()).toBe(1);
    expect(c.jwksStatus().kids).toEqual(['rsa2048', 'rsa3072']);
  });
});
