/**
 * `npm run load`: autocannon against the example MCP server (examples/auth-mcp-server) and against
 * our middleware with an identity-echo route, on loopback, with mixed tokens and an expected
 * outcome per request: 0 5xx, 0 wrong outcomes, 0 requests seeing another request's identity.
 *
 *   tsx scripts/load.ts [--duration 60] [--connections 200] [--backend auto|js|native] [--users 200]
 *
 * Exit code 1 when any count is not zero.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import express from 'express';
import { buildConfig } from '../examples/auth-mcp-server/config.js';
import { startAuthMcpServer } from '../examples/auth-mcp-server/server.js';
import type { BackendMode } from '../src/core/backend-selection.js';
import { gopherAuth } from '../src/http/gopher-auth.js';
import { getAuthInfo } from '../src/http/context.js';
import { TestIssuer } from '../test/support/issuer.js';
import { startJwksServer } from '../test/support/jwks-server.js';

const require = createRequire(import.meta.url);
// autocannon ships no types; only the members used here are described.
const autocannon = require('autocannon') as (opts: unknown) => Promise<AutocannonResult>;

interface AutocannonResult {
  requests: { total: number; average: number };
  latency: { p50: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  '1xx': number;
  '2xx': number;
  '3xx': number;
  '4xx': number;
  '5xx': number;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const DURATION = Number(arg('duration', '60'));
const CONNECTIONS = Number(arg('connections', '200'));
const BACKEND = arg('backend', 'auto') as BackendMode;
const USERS = Number(arg('users', '200'));
const ISSUER = 'https://issuer.test/realms/load';

type Kind = 'valid' | 'expired' | 'wrong-scope' | 'garbage' | 'other-session';

interface Case {
  kind: Kind;
  headers: Record<string, string>;
  body?: string;
  expectStatus: number;
  /** Checked on 200 answers: the body must contain exactly this user's marker and no other. */
  marker?: string;
}

interface Tally {
  sent: number;
  byKind: Record<Kind, number>;
  status5xx: number;
  wrongOutcomes: number;
  identityLeaks: number;
  samples: string[];
}

const newTally = (): Tally => ({
  sent: 0,
  byKind: { valid: 0, expired: 0, 'wrong-scope': 0, garbage: 0, 'other-session': 0 },
  status5xx: 0,
  wrongOutcomes: 0,
  identityLeaks: 0,
  samples: [],
});

/**
 * Drives autocannon with one request object whose setupRequest picks a case per request and whose
 * onResponse checks it; autocannon keeps one request in flight per connection, so the case travels
 * in the connection's context.
 */
async function hammer(label: string, url: string, path: string, pick: () => Case, markerPattern: RegExp): Promise<{ label: string; result: AutocannonResult; tally: Tally }> {
  const tally = newTally();
  const record = (message: string) => {
    if (tally.samples.length < 10) tally.samples.push(message);
  };
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION,
    requests: [
      {
        method: 'POST',
        path,
        setupRequest: (req: Record<string, unknown>, context: Record<string, unknown>) => {
          const c = pick();
          context.case = c;
          tally.sent++;
          tally.byKind[c.kind]++;
          return { ...req, method: 'POST', path, headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...c.headers }, body: c.body ?? '{}' };
        },
        onResponse: (status: number, body: string, context: Record<string, unknown>) => {
          const c = context.case as Case;
          if (status >= 500) {
            tally.status5xx++;
            record(`${c.kind}: ${status} ${body.slice(0, 200)}`);
          }
          if (status !== c.expectStatus) {
            tally.wrongOutcomes++;
            record(`${c.kind}: expected ${c.expectStatus}, got ${status} ${body.slice(0, 200)}`);
          } else if (status === 200 && c.marker !== undefined) {
            const seen = [...body.matchAll(markerPattern)].map((m) => m[0]);
            if (seen.length === 0 || seen.some((m) => m !== c.marker)) {
              tally.identityLeaks++;
              record(`${c.kind}: expected identity ${c.marker}, saw ${seen.join(',') || 'none'}`);
            }
          }
        },
      },
    ],
  });
  return { label, result, tally };
}

async function main(): Promise<void> {
  const issuer = new TestIssuer(ISSUER);
  const jwks = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });

  // --- Target 1: the example server (examples/auth-mcp-server) ---
  const example = await startAuthMcpServer(
    buildConfig({ host: '127.0.0.1', port: '0', issuer: ISSUER, jwks_uri: jwks.url, backend: BACKEND }),
    { warn: () => {} },
  );
  const audience = `${example.config.serverUrl}/mcp`;
  const now = issuer.now();
  const users = Array.from({ length: USERS }, (_, n) => ({
    id: `load-user-${String(n).padStart(4, '0')}`,
    token: issuer.sign({ claims: { sub: `load-user-${String(n).padStart(4, '0')}`, aud: audience, scope: 'mcp:read', exp: now + DURATION + 600 } }),
  }));
  const expired = Array.from({ length: 20 }, (_, n) => issuer.sign({ claims: { sub: `x${n}`, aud: audience, scope: 'mcp:read', exp: now - 3600 } }));
  const noScope = Array.from({ length: 20 }, (_, n) => issuer.sign({ claims: { sub: `y${n}`, aud: audience, scope: 'openid', exp: now + DURATION + 600 } }));

  // One MCP session per user, opened with that user's token (sessions are bound to the subject).
  const sessions = new Map<string, string>();
  await Promise.all(
    users.map(async (u) => {
      const res = await fetch(example.mcpUrl, {
        method: 'POST',
        headers: { authorization: `Bearer ${u.token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'load', version: '1' } } }),
      });
      const id = res.headers.get('mcp-session-id');
      await res.text();
      if (res.status !== 200 || !id) throw new Error(`initialize for ${u.id} failed: ${res.status}`);
      sessions.set(u.id, id);
    }),
  );
  const call = (city: string) => JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get-forecast', arguments: { city } } });
  const rnd = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;
  const pickExample = (): Case => {
    const u = rnd(users);
    const session = sessions.get(u.id)!;
    const r = Math.random();
    if (r < 0.55) return { kind: 'valid', headers: { authorization: `Bearer ${u.token}`, 'mcp-session-id': session }, body: call(u.id), expectStatus: 200, marker: u.id };
    if (r < 0.67) return { kind: 'expired', headers: { authorization: `Bearer ${rnd(expired)}`, 'mcp-session-id': session }, body: call(u.id), expectStatus: 401 };
    if (r < 0.79) return { kind: 'wrong-scope', headers: { authorization: `Bearer ${rnd(noScope)}`, 'mcp-session-id': session }, body: call(u.id), expectStatus: 403 };
    if (r < 0.91) return { kind: 'garbage', headers: { authorization: `Bearer ${Math.random().toString(36).slice(2)}.x.y` }, body: call(u.id), expectStatus: 401 };
    // A valid token driving somebody else's session: the binding answers as if the session did not exist.
    const other = rnd(users.filter((x) => x !== u));
    return { kind: 'other-session', headers: { authorization: `Bearer ${u.token}`, 'mcp-session-id': sessions.get(other.id)! }, body: call(u.id), expectStatus: 404 };
  };
  process.stderr.write(`load: example server (${example.backend} backend), ${CONNECTIONS} connections, ${DURATION} s...\n`);
  const first = await hammer('example server /mcp tools/call', example.url.replace('localhost', '127.0.0.1'), '/mcp', pickExample, /load-user-\d{4}/g);

  // --- Target 2: our middleware with a route that echoes the identity after an async hop ---
  const gate = gopherAuth({ resource: 'http://127.0.0.1/whoami', issuer: ISSUER, jwksUri: jwks.url, backend: BACKEND });
  const app = express();
  app.post('/whoami', gate, async (req, res) => {
    const before = getAuthInfo()?.extra?.['sub'];
    await new Promise((resolve) => setImmediate(resolve));
    res.json({ before, after: getAuthInfo()?.extra?.['sub'], req: req.auth?.extra?.['sub'] });
  });
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const whoamiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const wUsers = users.map((u) => ({ id: u.id, token: issuer.sign({ claims: { sub: u.id, aud: 'http://127.0.0.1/whoami', exp: now + DURATION + 600 } }) }));
  const wExpired = expired.map((_, n) => issuer.sign({ claims: { sub: `x${n}`, aud: 'http://127.0.0.1/whoami', exp: now - 3600 } }));
  const pickWhoami = (): Case => {
    const r = Math.random();
    if (r < 0.7) {
      const u = rnd(wUsers);
      return { kind: 'valid', headers: { authorization: `Bearer ${u.token}` }, expectStatus: 200, marker: u.id };
    }
    if (r < 0.85) return { kind: 'expired', headers: { authorization: `Bearer ${rnd(wExpired)}` }, expectStatus: 401 };
    return { kind: 'garbage', headers: { authorization: `Bearer ${Math.random().toString(36).slice(2)}` }, expectStatus: 401 };
  };
  process.stderr.write(`load: middleware /whoami, ${CONNECTIONS} connections, ${DURATION} s...\n`);
  const second = await hammer('gopherAuth middleware /whoami (identity echo)', whoamiUrl, '/whoami', pickWhoami, /load-user-\d{4}/g);

  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  gate.close();
  await example.close();
  await jwks.close();

  const summary = [first, second].map(({ label, result, tally }) => ({
    label,
    backend: BACKEND,
    connections: CONNECTIONS,
    durationSeconds: DURATION,
    requests: result.requests.total,
    requestsPerSecond: result.requests.average,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    socketErrors: result.errors,
    timeouts: result.timeouts,
    status: { '2xx': result['2xx'], '4xx': result['4xx'], '5xx': result['5xx'] },
    checked: tally.sent,
    byKind: tally.byKind,
    wrongOutcomes: tally.wrongOutcomes,
    identityLeaks: tally.identityLeaks,
    samples: tally.samples,
  }));
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  const bad = summary.some((s) => s.status['5xx'] > 0 || s.wrongOutcomes > 0 || s.identityLeaks > 0 || s.socketErrors > 0 || s.timeouts > 0);
  process.exitCode = bad ? 1 : 0;
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
