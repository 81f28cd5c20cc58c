/**
 * Authorization headers fuzzed over real HTTP against the gate (Express 5, the MCP SDK server,
 * JS backend): one or several headers, any visible-ASCII/space/tab value, tokens mutated from a
 * genuine one. Never a 5xx, never an acceptance of anything but the genuine token, every 401 carries
 * a well-formed Bearer challenge.
 */
import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../http/harness.js';
import { mutatedToken } from './arbitraries.js';
import { parseChallenge } from './properties.js';

let h: Harness;
let genuine: string;

beforeAll(async () => {
  h = await startHarness();
  genuine = h.token('mcp:read');
});
afterAll(async () => {
  await h.close();
});

/** A POST with the Authorization header given as-is (several values become several header lines). */
function send(authorization: string[]): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const url = new URL(`${h.url}/whoami`);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        let body = '';
        res.on('data', (b: Buffer) => {
          body += b.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    if (authorization.length > 0) req.setHeader('authorization', authorization.length === 1 ? authorization[0]! : authorization);
    req.end('{}');
  });
}

// Values Node's HTTP client can send: visible ASCII, space and tab (no CR/LF/NUL).
const headerValue = fc.oneof(
  fc.string({ unit: fc.constantFrom(...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)), '\t'), maxLength: 80 }),
  fc.constantFrom('Bearer', 'Bearer ', 'bearer x', 'Basic dXNlcjpwYXNz', 'Bearer a b', 'Bearer a,Bearer b', 'Bearer ====', 'Bearer a.b.c', 'BEARER  x'),
);

describe('Authorization headers over HTTP (CI size)', () => {
  it('the genuine token passes (the property below is not vacuous)', async () => {
    const res = await send([`Bearer ${genuine}`]);
    expect(res.status).toBe(200);
  });

  it('random and mutated headers: no 5xx, nothing but the genuine token accepted, challenges well formed', async () => {
    const value = fc.oneof(headerValue, mutatedToken([genuine]).map((t) => `Bearer ${t}`).filter((v) => !/[\r\n\0]/.test(v) && /^[\x20-\x7e\t]*$/.test(v)));
    await fc.assert(
      fc.asyncProperty(fc.array(value, { maxLength: 3 }), async (values) => {
        const res = await send(values);
        if (res.status >= 500) throw new Error(`${res.status} for ${JSON.stringify(values)}: ${res.body}`);
        const sent = values.length === 1 ? (values[0]?.trim().split(/ +/)[1] ?? '') : '';
        const signedBytes = (t: string) => t.slice(0, t.lastIndexOf('.'));
        if (res.status === 200 && signedBytes(sent) !== signedBytes(genuine)) {
          throw new Error(`accepted ${JSON.stringify(values)}`);
        }
        if (res.status === 401) {
          const challenge = res.headers['www-authenticate'];
          if (typeof challenge !== 'string') throw new Error('401 without a challenge');
          parseChallenge(challenge);
        }
        if (![200, 400, 401, 403].includes(res.status)) throw new Error(`unexpected ${res.status}`);
      }),
      { numRuns: 300 },
    );
  });
});
