/**
 * What a client sends can end up quoted in a refusal reason (logged, and given to onAuthFailure) or
 * in a validation message: it is escaped (no CR/LF to forge log lines, no terminal escapes) and cut,
 * so one request writes one bounded line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GopherAuthClient } from '../../src/core/client.js';
import { GopherAuthError, GopherAuthException } from '../../src/core/errors.js';
import { MAX_LOGGED_TEXT, logSafe } from '../../src/core/log-safe.js';
import type { AuthFailureEvent } from '../../src/http/failure.js';
import { gopherAuth, type GopherAuth } from '../../src/http/gopher-auth.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';

const ISSUER = 'https://issuer.test/logs';
const RESOURCE = 'http://127.0.0.1:9/mcp';
const issuer = new TestIssuer(ISSUER);
let jwks: JwksServer;
const gates: GopherAuth[] = [];
const events: AuthFailureEvent[] = [];
const logged: string[] = [];

beforeAll(async () => {
  jwks = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
});
afterAll(async () => {
  for (const gate of gates) gate.close();
  await jwks.close();
});

function gate(backend: 'js' | 'native' | 'auto', extra: Record<string, unknown> = {}): GopherAuth {
  const logger = { debug() {}, info() {}, warn: (obj: unknown, msg?: string) => void logged.push(JSON.stringify(obj) + (msg ?? '')), error: (obj: unknown, msg?: string) => void logged.push(JSON.stringify(obj) + (msg ?? '')) };
  const g = gopherAuth({ resource: RESOURCE, issuer: ISSUER, jwksUri: jwks.url, backend, logger, onAuthFailure: (e) => void events.push(e), ...extra });
  gates.push(g);
  return g;
}

const hostile = `evil\r\n[GopherAuth] Token validated successfully for sub=admin\u001b[2J\u202e${'x'.repeat(40_000)}`;

describe('logSafe', () => {
  it('escapes everything outside printable ASCII and cuts long text, saying how long it was', () => {
    expect(logSafe('No key found with kid: rsa2048')).toBe('No key found with kid: rsa2048');
    expect(logSafe('a\r\nb\u001b\u202e\u00e9')).toBe('a\\u000d\\u000ab\\u001b\\u202e\\u00e9');
    const long = logSafe('y'.repeat(10_000));
    expect(long.startsWith('y'.repeat(MAX_LOGGED_TEXT))).toBe(true);
    expect(long).toMatch(/\.\.\. \(10000 characters\)$/);
    expect(logSafe(long, Number.POSITIVE_INFINITY)).toBe(long); // printable ASCII, the mark included
    expect(logSafe('\n'.repeat(10_000)).length).toBeLessThan(MAX_LOGGED_TEXT + 40);
  });
});

describe('validation messages quote the token safely', () => {
  for (const backend of ['js', 'native', 'auto'] as const) {
    it(`${backend}: a kid or alg with CR/LF, escapes and 40,000 characters`, async () => {
      const client = new GopherAuthClient(jwks.url, ISSUER, { backend });
      try {
        await client.ready();
        for (const token of [issuer.sign({ kid: hostile }), issuer.signRaw({ alg: 'RS256', headerJson: JSON.stringify({ alg: hostile, kid: 'rsa2048' }), payloadJson: JSON.stringify(issuer.defaultClaims()) })]) {
          const result = await client.validateToken(token);
          expect(result.valid).toBe(false);
          expect(result.errorMessage).not.toMatch(/[\r\n\u001b\u202e]/);
          expect(result.errorMessage!.length).toBeLessThan(MAX_LOGGED_TEXT + 40);
        }
      } finally {
        client.destroy();
      }
    });
  }
});

describe('gate refusal reasons are bounded and escaped', () => {
  it('a hostile kid (no valid token needed), a huge Mcp-Method mismatch and a long Origin each log one short, single line', async () => {
    const g = gate('auto', { cors: { origin: ['https://ok.example'] } });
    events.length = 0;
    logged.length = 0;
    await g.authenticate({ method: 'POST', url: '/mcp', authorization: [`Bearer ${issuer.sign({ kid: hostile })}`], body: async () => undefined });
    const valid = issuer.sign({ claims: { aud: RESOURCE } });
    const hugeMethod = 'm'.repeat(1_000_000);
    await g.authenticate({ method: 'POST', url: '/mcp', authorization: [`Bearer ${valid}`], mcpMethod: 'tools/list', body: async () => ({ jsonrpc: '2.0', id: 1, method: hugeMethod }) });
    await g.authenticate({ method: 'POST', url: '/mcp', authorization: [`Bearer ${valid}`], origin: `https://${'o'.repeat(10_000)}.example\r\n`, body: async () => undefined });
    expect(events.map((e) => e.kind)).toEqual(['invalid_token', 'bad_request', 'forbidden_origin']);
    for (const event of events) {
      expect(event.reason).not.toMatch(/[\r\n\u001b\u202e]/);
      expect(event.reason.length).toBeLessThan(MAX_LOGGED_TEXT + 40);
    }
    expect(logged).toHaveLength(3);
    for (const line of logged) expect(line.length).toBeLessThan(2_000);
  });
});

describe('a JWKS URI with credentials', () => {
  it('is refused at construction (it would appear, password included, in logs and status)', () => {
    expect(() => new GopherAuthClient('https://user:secret@keys.example/jwks.json', ISSUER)).toThrow(GopherAuthException);
    try {
      new GopherAuthClient('https://user:secret@keys.example/jwks.json', ISSUER);
    } catch (error) {
      expect((error as GopherAuthException).code).toBe(GopherAuthError.INVALID_CONFIG);
      expect((error as Error).message).not.toContain('secret');
    }
  });
});
