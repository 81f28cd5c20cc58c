import { afterEach, describe, expect, it } from 'vitest';
import { GopherAuthClient } from '../../src/core/client.js';
import { GopherAuthError, GopherAuthException } from '../../src/core/errors.js';
import { MAX_LOGGED_TEXT } from '../../src/core/log-safe.js';
import { JwksManager } from '../../src/core/jwks/manager.js';
import type { JwksManagerOptions } from '../../src/core/jwks/types.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';
import { expectFetchFailure, makeJwk, makeJwks, sleep } from './helpers.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(jwks: unknown = makeJwks('a', 'b')): Promise<JwksServer> {
  const server = await startJwksServer({ jwks });
  cleanups.push(() => server.close());
  return server;
}

function manager(uri: string, options: JwksManagerOptions = {}): JwksManager {
  const m = new JwksManager(uri, { autoRefresh: false, ...options });
  cleanups.push(() => m.destroy());
  return m;
}

describe('initial fetch', () => {
  it('does no I/O on construction and loads lazily on ready()', async () => {
    const jwks = makeJwks('a', 'b');
    const server = await serve(jwks);
    const m = manager(server.url);
    await sleep(20);
    expect(server.fetchCount).toBe(0);
    expect(m.current()).toBeNull();
    expect(m.status()).toMatchObject({ keys: 0, version: 0, fetchCount: 0, ageMs: null, stale: false });

    const snapshot = await m.ready();
    expect(server.fetchCount).toBe(1);
    expect(snapshot.version).toBe(1);
    expect(snapshot.keys.map((k) => k.kid)).toEqual(['a', 'b']);
    expect(snapshot.json).toBe(JSON.stringify({ keys: snapshot.keys }));
    expect(snapshot.keys).toEqual(jwks.keys);
    expect(m.current()).toBe(snapshot);
    expect(m.status()).toMatchObject({ uri: server.url, keys: 2, kids: ['a', 'b'], version: 1, fetchCount: 1, lastError: null, stale: false });
    expect(m.status().ageMs).toBeGreaterThanOrEqual(0);

    // Fresh keys are served from memory.
    expect(await m.ready()).toBe(snapshot);
    expect(server.fetchCount).toBe(1);
    expect(server.requests[0]?.headers.accept).toMatch(/json/);
  });

  it('rejects bad configuration at construction', () => {
    expect(() => new JwksManager('ftp://127.0.0.1/jwks.json')).toThrow(GopherAuthException);
    expect(() => new JwksManager('not a url')).toThrow(/http:\/\/ or https:\/\//);
    expect(() => new JwksManager('http://127.0.0.1/j', { requestTimeout: -1 })).toThrow(/requestTimeout/);
    expect(() => new JwksManager('http://127.0.0.1/j', { minCacheDuration: 10, maxCacheDuration: 5 })).toThrow(/maxCacheDuration/);
    try {
      new JwksManager('http://127.0.0.1/j', { cacheDuration: Number.NaN });
    } catch (error) {
      expect((error as GopherAuthException).code).toBe(GopherAuthError.INVALID_CONFIG);
    }
  });

  it('shares one fetch between concurrent ready() and handleUnknownKid(); refresh() calls during it share one sent after them', async () => {
    const server = await serve();
    server.setFault({ kind: 'delay', ms: 100 });
    const m = manager(server.url);
    const readies = Array.from({ length: 50 }, () => m.ready());
    const unknown = m.handleUnknownKid('zzz');
    const refreshes = Array.from({ length: 5 }, () => m.refresh());
    const snapshots = await Promise.all(readies);
    expect(new Set(snapshots).size).toBe(1);
    expect(snapshots[0]?.version).toBe(1);
    expect(await unknown).toBe(snapshots[0]);
    const refreshed = await Promise.all(refreshes);
    expect(new Set(refreshed).size).toBe(1);
    expect(server.fetchCount).toBe(2);
    expect(m.status().fetchCount).toBe(2);
  });

  it('refresh() never answers with a fetch sent before it was called (a key removed meanwhile stays removed)', async () => {
    const server = await serve(makeJwks('a', 'b'));
    const m = manager(server.url);
    await m.ready();
    server.setFault({ kind: 'delay', ms: 150 });
    const earlier = m.refresh();
    await new Promise((resolve) => setTimeout(resolve, 50));
    server.setJwks(makeJwks('a')); // the issuer drops "b" while that fetch is under way
    const fresh = await m.refresh();
    expect(fresh.keys.map((k) => k.kid)).toEqual(['a']);
    expect((await earlier).keys.map((k) => k.kid)).toEqual(['a', 'b']);
  });

  it('refresh() always fetches and publishes a new version only when the document changed', async () => {
    const server = await serve(makeJwks('a'));
    const m = manager(server.url);
    const seen: number[] = [];
    m.subscribe((s) => seen.push(s.version));
    const first = await m.ready();
    expect(await m.refresh()).toBe(first);
    expect(server.fetchCount).toBe(2);
    server.setJwks(makeJwks('a', 'c'));
    const second = await m.refresh();
    expect(second.version).toBe(2);
    expect(second.keys.map((k) => k.kid)).toEqual(['a', 'c']);
    expect(seen).toEqual([1, 2]);
    expect(m.status().version).toBe(2);
  });
});

describe('slow endpoint', () => {
  it('rejects within the timeout while the event loop keeps ticking', async () => {
    const server = await serve();
    server.setFault({ kind: 'delay', ms: 5000 });
    const m = manager(server.url, { requestTimeout: 0.5 });
    let last = performance.now();
    let maxGap = 0;
    let ticks = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      ticks++;
    }, 5);
    const started = performance.now();
    try {
      await expectFetchFailure(m.ready(), /timed out after 500 ms/);
    } finally {
      clearInterval(ticker);
    }
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(2000);
    expect(ticks).toBeGreaterThan(20);
    // A fetch that blocked the loop would show one gap as long as the timeout (500 ms).
    expect(maxGap).toBeLessThan(200);
    expect(m.status().lastError).toMatch(/timed out/);
  });

  it('times out a server that never answers', async () => {
    const server = await serve();
    server.setFault({ kind: 'hang' });
    const m = manager(server.url, { requestTimeout: 0.2 });
    const started = performance.now();
    await expectFetchFailure(m.ready(), /timed out/);
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('reports a refused connection as a fetch failure', async () => {
    const server = await serve();
    const url = server.url;
    await server.close();
    const m = manager(url);
    await expectFetchFailure(m.ready(), /ECONNREFUSED/);
  });
});

describe('response size cap', () => {
  it('stops reading a streamed body past maxResponseBytes and keeps the old keys', async () => {
    const server = await serve();
    const m = manager(server.url, { maxResponseBytes: 64 * 1024 });
    const before = await m.ready();
    const total = 50 * 1024 * 1024;
    server.setFault({ kind: 'huge', bytes: total });
    const started = performance.now();
    await expectFetchFailure(m.refresh(), /larger than 65536 bytes/);
    expect(performance.now() - started).toBeLessThan(3000);
    await sleep(50);
    // Backpressure: the server could not push anywhere near the whole body.
    expect(server.hugeBytesSent).toBeLessThan(total / 2);
    expect(m.current()).toBe(before);
  });

  it('refuses a declared Content-Length over the cap without reading it', async () => {
    const server = await serve();
    server.setFault({ kind: 'huge', bytes: 2 * 1024 * 1024, declareLength: true });
    const m = manager(server.url, { maxResponseBytes: 1024 });
    await expectFetchFailure(m.ready(), /larger than 1024 bytes \(Content-Length 2097152\)/);
  });

  it('accepts a document right at the cap', async () => {
    const jwks = makeJwks('a');
    const server = await serve(jwks);
    const m = manager(server.url, { maxResponseBytes: Buffer.byteLength(JSON.stringify(jwks)) });
    expect((await m.ready()).keys).toHaveLength(1);
  });
});

describe('document validation keeps the old keys', () => {
  const cases: Array<[string, (server: JwksServer) => void, RegExp]> = [
    ['garbage body', (s) => s.setFault({ kind: 'garbage' }), /not JSON/],
    ['empty body', (s) => s.setJwks(''), /not JSON/],
    ['JSON array', (s) => s.setJwks('[]'), /expected a JSON object/],
    ['JSON null', (s) => s.setJwks('null'), /expected a JSON object/],
    ['keys not an array', (s) => s.setJwks({ keys: 'nope' }), /"keys" is not an array/],
    ['no keys member', (s) => s.setJwks({ jwks: [] }), /"keys" is not an array/],
    ['empty keys', (s) => s.setJwks({ keys: [] }), /no usable keys/],
    ['only non-object keys', (s) => s.setJwks({ keys: [1, null, 'x', [], { kid: 'no-kty' }] }), /no usable keys/],
    ['HTML content type', (s) => s.setFault({ kind: 'content-type', contentType: 'text/html; charset=utf-8' }), /unexpected content type "text\/html/],
    ['HTTP 500', (s) => s.setFault({ kind: 'status', status: 500 }), /HTTP 500/],
    ['HTTP 404', (s) => s.setFault({ kind: 'status', status: 404 }), /HTTP 404/],
    ['invalid UTF-8', (s) => s.setJwks(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])), /not valid UTF-8/],
    // JSON.parse's message quotes the body's first characters: escaped, never a forged log line.
    ['terminal escapes and CR/LF in the body', (s) => s.setJwks('\u001b[2J\r\nforged: yes'), /not JSON.*\\u001b\[2J\\u000d\\u000aforged/],
    // The endpoint chooses the content type's length (8 KB here): the reason is cut, as every message is.
    ['an 8 KB content type', (s) => s.setFault({ kind: 'content-type', contentType: `text/html; x=${'A'.repeat(8000)}` }), /^unexpected content type "text\/html; x=A+\.\.\. \(8039 characters\)$/],
  ];

  it.each(cases)('%s', async (_name, breakIt, reason) => {
    const good = makeJwks('a');
    const server = await serve(good);
    const m = manager(server.url);
    const before = await m.ready();
    breakIt(server);
    const failure = await expectFetchFailure(m.refresh(), reason);
    expect(m.current()).toBe(before);
    expect(m.status()).toMatchObject({ version: 1, keys: 1, fetchCount: 2 });
    expect(m.status().lastError).toMatch(reason);
    for (const text of [failure.message, m.status().lastError]) {
      expect(text).not.toMatch(/[^\x20-\x7e]/);
      expect(text!.length).toBeLessThanOrEqual(MAX_LOGGED_TEXT);
    }
    // Recovery: the next good document is accepted.
    server.setFault(null);
    server.setJwks(makeJwks('b'));
    expect((await m.refresh()).keys.map((k) => k.kid)).toEqual(['b']);
    expect(m.status().lastError).toBeNull();
  });

  it('drops entries that are not usable keys and re-serialises the document', async () => {
    const key = makeJwk('good');
    const server = await serve({ keys: [1, key, null, 'x', { kty: 'EC', kid: 7 }] });
    const m = manager(server.url);
    const snapshot = await m.ready();
    expect(snapshot.keys).toEqual([key]);
    expect(JSON.parse(snapshot.json)).toEqual({ keys: [key] });
  });

  // Nothing reads the rest, and the key set is cloned to the verify workers and serialised for the
  // token cache's fingerprints: both recurse, and a member nested 5,000 deep ended the process.
  it('keeps the members the package reads; unread members and document extras go, however deep', async () => {
    const jwk = makeJwk('k1');
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const text = `{ "keys": [ ${JSON.stringify(jwk).slice(0, -1)}, "x5c": ["MIIB"], "ext": ${deep}, "d": "private" } ], "extra": true }`;
    const server = await serve(text);
    const m = manager(server.url);
    const snapshot = await m.ready();
    expect(snapshot.keys).toEqual([jwk]);
    expect(JSON.parse(snapshot.json)).toEqual({ keys: [jwk] });
  });

  it('drops a key whose read member nests deeper than a key rule could describe', async () => {
    const ok = makeJwk('ok');
    const text = JSON.stringify({ keys: [ok, { ...makeJwk('deep'), use: [[[[['sig']]]]] }, { ...makeJwk('shallow'), key_ops: ['verify'], use: { toString: 1 } }] });
    const server = await serve(text);
    const m = manager(server.url);
    expect((await m.ready()).keys.map((k) => k.kid)).toEqual(['ok', 'shallow']);
  });

  it('accepts application/jwk-set+json and text/plain', async () => {
    const server = await serve();
    const m = manager(server.url);
    server.setFault({ kind: 'content-type', contentType: 'application/jwk-set+json' });
    expect((await m.refresh()).keys).toHaveLength(2);
    server.setFault({ kind: 'content-type', contentType: 'text/plain' });
    expect((await m.refresh()).keys).toHaveLength(2);
  });
});

describe('redirects', () => {
  it('follows a same-origin redirect', async () => {
    const server = await serve(makeJwks('moved'));
    server.setFault({ kind: 'redirect', to: 'same-origin', status: 301 });
    const m = manager(server.url);
    const snapshot = await m.ready();
    expect(snapshot.keys.map((k) => k.kid)).toEqual(['moved']);
    expect(server.requests.map((r) => r.path)).toEqual(['/jwks.json', '/moved/jwks.json']);
    expect(m.status().fetchCount).toBe(1);
  });

  it('refuses a redirect to another origin without contacting it', async () => {
    const target = await serve(makeJwks('evil'));
    const server = await serve(makeJwks('good'));
    const m = manager(server.url);
    const before = await m.ready();
    server.setFault({ kind: 'redirect', to: target.url });
    await expectFetchFailure(m.refresh(), /redirect to another origin refused \(http:\/\/127\.0\.0\.1:\d+\)/);
    expect(target.fetchCount).toBe(0);
    expect(m.current()).toBe(before);
  });

  it('refuses a scheme change even to the same host and port', async () => {
    const server = await serve();
    server.setFault({ kind: 'redirect', to: server.url.replace('http:', 'https:') });
    const m = manager(server.url);
    await expectFetchFailure(m.ready(), /another origin/);
  });

  it('bounds a redirect loop', async () => {
    const server = await serve();
    server.setFault({ kind: 'redirect', to: 'loop', status: 307 });
    const m = manager(server.url);
    await expectFetchFailure(m.ready(), /too many redirects/);
    expect(server.fetchCount).toBe(6);
  });

  it('reports a redirect without Location', async () => {
    const server = await serve();
    server.route('/nowhere', (_req, res) => {
      res.writeHead(302);
      res.end();
    });
    const m = manager(`${server.origin}/nowhere`);
    await expectFetchFailure(m.ready(), /without a Location/);
  });
});

describe('timeout edge cases', () => {
  it('treats a timeout longer than a timer can hold as long, not as immediate', async () => {
    const server = await serve();
    server.setFault({ kind: 'delay', ms: 100 });
    const m = manager(server.url, { requestTimeout: 1e8 });
    expect((await m.ready()).keys).toHaveLength(2);
  });

  it('requestTimeout 0 means no timeout', async () => {
    const server = await serve();
    server.setFault({ kind: 'delay', ms: 150 });
    const m = manager(server.url, { requestTimeout: 0 });
    expect((await m.ready()).keys).toHaveLength(2);
  });
});

describe('a long failure reason in a validation result', () => {
  it('is cut so that "Failed to fetch JWKS: <reason>" stays within the 512 characters every message is cut at', async () => {
    const server = await serve();
    server.setFault({ kind: 'content-type', contentType: `text/html; x=${'A'.repeat(8000)}` });
    const client = new GopherAuthClient(server.url, 'https://issuer.test/fetch', { backend: 'js', autoRefresh: false });
    cleanups.push(() => client.destroy());
    const token = new TestIssuer('https://issuer.test/fetch').sign({ kid: 'rsa2048' });
    const result = await client.validateToken(token);
    expect(result.errorCode).toBe(GopherAuthError.JWKS_FETCH_FAILED);
    expect(result.errorMessage).toMatch(/^Failed to fetch JWKS: unexpected content type "text\/html; x=A+\.\.\. \(8039 characters\)$/);
    expect(result.errorMessage!.replace(/\.\.\. \(\d+ characters\)$/, '').length).toBe(MAX_LOGGED_TEXT);
    expect(client.validateTokenSync(token).errorMessage!.length).toBeLessThan(MAX_LOGGED_TEXT + 30);
    await expect(client.ready()).rejects.toThrow(/^unexpected content type "text\/html; x=A+\.\.\. \(8039 characters\)$/);
  });
});
