import { describe, expect, it } from 'vitest';
import { GopherAuthException } from '../../src/core/errors.js';
import type { AuthInfo } from '../../src/http/auth-info.js';
import { runWithAuthInfo } from '../../src/http/context.js';
import { SessionBinding } from '../../src/mcp/session-binding.js';

const who = (claims: Record<string, unknown>, clientId = ''): AuthInfo => ({ token: 't', clientId, scopes: [], extra: { iss: 'https://as', ...claims } });

describe('session binding', () => {
  it('binds to the current request identity and refuses other subjects', () => {
    const binding = new SessionBinding();
    runWithAuthInfo(who({ sub: 'alice' }), () => binding.onSessionInitialized('s1'));
    expect(binding.check('s1', who({ sub: 'alice' }))).toBe('ok');
    expect(binding.check('s1', who({ sub: 'bob' }))).toBe('mismatch');
    expect(binding.check('s1', who({ sub: 'alice', iss: 'https://other-as' }))).toBe('mismatch');
    expect(binding.check('s2', who({ sub: 'alice' }))).toBe('unknown');
    binding.onSessionClosed('s1');
    expect(binding.check('s1', who({ sub: 'alice' }))).toBe('unknown');
  });

  it('falls back to client_id for client-credentials tokens and refuses tokens with neither', () => {
    const binding = new SessionBinding();
    binding.bind('s', who({}, 'svc'));
    expect(binding.check('s', who({}, 'svc'))).toBe('ok');
    expect(binding.check('s', who({}, 'other'))).toBe('mismatch');
    expect(() => binding.bind('t', who({}))).toThrow(GopherAuthException);
    expect(() => binding.bind('u')).toThrow(/AuthInfo/);
  });

  it('never rebinds a session to another subject', () => {
    const binding = new SessionBinding();
    binding.bind('s', who({ sub: 'a' }));
    expect(() => binding.bind('s', who({ sub: 'b' }))).toThrow(/another subject/);
  });

  it('web check answers 404 like an unknown session, and unbound sessions are refused by default', () => {
    const binding = new SessionBinding();
    binding.bind('s', who({ sub: 'a' }));
    const req = (id: string) => new Request('http://x/mcp', { headers: { 'mcp-session-id': id } });
    expect(binding.checkRequest(req('s'), who({ sub: 'a' }))).toBeNull();
    expect(binding.checkRequest(req('s'), who({ sub: 'b' }))?.status).toBe(404);
    expect(binding.checkRequest(req('never-bound'), who({ sub: 'a' }))?.status).toBe(404);
    expect(new SessionBinding({ requireBinding: false }).checkRequest(req('never-bound'), who({ sub: 'a' }))).toBeNull();
    expect(binding.checkRequest(new Request('http://x/mcp'), who({ sub: 'b' }))).toBeNull();
  });

  it('drops the oldest bindings beyond maxSessions', () => {
    const binding = new SessionBinding({ maxSessions: 2 });
    for (const id of ['a', 'b', 'c']) binding.bind(id, who({ sub: 'x' }));
    expect(binding.size).toBe(2);
    expect(binding.check('a', who({ sub: 'x' }))).toBe('unknown');
    expect(binding.check('c', who({ sub: 'x' }))).toBe('ok');
  });

  it("one subject opening sessions in a loop never pushes out another subject's session", () => {
    const binding = new SessionBinding({ maxSessions: 1_000 });
    binding.bind('victim', who({ sub: 'alice' }));
    for (let i = 0; i < 5_000; i++) binding.bind(`flood-${i}`, who({ sub: 'mallory' }));
    expect(binding.check('victim', who({ sub: 'alice' }))).toBe('ok');
    // The flooder keeps its newest 100 (maxSessionsPerSubject's default).
    expect(binding.size).toBe(101);
    expect(binding.check('flood-4999', who({ sub: 'mallory' }))).toBe('ok');
    expect(binding.check('flood-4899', who({ sub: 'mallory' }))).toBe('unknown');
  });

  it('when the table is full, the subject holding the most sessions gives one up', () => {
    const binding = new SessionBinding({ maxSessions: 10, maxSessionsPerSubject: 8 });
    binding.bind('a1', who({ sub: 'alice' }));
    binding.bind('b1', who({ sub: 'bob' }));
    for (let i = 0; i < 8; i++) binding.bind(`m${i}`, who({ sub: 'mallory' }));
    binding.bind('c1', who({ sub: 'carol' }));
    expect(binding.size).toBe(10);
    for (const [id, sub] of [['a1', 'alice'], ['b1', 'bob'], ['c1', 'carol'], ['m7', 'mallory']] as const) expect(binding.check(id, who({ sub }))).toBe('ok');
    expect(binding.check('m0', who({ sub: 'mallory' }))).toBe('unknown');
    // Released sessions free their subject's share.
    binding.release('a1');
    expect(binding.size).toBe(9);
    expect(binding.subjectOf(who({ sub: 'alice' }))).toBe('https://as\u0000sub\u0000alice');
  });
});

describe('session binding behind a gate with asyncContext: false', () => {
  it('middleware() gives the rest of the request req.auth as its context, so onSessionInitialized binds', () => {
    const binding = new SessionBinding();
    const run = (sessionId: string | undefined, auth: AuthInfo, handler: () => void): number => {
      let status = 0;
      const req = { headers: sessionId === undefined ? {} : { 'mcp-session-id': sessionId }, rawHeaders: [], auth } as unknown as Parameters<ReturnType<SessionBinding['middleware']>>[0];
      const res = { headersSent: false, statusCode: 0, setHeader: () => res, end: () => res };
      binding.middleware()(req, res as unknown as Parameters<ReturnType<SessionBinding['middleware']>>[1], () => {
        handler();
        status = 200;
      });
      return status || res.statusCode;
    };
    // The SDK transport calls onsessioninitialized while handling initialize, below the middleware.
    expect(run(undefined, who({ sub: 'alice' }), () => binding.onSessionInitialized('s1'))).toBe(200);
    expect(run('s1', who({ sub: 'alice' }), () => {})).toBe(200);
    expect(run('s1', who({ sub: 'bob' }), () => {})).toBe(404);
  });
});
