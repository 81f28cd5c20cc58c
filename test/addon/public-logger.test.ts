import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GopherAuthClient, gopherSetNativeLogger } from '../../src/index.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';
import { ensureAddonBuilt } from './build.js';
import { nativeLibrary, rawClient } from './fixtures.js';

const issuer = new TestIssuer();
let server: JwksServer;

beforeAll(async () => {
  ensureAddonBuilt();
  server = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
});
afterAll(async () => {
  gopherSetNativeLogger(null);
  await server.close();
});

describe('gopherSetNativeLogger', () => {
  it('refuses a logger without a debug method when it is set, not when the library first prints', () => {
    for (const bad of [{}, { info: () => {} }, 5, 'console']) {
      expect(() => gopherSetNativeLogger(bad as never)).toThrow(/logger with a debug method/);
    }
    expect(gopherSetNativeLogger(null)).toBe(true);
  });

  it('routes the native library\'s own lines to logger.debug with the subject redacted, and back to nothing', async () => {
    const subject = 'alice-7f3e-private';
    const lines: string[] = [];
    expect(gopherSetNativeLogger({ debug: (_obj, msg) => lines.push(String(msg)) })).toBe(true);
    using client = new GopherAuthClient(server.url, issuer.issuer, { backend: 'native' });
    const token = issuer.sign({ claims: { sub: subject } });
    expect(await client.validateToken(token)).toMatchObject({ valid: true });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.some((line) => line.includes('[GopherAuth]'))).toBe(true);
    expect(lines.filter((line) => line.includes(subject))).toEqual([]);

    expect(gopherSetNativeLogger(null)).toBe(true);
    const before = lines.length;
    expect(await client.validateToken(issuer.sign({ claims: { sub: 'bob' } }))).toMatchObject({ valid: true });
    expect(lines.length).toBe(before);
  });

  it('a signed subject with raw control characters (JSON.parse refuses it; the library prints it) reaches the logger redacted and escaped', async () => {
    const lines: string[] = [];
    expect(gopherSetNativeLogger({ debug: (_obj, msg) => lines.push(String(msg)) })).toBe(true);
    try {
      using client = new GopherAuthClient(server.url, issuer.issuer, { backend: 'native' });
      const payloadJson = `{"sub":"alice\u001b[2J\r\nprivate-tail","iss":${JSON.stringify(issuer.issuer)},"exp":${issuer.now() + 600}}`;
      const token = issuer.signRaw({ alg: 'RS256', key: 'rsa2048', headerJson: '{"alg":"RS256","kid":"rsa2048"}', payloadJson });
      expect(await client.validateToken(token)).toMatchObject({ valid: false });
      expect(lines.some((line) => line.includes('sub=[redacted]'))).toBe(true);
      expect(lines.filter((line) => line.includes('private-tail') || line.includes('alice'))).toEqual([]);
      expect(lines.filter((line) => /[\u0000-\u001f\u007f-\u009f]/.test(line))).toEqual([]);
    } finally {
      gopherSetNativeLogger(null);
    }
  });

  it("a drain queued for a logger since replaced never hands it the new logger's lines", async () => {
    const library = nativeLibrary();
    const first: string[] = [];
    const second: string[] = [];
    // Creating a client makes the library print on this thread: lines queued, a drain scheduled.
    expect(gopherSetNativeLogger({ debug: (_obj, msg) => first.push(String(msg)) })).toBe(true);
    rawClient(library);
    expect(gopherSetNativeLogger({ debug: (_obj, msg) => second.push(String(msg)) })).toBe(true);
    rawClient(library);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(first).toEqual([]); // its own lines were dropped at the switch
    expect(second.length).toBeGreaterThan(0);
    expect(gopherSetNativeLogger(null)).toBe(true);
  });
});
