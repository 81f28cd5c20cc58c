import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/core/logger.js';
import type { AuthFailureEvent } from '../../src/http/failure.js';
import { gopherAuth, type GopherAuth } from '../../src/http/gopher-auth.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';

const ISSUER = 'https://issuer.test/realms/demo';
const RESOURCE = 'http://127.0.0.1:9/mcp';
const issuer = new TestIssuer(ISSUER);
let jwks: JwksServer;
let auth: GopherAuth;
const logged: { level: string; obj: unknown; msg: string | undefined }[] = [];
const events: AuthFailureEvent[] = [];

const logger: Logger = {
  debug: (obj, msg) => logged.push({ level: 'debug', obj, msg }),
  info: (obj, msg) => logged.push({ level: 'info', obj, msg }),
  warn: (obj, msg) => logged.push({ level: 'warn', obj, msg }),
  error: (obj, msg) => logged.push({ level: 'error', obj, msg }),
};

beforeAll(async () => {
  jwks = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
  auth = gopherAuth({
    resource: RESOURCE,
    issuer: ISSUER,
    jwksUri: jwks.url,
    backend: 'js',
    toolScopes: { admin: ['mcp:admin'] },
    logger,
    onAuthFailure: (event) => {
      events.push(event);
      throw new Error('hook bug');
    },
  });
});
afterAll(async () => {
  await jwks.close();
  auth.close();
});

const decide = (token: string | null, body?: unknown) =>
  auth.authenticate({ method: 'POST', url: '/mcp?x=1', authorization: token === null ? [] : [`Bearer ${token}`], body: async () => body });

describe('refusal details go to the logger and the hook only', () => {
  it('say what the token claimed next to what the gate expected (issuer, audience, expiry, a foreign issuer)', async () => {
    const reasonOf = async (token: string): Promise<string> => {
      const outcome = await decide(token);
      expect('error' in outcome && outcome.error.kind).toBe('invalid_token');
      return events.at(-1)!.reason;
    };
    const now = issuer.now();
    expect(await reasonOf(issuer.sign({ claims: { aud: RESOURCE, iss: 'https://issuer.test/realms/dem0' } }))).toBe(
      `Invalid issuer (token iss "https://issuer.test/realms/dem0", unverified; expected "${ISSUER}")`,
    );
    expect(await reasonOf(issuer.sign({ claims: { aud: ['http://localhost:9/mcp'] } }))).toBe(
      `Invalid audience (token aud ["http://localhost:9/mcp"], unverified; expected "${RESOURCE}")`,
    );
    const expired = await reasonOf(issuer.sign({ claims: { aud: RESOURCE, exp: now - 3600 } }));
    expect(expired).toMatch(new RegExp(`^JWT has expired \\(token exp ${new Date((now - 3600) * 1000).toISOString()}, unverified; server time \\d{4}-`));
    const early = await reasonOf(issuer.sign({ claims: { aud: RESOURCE, nbf: now + 3600 } }));
    expect(early).toContain(`(token nbf ${new Date((now + 3600) * 1000).toISOString()}, unverified; server time `);
    // A token from another issuer, whose kid this JWKS never had.
    expect(await reasonOf(issuer.sign({ kid: 'their-key', claims: { aud: RESOURCE, iss: 'https://other.example' } }))).toBe(
      `No key found with kid: their-key (token iss "https://other.example", unverified, is not the configured issuer "${ISSUER}")`,
    );
    // A control character a token smuggles into its claims stays escaped in the reason.
    expect(await reasonOf(issuer.sign({ claims: { aud: RESOURCE, iss: 'x\r\nforged: line' } }))).not.toMatch(/[\r\n]/);
  });

  it('logs the reason without the token or the subject; a throwing hook changes nothing', async () => {
    const token = issuer.sign({ claims: { aud: RESOURCE, sub: 'secret-subject-42', scope: 'mcp:read' } });
    const outcome = await decide(token, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'admin' } });
    expect('error' in outcome && outcome.error.kind).toBe('insufficient_scope');
    const event = events.at(-1)!;
    expect(event).toMatchObject({ kind: 'insufficient_scope', status: 403, subject: 'secret-subject-42', path: '/mcp', method: 'POST', calls: ['tools/call admin'] });
    const warn = logged.find((l) => l.level === 'warn');
    expect(warn?.msg).toBe('gopher-auth: request refused');
    const text = JSON.stringify(logged);
    expect(text).not.toContain('secret-subject-42');
    expect(text).not.toContain(token);
    expect(text).toContain('missing scopes: mcp:admin');
    expect(logged.some((l) => l.level === 'error' && l.msg === 'gopher-auth: onAuthFailure threw')).toBe(true);
  });

  // A prefix rule ('admin-*') lets the client choose the rest of the name: it reaches the report.
  it('calls in the report are escaped, cut like reasons, and at most 20 (then a count)', async () => {
    const seen: AuthFailureEvent[] = [];
    const lines: string[] = [];
    const prefixed = gopherAuth({
      resource: RESOURCE,
      issuer: ISSUER,
      jwksUri: jwks.url,
      backend: 'js',
      toolScopes: { 'admin-*': ['mcp:admin'] },
      logger: { debug() {}, info() {}, warn: (obj) => void lines.push(JSON.stringify(obj)), error() {} },
      onAuthFailure: (event) => void seen.push(event),
    });
    try {
      const token = issuer.sign({ claims: { aud: RESOURCE, scope: 'mcp:read' } });
      const call = (name: string, id: number) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name } });
      const forged = `admin-x\u202e\u2028[error] forged line\u2029${'A'.repeat(100_000)}`;
      const body = [call(forged, 0), ...Array.from({ length: 24 }, (_, i) => call(`admin-${i}`, i + 1))];
      const outcome = await prefixed.authenticate({ method: 'POST', url: '/mcp', authorization: [`Bearer ${token}`], body: async () => body });
      expect('error' in outcome && outcome.error.kind).toBe('insufficient_scope');
      const calls = seen[0]!.calls!;
      expect(calls).toHaveLength(21);
      expect(calls[0]).toMatch(/^tools\/call admin-x\\u202e\\u2028\[error\] forged line\\u2029A+\.\.\. \(\d+ characters\)$/);
      expect(calls[0]!.length).toBeLessThanOrEqual(600);
      expect(calls.slice(1, 20)).toEqual(Array.from({ length: 19 }, (_, i) => `tools/call admin-${i}`));
      expect(calls[20]).toBe('... (5 more)');
      expect(lines.join('\n')).not.toMatch(/[\u2028\u2029\u202e]/);
      expect(lines.join('\n').length).toBeLessThan(5_000);
    } finally {
      prefixed.close();
    }
  });

  it('a missing token is only a debug line; invalid tokens are warnings with the validator detail', async () => {
    logged.length = 0;
    await decide(null);
    expect(logged.map((l) => l.level)).toEqual(['debug', 'error']);
    logged.length = 0;
    const wrongIssuer = issuer.sign({ claims: { aud: RESOURCE, iss: 'https://impostor.example' } });
    await decide(wrongIssuer);
    const warn = logged.find((l) => l.level === 'warn')?.obj as { reason: string; code: number };
    expect(warn.reason).toMatch(/issuer/i);
    expect(typeof warn.code).toBe('number');
  });
});
