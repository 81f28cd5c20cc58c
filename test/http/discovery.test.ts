import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gopherAuth } from '../../src/http/gopher-auth.js';
import { discoverJwksUri } from '../../src/http/discovery.js';
import { silentLogger } from '../../src/core/logger.js';
import { GopherAuthError } from '../../src/core/errors.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';

let server: JwksServer;
let issuerUrl: string;
const RESOURCE = 'http://127.0.0.1:9/mcp';

beforeAll(async () => {
  server = await startJwksServer({ jwks: new TestIssuer().jwks(['rsa2048']) });
  issuerUrl = `${server.origin}/realms/demo`;
  server.route('/.well-known/oauth-authorization-server/realms/demo', { issuer: issuerUrl, jwks_uri: server.url, authorization_endpoint: `${issuerUrl}/auth` });
  server.route('/realms/oidc-only/.well-known/openid-configuration', { issuer: `${server.origin}/realms/oidc-only`, jwks_uri: server.url });
  server.route('/.well-known/oauth-authorization-server/realms/liar', { issuer: 'https://evil.example', jwks_uri: server.url });
  server.route('/.well-known/oauth-authorization-server/realms/slash', { issuer: `${server.origin}/realms/slash/`, jwks_uri: server.url });
  server.route('/.well-known/oauth-authorization-server/realms/insecure', { issuer: `${server.origin}/realms/insecure`, jwks_uri: 'http://keys.example/jwks' });
  // RFC 8414 metadata without the (optional there) jwks_uri, OpenID Connect metadata with it.
  server.route('/.well-known/oauth-authorization-server/realms/split', { issuer: `${server.origin}/realms/split`, authorization_endpoint: `${server.origin}/realms/split/auth` });
  server.route('/realms/split/.well-known/openid-configuration', { issuer: `${server.origin}/realms/split`, jwks_uri: server.url });
  server.route('/.well-known/oauth-authorization-server/realms/creds', { issuer: `${server.origin}/realms/creds`, jwks_uri: `http://user:s3cret@127.0.0.1:${new URL(server.url).port}/jwks` });
  server.route('/.well-known/oauth-authorization-server/realms/escapes', { issuer: `${server.origin}/realms/escapes`, jwks_uri: 'http://keys.example/\u001b[2J\r\nforged: yes' });
});
afterAll(async () => {
  await server.close();
});

const opts = (issuer: string) => ({ issuer, clientOptions: {}, logger: silentLogger, allowInsecureHttp: false });

describe('JWKS discovery from the issuer metadata', () => {
  it('finds jwks_uri by RFC 8414 path insertion, or OpenID discovery', async () => {
    expect(await discoverJwksUri(opts(issuerUrl))).toBe(server.url);
    expect(await discoverJwksUri(opts(`${server.origin}/realms/oidc-only`))).toBe(server.url);
    // jwks_uri is optional in RFC 8414 (§2): without it, OpenID discovery is tried next.
    expect(await discoverJwksUri(opts(`${server.origin}/realms/split`))).toBe(server.url);
  });

  it('a jwks_uri the client refuses fails like any discovery: logged once, escaped, and not tried again before Retry-After', async () => {
    const metadataFetches = () => server.requests.filter((r) => r.path.includes('/realms/creds')).length;
    const logged: unknown[][] = [];
    const logger = { debug: () => {}, info: (...args: unknown[]) => logged.push(['info', ...args]), warn: () => {}, error: (...args: unknown[]) => logged.push(['error', ...args]) };
    const auth = gopherAuth({ resource: RESOURCE, issuer: `${server.origin}/realms/creds`, backend: 'js', retryAfterSeconds: 60, logger });
    try {
      const request = { method: 'POST', url: '/mcp', authorization: [`Bearer ${new TestIssuer().sign()}`], body: async () => undefined };
      for (let i = 0; i < 4; i++) {
        const outcome = await auth.authenticate(request);
        expect('error' in outcome && outcome.error.kind).toBe('unavailable');
      }
      expect(metadataFetches()).toBe(1); // one metadata document, not one per request
      const discovery = logged.filter((entry) => /discover/.test(String(entry[2])));
      expect(discovery.map((entry) => [entry[0], entry[2]])).toEqual([['error', 'gopher-auth: issuer metadata discovery failed']]);
      expect(JSON.stringify(discovery[0]?.[1])).not.toContain('s3cret'); // the client refuses it without quoting it
    } finally {
      auth.close();
    }
  });

  it('refuses a backend that cannot be used when gopherAuth() is made, as it does with jwksUri (not a 503 per request)', () => {
    const saved = process.env.GOPHER_AUTH_BACKEND;
    process.env.GOPHER_AUTH_BACKEND = 'bogus';
    try {
      expect(() => gopherAuth({ resource: RESOURCE, issuer: issuerUrl })).toThrow(/GOPHER_AUTH_BACKEND/);
      expect(() => gopherAuth({ resource: RESOURCE, issuer: issuerUrl, jwksUri: server.url })).toThrow(/GOPHER_AUTH_BACKEND/);
    } finally {
      if (saved === undefined) delete process.env.GOPHER_AUTH_BACKEND;
      else process.env.GOPHER_AUTH_BACKEND = saved;
    }
    // 'native' where native loading is off: INVALID_CONFIG at once (a fresh process: the library loads once per process).
    const script = `import { gopherAuth } from ${JSON.stringify(new URL('../../src/index.ts', import.meta.url).pathname)};
      try { gopherAuth({ resource: 'http://127.0.0.1:9/mcp', issuer: 'http://127.0.0.1:9/realms/x', backend: 'native' }); console.log('made'); }
      catch (error) { console.log(error.code, error.message); }`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, GOPHER_AUTH_NATIVE_LOAD_MODE: 'off' }, timeout: 60_000 });
    expect(child.stdout).toMatch(/^-1009 backend 'native' is unavailable: native loading disabled/);
  });

  it('checks clientOptions when gopherAuth() is made, though the client is made after discovery', () => {
    expect(() => gopherAuth({ resource: RESOURCE, issuer: issuerUrl, clientOptions: { tokenCach: true } as never })).toThrow(/unknown GopherAuthClient option "tokenCach"/);
    expect(() => gopherAuth({ resource: RESOURCE, issuer: issuerUrl, clientOptions: { cacheDuration: -1 } })).toThrow(/cacheDuration/);
    expect(() => gopherAuth({ resource: RESOURCE, issuer: issuerUrl, clientOptions: { tokenCache: { maxEntries: -1 } } })).toThrow(/maxEntries/);
    expect(() => gopherAuth({ resource: RESOURCE, issuer: issuerUrl, clientOptions: { jwks: { maxStale: -1 } } })).toThrow(/maxStale/);
    expect(() => gopherAuth({ resource: RESOURCE, issuer: issuerUrl, clientOptions: { autoRefresh: 'no' as never } })).toThrow(/autoRefresh/);
    expect(() => gopherAuth({ resource: RESOURCE, issuer: issuerUrl, logger: { info: () => {} } as never })).toThrow(/logger .*missing: debug, warn, error/);
    gopherAuth({ resource: RESOURCE, issuer: issuerUrl, clientOptions: { tokenCache: false, jwks: { maxStale: 10 } } }).close();
  });

  it('refuses metadata naming another issuer (RFC 8414 §3.3) and non-https key URLs', async () => {
    await expect(discoverJwksUri(opts(`${server.origin}/realms/liar`))).rejects.toThrow(/evil\.example/);
    await expect(discoverJwksUri(opts(`${server.origin}/realms/insecure`))).rejects.toThrow(/not https/);
    await expect(discoverJwksUri(opts(`${server.origin}/realms/none`))).rejects.toThrow(/404/);
    // Only a trailing slash apart: refused as RFC 8414 says, with the value to configure.
    await expect(discoverJwksUri(opts(`${server.origin}/realms/slash`))).rejects.toThrow(
      `names issuer "${server.origin}/realms/slash/", not "${server.origin}/realms/slash"; set issuer to "${server.origin}/realms/slash/" exactly, trailing slash and all`,
    );
  });

  it("uses the client's jwks.fetch for the metadata too (a private CA or a proxy set there)", async () => {
    const fetched: string[] = [];
    const viaOurs: typeof fetch = (input, init) => {
      fetched.push(String(input));
      return fetch(input, init);
    };
    const issuer = new TestIssuer(issuerUrl);
    const auth = gopherAuth({ resource: RESOURCE, issuer: issuerUrl, backend: 'js', clientOptions: { jwks: { fetch: viaOurs } } });
    try {
      const token = issuer.sign({ claims: { aud: RESOURCE, scope: 'mcp:read' } });
      const ok = await auth.authenticate({ method: 'POST', url: '/mcp', authorization: [`Bearer ${token}`], body: async () => undefined });
      expect('authInfo' in ok).toBe(true);
      expect(fetched).toEqual([`${server.origin}/.well-known/oauth-authorization-server/realms/demo`, server.url]);
    } finally {
      auth.close();
    }
  });

  it('gate.ready() discovers and loads the keys at start-up, or rejects with the reason', async () => {
    const auth = gopherAuth({ resource: RESOURCE, issuer: issuerUrl, backend: 'js' });
    const liar = gopherAuth({ resource: RESOURCE, issuer: `${server.origin}/realms/liar`, backend: 'js' });
    const fixed = gopherAuth({ resource: RESOURCE, issuer: issuerUrl, jwksUri: `${server.origin}/no-such-jwks`, backend: 'js' });
    try {
      expect(auth.gopherAuthClient).toBeUndefined();
      await auth.ready();
      expect(auth.gopherAuthClient?.jwksStatus().keys).toBe(1);
      await expect(liar.ready()).rejects.toMatchObject({ code: GopherAuthError.JWKS_FETCH_FAILED, message: expect.stringMatching(/^Failed to fetch JWKS: .*names issuer "https:\/\/evil\.example"/) });
      await expect(fixed.ready()).rejects.toMatchObject({ code: GopherAuthError.JWKS_FETCH_FAILED, message: expect.stringMatching(/404/) });
    } finally {
      auth.close();
      liar.close();
      fixed.close();
    }
  });

  it('the gate validates tokens with discovered keys, and answers 503 when discovery fails', async () => {
    const issuer = new TestIssuer(issuerUrl);
    const auth = gopherAuth({ resource: RESOURCE, issuer: issuerUrl, backend: 'js' });
    const broken = gopherAuth({ resource: RESOURCE, issuer: `${server.origin}/realms/liar`, backend: 'js' });
    try {
      const token = issuer.sign({ claims: { aud: RESOURCE, scope: 'mcp:read' } });
      const ok = await auth.authenticate({ method: 'POST', url: '/mcp', authorization: [`Bearer ${token}`], body: async () => undefined });
      expect('authInfo' in ok && ok.authInfo.scopes).toEqual(['mcp:read']);
      const down = await broken.authenticate({ method: 'POST', url: '/mcp', authorization: [`Bearer ${token}`], body: async () => undefined });
      expect('error' in down && down.error.kind).toBe('unavailable');
      expect('error' in down && down.error.reason).toMatch(/evil\.example/);
    } finally {
      auth.close();
      broken.close();
    }
  });

  it("a failed discovery's result and ready() rejection are safe to log, as every validation message is", async () => {
    const auth = gopherAuth({ resource: RESOURCE, issuer: `${server.origin}/realms/escapes`, backend: 'js' });
    try {
      const result = await auth.client.validateToken(new TestIssuer().sign());
      expect(result).toMatchObject({ valid: false, errorCode: GopherAuthError.JWKS_FETCH_FAILED });
      // Control characters make it no URI at all (URL() would have dropped the CR/LF silently): refused, quoted escaped.
      expect(result.errorMessage).toContain('has an invalid jwks_uri: http://keys.example/\\u001b[2J\\u000d\\u000aforged: yes');
      expect(result.errorMessage).not.toMatch(/[\u0000-\u001f]/);
      const rejection = await (auth.client.ready?.() ?? Promise.resolve()).then(() => null, (error: Error) => error.message);
      expect(rejection).toContain('has an invalid jwks_uri');
      expect(rejection).not.toMatch(/[\u0000-\u001f]/);
    } finally {
      auth.close();
    }
  });

  it('tries a failed discovery again once the advertised Retry-After has passed', async () => {
    const lateIssuer = `${server.origin}/realms/late`;
    const issuer = new TestIssuer(lateIssuer);
    const auth = gopherAuth({ resource: RESOURCE, issuer: lateIssuer, backend: 'js', retryAfterSeconds: 1 });
    try {
      const token = issuer.sign({ claims: { aud: RESOURCE, scope: 'mcp:read' } });
      const request = { method: 'POST', url: '/mcp', authorization: [`Bearer ${token}`], body: async () => undefined };
      const down = await auth.authenticate(request);
      expect('error' in down && down.error.kind).toBe('unavailable');
      server.route('/.well-known/oauth-authorization-server/realms/late', { issuer: lateIssuer, jwks_uri: server.url });
      // Within the advertised second the failure stands (no discovery per request)…
      const still = await auth.authenticate(request);
      expect('error' in still && still.error.kind).toBe('unavailable');
      // …and a client that waits as told is served.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(auth.gopherAuthClient).toBeUndefined();
      const ok = await auth.authenticate(request);
      expect('authInfo' in ok && ok.authInfo.scopes).toEqual(['mcp:read']);
      // Once discovered, the client doing the work is reachable, typed.
      expect(auth.gopherAuthClient?.jwksStatus().keys).toBe(1);
      expect(auth.gopherAuthClient?.stats().tokenCache?.misses).toBe(1);
    } finally {
      auth.close();
    }
  });
});

describe('closing a gate that discovers its keys', () => {
  it('stops a discovery in progress and never starts another one', async () => {
    let metadataRequests = 0;
    const slowIssuer = `${server.origin}/realms/slow`;
    server.route('/.well-known/oauth-authorization-server/realms/slow', (_req, res) => {
      metadataRequests++;
      const timer = setTimeout(() => res.end(JSON.stringify({ issuer: slowIssuer, jwks_uri: server.url })), 4_000);
      res.on('close', () => clearTimeout(timer));
    });
    const auth = gopherAuth({ resource: RESOURCE, issuer: slowIssuer, backend: 'js' });
    const token = new TestIssuer(slowIssuer).sign({ claims: { aud: RESOURCE } });
    const request = () => auth.authenticate({ method: 'GET', url: '/mcp', authorization: [`Bearer ${token}`], body: async () => undefined });
    const started = Date.now();
    const inFlight = request();
    await new Promise((r) => setTimeout(r, 200));
    expect(metadataRequests).toBe(1);
    auth.close();
    const answer = await inFlight;
    expect(Date.now() - started).toBeLessThan(2_000);
    expect('error' in answer && answer.error.kind).toBe('unavailable');
    const after = await request();
    expect('error' in after && after.error.kind).toBe('unavailable');
    expect('error' in after && after.error.reason).toMatch(/gate is closed/);
    await new Promise((r) => setTimeout(r, 300));
    expect(metadataRequests).toBe(1);
  });
});

describe('metadata bodies are bounded and stoppable', () => {
  it('an endless metadata body is cut at the size cap, not read into memory', async () => {
    let sent = 0;
    const endless = `${server.origin}/realms/endless`;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const stream = (_req: unknown, res: import('node:http').ServerResponse) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"issuer":');
      let open = true;
      res.on('close', () => (open = false));
      const pump = (): void => {
        while (open && res.write(chunk)) sent += chunk.length;
        if (open) res.once('drain', pump);
      };
      pump();
    };
    server.route('/.well-known/oauth-authorization-server/realms/endless', stream);
    server.route('/realms/endless/.well-known/openid-configuration', stream);
    const started = Date.now();
    await expect(discoverJwksUri(opts(endless))).rejects.toThrow(/larger than 262144 bytes/);
    expect(Date.now() - started).toBeLessThan(3_000);
    await new Promise((r) => setTimeout(r, 300));
    const settled = sent;
    await new Promise((r) => setTimeout(r, 300));
    // Both documents were abandoned: nothing more is being sent.
    expect(sent).toBe(settled);
    expect(sent).toBeLessThan(16 * 1024 * 1024);
  });

  it('close() stops a metadata body that is still arriving', async () => {
    let open = 0;
    const trickle = `${server.origin}/realms/trickle`;
    server.route('/.well-known/oauth-authorization-server/realms/trickle', (_req, res) => {
      open++;
      res.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => res.write(' '), 20);
      res.on('close', () => {
        clearInterval(timer);
        open--;
      });
    });
    const auth = gopherAuth({ resource: RESOURCE, issuer: trickle, backend: 'js' });
    const token = new TestIssuer(trickle).sign({ claims: { aud: RESOURCE } });
    const answer = auth.authenticate({ method: 'GET', url: '/mcp', authorization: [`Bearer ${token}`], body: async () => undefined });
    await new Promise((r) => setTimeout(r, 300));
    expect(open).toBe(1);
    const closedAt = Date.now();
    auth.close();
    const result = await answer;
    expect(Date.now() - closedAt).toBeLessThan(1_000);
    expect('error' in result && result.error.kind).toBe('unavailable');
    await new Promise((r) => setTimeout(r, 200));
    expect(open).toBe(0);
  });
});

